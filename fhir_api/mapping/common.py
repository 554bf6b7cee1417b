"""Identifier systems, references and small shapes shared by every resource."""

import datetime
from decimal import Decimal

from django.utils import timezone

# Our own naming systems until the IHCE/RDA ones are adopted (docs/fhir.md, "Sistemas").
BASE = "https://mipres-abierto.co/fhir"
SID = f"{BASE}/sid"
CS = f"{BASE}/CodeSystem"
EXT = f"{BASE}/StructureDefinition"

DOCUMENT_SYSTEM = f"{SID}/documento"  # + "/" + tipo de documento (CC, TI, RC…)
NIT_SYSTEM = f"{SID}/nit"
REPS_SYSTEM = f"{SID}/reps"
RETHUS_SYSTEM = f"{SID}/rethus"
PAYER_CODE_SYSTEM = f"{SID}/codigo-eps"
PRESCRIPTION_SYSTEM = f"{SID}/no-prescripcion"
DELIVERABLE_SYSTEM = f"{SID}/id-mipres"
SEDE_SYSTEM = f"{SID}/sede"
INVOICE_SYSTEM = f"{SID}/no-factura"
DIVIPOLA_SYSTEM = f"{SID}/divipola"

CIE10 = "http://hl7.org/fhir/sid/icd-10"
CUPS = f"{CS}/cups"
DCI = f"{CS}/dci"
TECH_CODE_SYSTEM = f"{CS}/codigo-tecnologia"
DEVICE_TYPE = f"{CS}/tipo-dispositivo"
SERVICE = f"{CS}/servicio-complementario"
NUTRITION = f"{CS}/producto-nutricional"
NUTRITION_TYPE = f"{CS}/tipo-producto-nutricional"
STEP = f"{CS}/paso-suministro"
CAUSE = f"{CS}/causa-no-entrega"
JUNTA = f"{CS}/estado-junta"
CARE_SETTING = f"{CS}/ambito-atencion"
UNITS = f"{CS}/unidad"
REGIME = f"{CS}/regimen"
ENTITY_TYPE = f"{CS}/tipo-entidad"


def ref(resource_type: str, resource_id, display: str | None = None) -> dict:
    reference = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        reference["display"] = display
    return reference


def coding(system: str, code, display: str | None = None) -> dict:
    result = {"system": system, "code": str(code)}
    if display:
        result["display"] = str(display)
    return result


def concept(system: str, code, display: str | None = None) -> dict:
    result = {"coding": [coding(system, code, display)]}
    if display:
        result["text"] = str(display)
    return result


def name_parts(prefix: str) -> tuple[str, ...]:
    """The paths of a person's names under `prefix` (a patient's or a user's), for a row
    field that joins them as `get_full_name()` does."""
    parts = ("first_name", "middle_name", "first_surname", "second_surname")
    return tuple(f"{prefix}{part}" for part in parts)


def full_name(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def instant(value: datetime.datetime) -> str:
    """In Bogotá's time (settings.TIME_ZONE: nothing activates another), read once rather
    than from the request's active time zone for each of a page's resources."""
    return value.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds")


def day(value: datetime.date) -> str:
    return value.isoformat()


def number(value: Decimal | float | int) -> int | float:
    """A FHIR decimal without exponent notation: integers stay integers (a float comes
    from a JSON aggregate, fhir_api.rows)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int) or value == value.to_integral_value():
        return int(value)
    return float(value)


def quantity(value: Decimal, unit: str | None = None) -> dict:
    result = {"value": number(value)}
    if unit:
        result["unit"] = unit
    return result


def entity_ref(entity) -> dict:
    return ref("Organization", entity.external_id, entity.name)


def patient_ref(patient) -> dict:
    return ref("Patient", patient.external_id, patient.get_full_name())
