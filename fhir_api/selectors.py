"""What a FHIR caller may read: exactly what its web-service token may read
(webservices.selectors). A payer code sees the prescriptions paid under it; an IPS the
prescriptions it made; a proveedor the lines directed to it. Every read below starts from
these querysets, so another caller's id answers 404 and no search returns its rows."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from entities.models import Entity, Sede
from entities.permissions import PROVIDER_TYPES
from prescriptions.models import Affiliation, Patient, Prescription
from supply.models import Direccionamiento, NoDireccionamiento
from webservices.selectors import prescriptions_visible, records_visible
from webservices.services import Caller

from .models import RequestLine


def _is_provider(caller: Caller) -> bool:
    return not caller.is_payer and caller.entity.entity_type in PROVIDER_TYPES


def lines_visible(caller: Caller) -> QuerySet:
    """Prescription lines (never a tutela's) the caller may read, as RequestLine rows."""
    lines = RequestLine.objects.all()
    if caller.entity.entity_type == "PROVEEDOR":
        directed = Direccionamiento.objects.filter(
            deliverable__line=OuterRef("pk"), provider=caller.entity
        )
        return lines.filter(Exists(directed))
    if caller.is_payer:
        return lines.filter(payer_id=caller.entity.pk, payer_code_id=caller.payer_code.pk)
    return lines.filter(entity_id=caller.entity.pk)


def prescriptions_for(caller: Caller) -> QuerySet:
    if caller.entity.entity_type == "PROVEEDOR":
        return Prescription.objects.filter(
            Exists(
                Direccionamiento.objects.filter(
                    deliverable__prescription=OuterRef("pk"), provider=caller.entity
                )
            )
        )
    return prescriptions_visible(caller)


def patients_visible(caller: Caller) -> QuerySet:
    """Patients with at least one prescription the caller may read."""
    visible = prescriptions_for(caller).filter(patient=OuterRef("pk"))
    return Patient.objects.filter(Exists(visible)).select_related("municipality")


def coverages_visible(caller: Caller) -> QuerySet:
    return Affiliation.objects.filter(patient__in=patients_visible(caller)).select_related(
        "patient", "payer_code__entity"
    )


def steps_visible(model, caller: Caller) -> QuerySet:
    if model is NoDireccionamiento:
        if not caller.is_payer:
            return NoDireccionamiento.objects.none()
        return NoDireccionamiento.objects.filter(entity=caller.entity, payer_code=caller.payer_code)
    return records_visible(model, caller)


def organizations_visible(caller: Caller) -> QuerySet:
    """The caller itself, and the entities named by what it may read (payers, IPSs,
    proveedores of its prescriptions and their chains)."""
    prescriptions = prescriptions_for(caller)
    directed = Direccionamiento.objects.filter(deliverable__prescription__in=prescriptions)
    if _is_provider(caller) and caller.entity.entity_type == "PROVEEDOR":
        directed = directed.filter(provider=caller.entity)
    return Entity.objects.filter(
        Q(pk=caller.entity.pk)
        | Q(pk__in=prescriptions.values("entity"))
        | Q(pk__in=prescriptions.values("payer"))
        | Q(pk__in=directed.values("provider"))
    ).select_related("municipality")


def sedes_visible(caller: Caller) -> QuerySet:
    return Sede.objects.filter(entity__in=organizations_visible(caller)).select_related(
        "entity", "municipality"
    )
