"""The web services' part of the demo world (see accounts/demo.py): a deterministic GUID
for each demo payer code, entidad territorial, proveedor and IPS, so a client can run the
whole path right after `make run`; `credentials()` lists them under `web_services`."""

import uuid

from accounts.demo import ENTITIES
from entities.models import Entity, PayerCode, Sede
from entities.permissions import CODE_HOLDER_TYPES, PROVIDER_TYPES, EntityType
from supply.models import Direccionamiento, StepStatus

from . import services

_NAMESPACE = uuid.UUID("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f")


def demo_guid(nit: str, code: str | None) -> str:
    """The same GUID on every demo machine (never use such GUIDs outside the demo)."""
    return str(uuid.uuid5(_NAMESPACE, f"mipres-demo:{nit}:{code or ''}")).upper()


def _subjects():
    """(spec, payer code or None) for every demo entity that holds a GUID."""
    for spec in ENTITIES:
        if spec.entity_type in CODE_HOLDER_TYPES:
            for code, _regime in spec.payer_codes:
                yield spec, code
        else:
            yield spec, None


def seed(world: dict) -> None:
    for spec, code in _subjects():
        entity = Entity.objects.filter(nit=spec.nit).first()
        if entity is None:
            continue
        payer_code = PayerCode.objects.get(code=code) if code else None
        services.credential_install(
            entity=entity, payer_code=payer_code, guid=demo_guid(spec.nit, code)
        )


def _pending(spec, code) -> list[str]:
    """NoPrescripcion of prescriptions holding active (not yet programmed)
    direccionamientos: directed to the proveedor, or under the payer's code."""
    queryset = Direccionamiento.objects.filter(status=StepStatus.ACTIVO)
    if spec.entity_type in PROVIDER_TYPES:
        queryset = queryset.filter(provider__nit=spec.nit)
    elif code:
        queryset = queryset.filter(payer_code__code=code)
    else:
        queryset = queryset.filter(entity__nit=spec.nit, payer_code__isnull=True)
    numbers = queryset.values_list("deliverable__prescription__number", flat=True)
    return sorted(set(numbers))


def credentials() -> dict:
    rows = []
    for spec, code in _subjects():
        sedes = []
        if spec.entity_type in PROVIDER_TYPES:
            sedes = [
                {"code": sede.code, "name": sede.name, "nit": spec.nit}
                for sede in Sede.objects.filter(entity__nit=spec.nit, active=True).order_by("code")
            ]
        rows.append(
            {
                "entity_type": str(EntityType(spec.entity_type)),
                "entity_name": spec.name,
                "payer_code": code,
                "nit": spec.nit,
                "guid": demo_guid(spec.nit, code),
                "sedes": sedes,
                "pending_prescriptions": _pending(spec, code),
            }
        )
    return {"web_services": rows}
