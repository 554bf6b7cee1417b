"""Which providers a payer may direct a prescription to (DESIGN §4 network rule)."""

from django.db.models import QuerySet

from entities.models import Entity, NetworkLink, Regime
from prescriptions.models import Prescription


def network_providers(prescription: Prescription, *, anywhere: bool = False) -> QuerySet[Entity]:
    """Verified IPS and proveedores in the active network of the prescription's payer, for
    its payer code (an entidad territorial's network has no code). For a subsidiado code
    the link must name the territory of the patient's municipality (its own entidad
    territorial or its department's), unless `anywhere`."""
    links = NetworkLink.objects.active().filter(payer_id=prescription.payer_id)
    code = prescription.payer_code
    if code is None:
        links = links.filter(payer_code__isnull=True)
    else:
        links = links.filter(payer_code=code)
        if code.regime == Regime.SUBSIDIADO and not anywhere:
            municipality = prescription.patient.municipality
            links = links.filter(
                territory__dane_code__in=[municipality.code, municipality.code[:2]]
            )
    return Entity.objects.filter(
        pk__in=links.values("provider_id"), status=Entity.Status.VERIFIED
    ).order_by("name")
