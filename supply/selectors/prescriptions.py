"""A prescription as a supply actor may see it (STYLE R5)."""

from django.db.models import Q
from django.http import Http404

from entities.models import Entity
from prescriptions.models import Prescription


def supply_prescription_get(*, entity: Entity, number: str) -> Prescription:
    """The prescription `number` when `entity` pays for it, prescribed it, was directed a
    delivery of it or delivered it; 404 otherwise."""
    visible = (
        Q(payer=entity)
        | Q(entity=entity)
        | Q(deliverables__direccionamientos__provider=entity)
        | Q(deliverables__entregas__entity=entity)
    )
    prescription = (
        Prescription.objects.filter(number=number)
        .filter(visible)
        .select_related("patient", "payer", "payer_code", "entity", "prescriber")
        .first()
    )
    if prescription is None:
        raise Http404
    return prescription
