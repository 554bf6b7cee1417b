"""The resource types this API serves: for each, the sources it reads (a scoped queryset
and the mapper of its rows), how an id names a row, and which search parameters it takes.
A search reads each source in primary-key order from a keyset cursor (`_cursor=i.pk`),
never with an offset, so page 1,000 costs what page 1 costs."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from prescriptions.enums import PrescriptionStatus
from supply.models import (
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    Programacion,
    StepStatus,
)
from webservices.services import Caller

from . import selectors
from .errors import not_found
from .mapping import administrative, requests, supply
from .mapping.common import DOCUMENT_SYSTEM, NIT_SYSTEM
from .rows import line_rows, values


@dataclass
class Source:
    """One table behind a resource type."""

    queryset: Callable[[Caller], QuerySet]
    to_json: Callable[[object], dict]
    id_of: Callable[[str], dict | None]  # resource id → filter, None if not this source's
    paths: dict[str, str] = field(default_factory=dict)  # search parameter → field path
    statuses: dict[str, Q] = field(default_factory=dict)
    # A scoped, filtered, ordered and sliced queryset → the rows `to_json` takes (model
    # instances by default; flat dicts for the hot sources, fhir_api.rows), and a row's pk.
    read: Callable[[QuerySet], list] = list
    pk_of: Callable[[object], int] = attrgetter("pk")


@dataclass
class ResourceType:
    name: str
    sources: list[Source]
    params: tuple[str, ...]  # the search parameters it takes (besides _id, _count, …)
    includes: tuple[str, ...] = ()


def _uuid_id(value: str) -> dict | None:
    try:
        return {"external_id": uuid.UUID(value)}
    except ValueError:
        return None


def _prefixed(prefix: str) -> Callable[[str], dict | None]:
    def id_of(value: str) -> dict | None:
        head, _, pk = value.partition("-")
        if head == prefix and pk.isdigit() and len(pk) < 18:
            return {"pk": int(pk)}
        return None

    return id_of


def line_lookup(value: str, number: str = "prescription__number") -> dict | None:
    """The filter of a line id `{NoPrescripcion}-{TipoTec}{ConOrden}` on TechnologyLine (or,
    with `number="number"`, on the RequestLine view); None if `value` is not one."""
    prescription, _, key = value.partition("-")
    valid_key = key[:1].isalpha() and key[1:].isdigit() and len(key) < 8
    if len(prescription) == 20 and prescription.isdigit() and valid_key:
        return {number: prescription, "technology_type": key[0], "order": key[1:]}
    return None


def _lines(types: tuple[str, ...]) -> Callable[[Caller], QuerySet]:
    return lambda caller: selectors.lines_visible(caller).filter(technology_type__in=types)


ACTIVE, CANCELLED = (
    Q(status=PrescriptionStatus.ACTIVA),
    Q(status=PrescriptionStatus.ANULADA),
)
# Search parameters on the RequestLine view (fhir_api.models).
LINE_PATHS = {
    "patient": "patient_id",
    "subject": "patient_id",
    "date": "prescribed_at",
    "requester": "prescriber_id",
    "group-identifier": "number",
}


def _line_source(resource_type: str, cancelled: str) -> Source:
    return Source(
        _lines(requests.TYPES_OF_RESOURCE[resource_type]),
        requests.line_resource,
        lambda value: line_lookup(value, number="number"),
        LINE_PATHS,
        {"active": ACTIVE, cancelled: CANCELLED},
        read=lambda queryset: line_rows(queryset, resource_type),
        pk_of=itemgetter("pk"),
    )


def _step_queryset(model) -> Callable[[Caller], QuerySet]:
    return lambda caller: selectors.steps_visible(model, caller)


def _rows(fields: dict) -> dict:
    """A Source's `read` and `pk_of` for rows of `fields` (fhir_api.rows.values)."""
    return {"read": lambda queryset: values(queryset, fields), "pk_of": itemgetter("pk")}


STEP_PATHS = {
    "patient": "deliverable__prescription__patient__external_id",
    "subject": "deliverable__prescription__patient__external_id",
}


def _task_source(model, kind: str, mapper, fields: dict, statuses: dict, **paths) -> Source:
    return Source(
        _step_queryset(model),
        mapper,
        _prefixed(supply.ID_PREFIX[kind]),
        {**STEP_PATHS, **paths},
        statuses,
        **_rows(fields),
    )


def _by_step_status(mapping: dict) -> dict[str, Q]:
    statuses: dict[str, list] = {}
    for step_status, task_status in mapping.items():
        statuses.setdefault(task_status, []).append(step_status)
    return {name: Q(status__in=values) for name, values in statuses.items()}


IN_FORCE = Q(status__in=(StepStatus.ACTIVO, StepStatus.PROCESADO))
ANULADO = Q(status=StepStatus.ANULADO)
LINE_FOCUS = {
    "focus": "deliverable__line",
}


def _entregas(medicine: bool) -> Callable[[Caller], QuerySet]:
    def queryset(caller: Caller) -> QuerySet:
        entregas = selectors.steps_visible(Entrega, caller)
        condition = Q(deliverable__line__technology_type="M")
        return entregas.filter(condition if medicine else ~condition)

    return queryset


def _users(caller: Caller) -> QuerySet:
    prescribers = selectors.prescriptions_for(caller).values("prescriber")
    return get_user_model().objects.filter(pk__in=prescribers)


RESOURCES = {
    resource.name: resource
    for resource in [
        ResourceType(
            "Patient",
            [
                Source(
                    selectors.patients_visible,
                    administrative.patient,
                    _uuid_id,
                    {"identifier": DOCUMENT_SYSTEM},
                )
            ],
            ("identifier",),
        ),
        ResourceType(
            "Coverage",
            [
                Source(
                    selectors.coverages_visible,
                    administrative.coverage,
                    _uuid_id,
                    {
                        "patient": "patient__external_id",
                        "beneficiary": "patient__external_id",
                    },
                    {"active": Q(active=True), "cancelled": Q(active=False)},
                )
            ],
            ("patient", "beneficiary", "status"),
        ),
        ResourceType(
            "Organization",
            [
                Source(
                    selectors.organizations_visible,
                    administrative.organization,
                    _uuid_id,
                    {"identifier": NIT_SYSTEM},
                )
            ],
            ("identifier",),
        ),
        ResourceType(
            "Location",
            [
                Source(
                    selectors.sedes_visible,
                    administrative.location,
                    _uuid_id,
                    {"organization": "entity__external_id"},
                )
            ],
            ("organization",),
        ),
        ResourceType(
            "Practitioner",
            [Source(_users, administrative.practitioner, _uuid_id)],
            (),
        ),
        ResourceType(
            "MedicationRequest",
            [_line_source("MedicationRequest", "cancelled")],
            ("patient", "subject", "authoredon", "status", "requester", "group-identifier"),
            ("patient", "requester"),
        ),
        ResourceType(
            "ServiceRequest",
            [_line_source("ServiceRequest", "revoked")],
            ("patient", "subject", "authored", "status", "requester", "group-identifier"),
            ("patient", "requester"),
        ),
        ResourceType(
            "DeviceRequest",
            [_line_source("DeviceRequest", "revoked")],
            ("patient", "subject", "authored-on", "status", "requester", "group-identifier"),
            ("patient", "requester"),
        ),
        ResourceType(
            "NutritionOrder",
            [_line_source("NutritionOrder", "revoked")],
            ("patient", "datetime", "status"),
            ("patient",),
        ),
        ResourceType(
            "Task",
            [
                _task_source(
                    Direccionamiento,
                    "direccionamiento",
                    supply.direccionamiento_task,
                    supply.DIRECCIONAMIENTO_FIELDS,
                    _by_step_status(supply.TASK_STATUS["direccionamiento"]),
                    owner="provider__external_id",
                    **LINE_FOCUS,
                ),
                _task_source(
                    Programacion,
                    "programacion",
                    supply.programacion_task,
                    supply.PROGRAMACION_FIELDS,
                    _by_step_status(supply.TASK_STATUS["programacion"]),
                    owner="entity__external_id",
                    **LINE_FOCUS,
                ),
                Source(
                    _step_queryset(NoDireccionamiento),
                    supply.no_direccionamiento_task,
                    _prefixed(supply.ID_PREFIX["no-direccionamiento"]),
                    {
                        "patient": "prescription__patient__external_id",
                        "subject": "prescription__patient__external_id",
                        "focus": "line",
                    },
                    {"rejected": IN_FORCE, "cancelled": ANULADO},
                    **_rows(supply.NO_DIRECCIONAMIENTO_FIELDS),
                ),
            ],
            ("patient", "subject", "focus", "status", "owner"),
        ),
        ResourceType(
            "MedicationDispense",
            [
                Source(
                    _entregas(True),
                    supply.medication_dispense,
                    _prefixed("ent"),
                    {**STEP_PATHS, "whenhandedover": "delivered_on"},
                    {"completed": IN_FORCE, "entered-in-error": ANULADO},
                    **_rows(supply.ENTREGA_FIELDS),
                )
            ],
            ("patient", "subject", "whenhandedover", "status"),
        ),
        ResourceType(
            "SupplyDelivery",
            [
                Source(
                    _entregas(False),
                    supply.supply_delivery,
                    _prefixed("ent"),
                    STEP_PATHS,
                    {"completed": IN_FORCE, "abandoned": ANULADO},
                    **_rows(supply.ENTREGA_FIELDS),
                )
            ],
            ("patient", "status"),
        ),
        ResourceType(
            "ChargeItem",
            [
                Source(
                    _step_queryset(Facturacion),
                    supply.charge_item,
                    _prefixed("fac"),
                    STEP_PATHS,
                    {"billable": IN_FORCE, "entered-in-error": ANULADO},
                    **_rows(supply.FACTURACION_FIELDS),
                )
            ],
            ("patient", "subject", "status"),
        ),
    ]
}


def read(caller: Caller, resource_type: str, resource_id: str) -> dict:
    """One resource the caller may see, or 404 (another caller's ids included)."""
    for source in RESOURCES[resource_type].sources:
        lookup = source.id_of(resource_id)
        if lookup is None:
            continue
        rows = source.read(source.queryset(caller).filter(**lookup)[:1])
        if rows:
            return source.to_json(rows[0])
    raise not_found(resource_type, resource_id)
