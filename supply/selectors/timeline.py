"""A prescription as a supply actor sees it, with its supply timeline: per line and
delivery, every step with its state, dates, actor and annulment (issue 5 §8; STYLE R5).

Three queries whatever the size of the chains:

1. the prescription with its patient, lines and deliverables (the ORM, as values);
2. every step of its chains (and its lines' records), from the view `supply_timeline_step`
   (migration 0008: a UNION ALL over the step tables, each branch reading the same
   columns, its kind's details in generic slots, by the prescription of the step's
   parent); a provider keeps the chains it was directed or delivered;
3. the names those rows cite (entities, users, sedes, causes, payer codes), from the view
   `supply_timeline_name`.

The views keep the step tables' and name tables' union out of the ORM: composed as nine
querysets it cost ~10 ms of Python per request. A filter on a view's column that a branch
holds as a constant (a step's kind, a name's source) leaves that branch out at planning time.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.http import Http404

from entities.models import Entity, PayerCode
from prescriptions.models import Patient, Prescription, TechnologyLine

from ..models import (
    DatosFacturados,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    ProcedureSupply,
    Programacion,
    ReporteEntrega,
    StepStatus,
    Suministro,
    TimelineName,
    TimelineStep,
)
from ..models.chain import delivery_label
from ..services.annulment import STEPS
from .kinds import KIND_BY_MODEL

# Which field of each model fills each slot of `supply_timeline_step` (migration 0008): what
# the timeline shows of it. `ref` is the id of a row the step names: its provider
# (direccionamiento), sede (programación), cause (entrega, no direccionamiento) or procedure
# line (inclusión).
DETAILS = {
    Direccionamiento: {"ref": "provider", "number": "quantity", "date": "max_delivery_date"},
    Programacion: {"ref": "sede", "number": "quantity"},
    Entrega: {
        "ref": "cause",
        "text2": "batch",
        "number": "quantity",
        "date": "delivered_on",
        "flag1": "in_ambito",
        "flag2": "total",
    },
    ReporteEntrega: {"number": "value", "flag1": "delivered"},
    Facturacion: {"text1": "invoice_number", "number": "total_value"},
    DatosFacturados: {},
    Suministro: {"number": "quantity"},
    NoDireccionamiento: {"ref": "cause"},
    ProcedureSupply: {"ref": "procedure_line"},
}
# The kinds of a chain's steps (their parent the deliverable; a line's records have the line).
CHAIN_KINDS = [
    KIND_BY_MODEL[model]
    for model in (
        Direccionamiento,
        Programacion,
        Entrega,
        ReporteEntrega,
        Facturacion,
        DatosFacturados,
        Suministro,
    )
]
# The view's columns in Step's order.
STEP_COLUMNS = (
    "kind",
    "parent_id",
    "record_id",
    "status",
    "created_at",
    "entity_id",
    "created_by_id",
    "annulled_at",
    "annulled_by_id",
    "annulment_reason",
    "text1",
    "text2",
    "number",
    "date",
    "flag1",
    "flag2",
    "ref",
)
# What the page reads of the prescription, its patient and its lines (as attnames).
PRESCRIPTION_FIELDS = (
    "id",
    "number",
    "prescribed_at",
    "status",
    "care_setting",
    "entity_id",
    "payer_id",
    "payer_code_id",
)
PATIENT_FIELDS = (
    "id",
    "document_type",
    "document_number",
    "first_name",
    "middle_name",
    "first_surname",
    "second_surname",
    "newborn_order",
    "mother_document_type",
    "mother_document_number",
)
LINE_FIELDS = ("id", "technology_type", "order", "total_quantity", "supply_type")


@dataclass(slots=True)
class Step:
    """One supply record as the timeline shows it (the step query's columns, in order, then
    the names resolved afterwards). `text1`… hold its kind's details (see DETAILS)."""

    kind: str
    parent_id: int  # the deliverable's, or the line's for a line record
    pk: int
    status: int
    created_at: datetime.datetime
    entity_id: int
    created_by_id: int | None
    annulled_at: datetime.datetime | None
    annulled_by_id: int | None
    annulment_reason: str
    text1: str | None
    text2: str | None
    number: Decimal | None
    date: datetime.date | None
    flag1: bool | None
    flag2: bool | None
    ref: int | None
    entity_name: str = ""
    created_by_name: str = ""
    annulled_by_name: str = ""
    ref_code: str = ""  # the provider's name, the sede's or cause's code, the line's key
    ref_name: str = ""  # the sede's or cause's name
    can_annul: bool = False

    @property
    def annulled(self) -> bool:
        return self.status == StepStatus.ANULADO


@dataclass(slots=True)
class DeliveryChain:
    deliverable_id: int
    delivery_label: str
    steps: list[Step] = field(default_factory=list)
    # What a partial entrega left undelivered of the direccionamiento in force (issue 17 §23).
    remainder: Decimal | None = None


@dataclass(slots=True)
class LineSupply:
    line: TechnologyLine
    deliveries: list[DeliveryChain] = field(default_factory=list)
    no_direccionamientos: list[Step] = field(default_factory=list)
    procedure_supplies: list[Step] = field(default_factory=list)


def _rows(by: str, key) -> list[tuple]:
    """The prescription whose `by` ("number" or "pk") is `key`, once per line and
    deliverable: its PRESCRIPTION_FIELDS, PATIENT_FIELDS, LINE_FIELDS, then the
    deliverable's id, NoEntrega and NoSubEntrega (None for a line without deliverables)."""
    columns = [
        *PRESCRIPTION_FIELDS,
        *(f"patient__{name}" for name in PATIENT_FIELDS),
        *(f"lines__{name}" for name in LINE_FIELDS),
        *(f"lines__deliverables__{name}" for name in ("id", "delivery_number", "sub_number")),
    ]
    return list(Prescription.objects.filter(**{by: key}).order_by().values_list(*columns))


def _build(model, names, values):
    """A model instance from a row's values, the other fields deferred (Model.from_db, as a
    queryset builds them; it takes the values in the model's field order)."""
    given = dict(zip(names, values, strict=True))
    ordered = [given[f.attname] for f in model._meta.concrete_fields if f.attname in given]
    return model.from_db(connection.alias, names, ordered)


def _read(by: str, key, viewer: Entity):
    """(prescription with its patient, whether the viewer sees every chain, its lines by
    pk, its deliverables as (line, NoEntrega, NoSubEntrega, id)) or None when there is no
    such prescription."""
    rows = _rows(by, key)
    if not rows:
        return None
    first = rows[0]
    n_prescription, n_patient, n_line = (
        len(PRESCRIPTION_FIELDS),
        len(PATIENT_FIELDS),
        len(LINE_FIELDS),
    )
    prescription = _build(Prescription, PRESCRIPTION_FIELDS, first[:n_prescription])
    prescription.patient = _build(
        Patient, PATIENT_FIELDS, first[n_prescription : n_prescription + n_patient]
    )
    whole = viewer.pk in (prescription.payer_id, prescription.entity_id)
    lines, deliverables = {}, []
    for row in rows:
        line_values = row[n_prescription + n_patient : n_prescription + n_patient + n_line]
        deliverable_id, delivery_number, sub_number = row[-3:]
        if line_values[0] is None:
            continue
        if line_values[0] not in lines:
            lines[line_values[0]] = _build(TechnologyLine, LINE_FIELDS, line_values)
        if deliverable_id is not None:
            deliverables.append((line_values[0], delivery_number, sub_number, deliverable_id))
    return prescription, whole, lines, deliverables


def _steps(prescription: Prescription, whole: bool) -> list[Step]:
    """Every step of the prescription's chains and, for a viewer who sees every chain, its
    lines' records (no direccionamientos, inclusions). Each kind is a constant of its
    branch of the view: PostgreSQL reads only the branches the condition leaves."""
    steps = TimelineStep.objects.filter(prescription_id=prescription.pk)
    if not whole:
        steps = steps.filter(kind__in=CHAIN_KINDS)
    return [Step(*row) for row in steps.values_list(*STEP_COLUMNS)]


def _own_chains(steps: list[Step], viewer: Entity) -> set[int]:
    """The deliverables `viewer` was directed (any direccionamiento to it) or delivered (any
    entrega of its own): a provider sees those chains only."""
    return {
        step.parent_id
        for step in steps
        if (step.kind == "direccionamiento" and step.ref == viewer.pk)
        or (step.kind == "entrega" and step.entity_id == viewer.pk)
    }


def _name(steps: list[Step], prescription: Prescription) -> None:
    """Fill in the names the steps and the prescription cite, with one query."""
    wanted = {
        "entities": {prescription.entity_id, prescription.payer_id},
        "users": set(),
        "sedes": set(),
        "causes": set(),
        "payer_codes": {prescription.payer_code_id} - {None},
    }
    ref_kinds = {"direccionamiento": "entities", "programacion": "sedes"}
    for step in steps:
        wanted["entities"].add(step.entity_id)
        wanted["users"].update((step.created_by_id, step.annulled_by_id))
        if step.ref is not None and step.kind != "inclusion":
            wanted[ref_kinds.get(step.kind, "causes")].add(step.ref)
    wanted["users"].discard(None)
    cited = Q()
    for source, ids in wanted.items():
        if ids:
            cited |= Q(source=source, source_id__in=ids)
    rows = TimelineName.objects.filter(cited).values_list(
        "source", "source_id", "text1", "text2", "text3", "text4"
    )
    names = {}
    for key, pk, *texts in rows:
        # A user's full name as User.get_full_name() writes it.
        names[key, pk] = (" ".join(t for t in texts if t), "") if key == "users" else texts
    for step in steps:
        step.entity_name = names["entities", step.entity_id][0]
        step.created_by_name = names.get(("users", step.created_by_id), ("",))[0]
        step.annulled_by_name = names.get(("users", step.annulled_by_id), ("",))[0]
        if step.kind == "direccionamiento":
            step.ref_code = names["entities", step.ref][0]
        elif step.kind == "programacion":
            step.ref_code, step.ref_name = names["sedes", step.ref][:2]
        elif step.ref is not None and step.kind != "inclusion":
            step.ref_code, step.ref_name = names["causes", step.ref][:2]
    # The page's header names them through the prescription, as a queryset's instances.
    for attribute in ("entity", "payer"):
        pk = getattr(prescription, f"{attribute}_id")
        entity = _build(Entity, ("id", "name"), (pk, names["entities", pk][0]))
        setattr(prescription, attribute, entity)
    if prescription.payer_code_id is not None:
        code = names["payer_codes", prescription.payer_code_id][0]
        prescription.payer_code = _build(
            PayerCode, ("id", "code"), (prescription.payer_code_id, code)
        )


def _timeline(read, viewer: Entity, perms) -> list[LineSupply] | None:
    """The timeline of what `viewer` may see of the prescription `read`, None when nothing."""
    prescription, whole, lines, deliverables = read
    steps = _steps(prescription, whole)
    if not whole:
        own = _own_chains(steps, viewer)
        if not own:
            return None
        deliverables = [row for row in deliverables if row[3] in own]
        steps = [step for step in steps if step.parent_id in own]
        shown = {row[0] for row in deliverables}
        lines = {pk: line for pk, line in lines.items() if pk in shown}
    lines = sorted(lines.values(), key=lambda line: (line.technology_type, line.order))
    by_line = {line.pk: LineSupply(line=line) for line in lines}
    chains = {}
    for line_id, delivery_number, sub_number, deliverable_id in sorted(deliverables):
        chain = DeliveryChain(deliverable_id, delivery_label(delivery_number, sub_number))
        chains[deliverable_id] = chain
        by_line[line_id].deliveries.append(chain)
    _name(steps, prescription)
    annuls = {KIND_BY_MODEL[model]: bool(perms.intersection(STEPS[model][0])) for model in DETAILS}
    for step in sorted(steps, key=lambda step: (step.created_at, step.pk)):
        step.can_annul = (
            step.status == StepStatus.ACTIVO and step.entity_id == viewer.pk and annuls[step.kind]
        )
        if step.kind == "no-direccionamiento":
            by_line[step.parent_id].no_direccionamientos.append(step)
        elif step.kind == "inclusion":
            step.ref_code = by_line[step.ref].line.key if step.ref in by_line else ""
            # Newest first, as the line's records are ordered.
            by_line[step.parent_id].procedure_supplies.insert(0, step)
        else:
            chains[step.parent_id].steps.append(step)
    for chain in chains.values():
        chain.remainder = partial_remainder(chain.steps)
    return list(by_line.values())


def partial_remainder(steps: list[Step]) -> Decimal | None:
    """The quantity directed and not delivered when the chain's entrega in force is partial
    (None otherwise): what the payer may direct again."""
    directed = [s.number for s in steps if s.kind == "direccionamiento" and not s.annulled]
    entregas = [s for s in steps if s.kind == "entrega" and not s.annulled]
    if not directed or not entregas or any(s.flag2 for s in entregas):
        return None
    left = directed[-1] - sum(s.number for s in entregas)
    return left if left > 0 else None


def prescription_supply_get(
    *, number: str, viewer: Entity, perms
) -> tuple[Prescription, list[LineSupply]]:
    """The prescription `number` (with its patient, entity, payer and payer code) and its
    timeline (see `supply_timeline`) when `viewer` pays for it, prescribed it, was
    directed a delivery of it or delivered it; 404 otherwise."""
    read = _read("number", number, viewer)
    timeline = None if read is None else _timeline(read, viewer, perms)
    if timeline is None:
        raise Http404
    return read[0], timeline


def supply_timeline(*, prescription: Prescription, viewer: Entity, perms) -> list[LineSupply]:
    """Per line of `prescription`: its deliveries (NoEntrega.NoSubEntrega) with their steps
    in the order they happened, its no direccionamientos and procedure inclusions.

    The payer and the prescribing entity see every line and chain; a provider only the
    deliverables it was directed or delivered, and their lines. A step offers "Anular"
    (`can_annul`) when it is the newest of its chain (state activo), the viewer recorded it
    and holds a permission that annuls its kind."""
    read = _read("pk", prescription.pk, viewer)
    return (None if read is None else _timeline(read, viewer, perms)) or []
