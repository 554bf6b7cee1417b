"""A prescription's technology lines as request resources: medicamento → MedicationRequest,
procedimiento and servicio complementario → ServiceRequest, dispositivo → DeviceRequest,
producto nutricional → NutritionOrder. Every line of one prescription shares
`groupIdentifier` = NoPrescripcion (NutritionOrder has no groupIdentifier in R4: it carries
the number as an identifier)."""

from prescriptions.enums import (
    JuntaStatus,
    NutritionalRoute,
    PrescriptionStatus,
    SupplyType,
    TechnologyType,
    TimeUnit,
)

from .administrative import practitioner_ref
from .common import (
    CARE_SETTING,
    CIE10,
    CUPS,
    DCI,
    DEVICE_TYPE,
    EXT,
    JUNTA,
    NUTRITION,
    NUTRITION_TYPE,
    PRESCRIPTION_SYSTEM,
    SERVICE,
    concept,
    instant,
    number,
    patient_ref,
    quantity,
)

RESOURCE_OF_TYPE = {
    TechnologyType.MEDICAMENTO: "MedicationRequest",
    TechnologyType.PROCEDIMIENTO: "ServiceRequest",
    TechnologyType.SERVICIO_COMPLEMENTARIO: "ServiceRequest",
    TechnologyType.DISPOSITIVO: "DeviceRequest",
    TechnologyType.PRODUCTO_NUTRICIONAL: "NutritionOrder",
}
TYPES_OF_RESOURCE = {
    "MedicationRequest": ("M",),
    "ServiceRequest": ("P", "S"),
    "DeviceRequest": ("D",),
    "NutritionOrder": ("N",),
}
# UCUM codes of MIPRES's time units; "según respuesta" and "única" have none.
UCUM_TIME = {
    TimeUnit.MINUTO: "min",
    TimeUnit.HORA: "h",
    TimeUnit.DIA: "d",
    TimeUnit.SEMANA: "wk",
    TimeUnit.MES: "mo",
    TimeUnit.ANO: "a",
}
DAYS_OF_UNIT = {TimeUnit.DIA: 1, TimeUnit.SEMANA: 7, TimeUnit.MES: 30, TimeUnit.ANO: 365}


def line_id(line) -> str:
    """`{NoPrescripcion}-{TipoTec}{ConOrden}`: stable, readable, unique."""
    return f"{line.prescription.number}-{line.key}"


def line_ref(line) -> dict:
    return {"reference": f"{RESOURCE_OF_TYPE[line.technology_type]}/{line_id(line)}"}


def request_status(line) -> str:
    cancelled = line.prescription.status == PrescriptionStatus.ANULADA
    if line.technology_type == TechnologyType.MEDICAMENTO:
        return "cancelled" if cancelled else "active"
    return "revoked" if cancelled else "active"


def _extensions(line) -> list[dict]:
    prescription = line.prescription
    return [
        {
            "url": f"{EXT}/estado-junta",
            "valueCoding": {
                "system": JUNTA,
                "code": str(line.junta_status),
                "display": str(JuntaStatus(line.junta_status).label),
            },
        },
        {
            "url": f"{EXT}/ambito-atencion",
            "valueCoding": {
                "system": CARE_SETTING,
                "code": str(prescription.care_setting),
                "display": str(prescription.get_care_setting_display()),
            },
        },
        {
            "url": f"{EXT}/tipo-prestacion",
            "valueCode": "sucesiva" if line.supply_type == SupplyType.SUCESIVA else "unica",
        },
    ]


def _common(line, resource_type: str) -> dict:
    prescription = line.prescription
    resource = {
        "resourceType": resource_type,
        "id": line_id(line),
        "extension": _extensions(line),
        "identifier": [
            {"system": f"{PRESCRIPTION_SYSTEM}/linea", "value": line_id(line)},
        ],
        "status": request_status(line),
        "intent": "order",
    }
    group = {"system": PRESCRIPTION_SYSTEM, "value": prescription.number}
    if resource_type in ("MedicationRequest", "DeviceRequest"):
        resource["groupIdentifier"] = group
    elif resource_type == "ServiceRequest":
        resource["requisition"] = group  # ServiceRequest's name for the group identifier
    else:
        resource["identifier"].append(group)
    return resource


def _clinical(line, resource: dict) -> dict:
    """subject, authoredOn, requester, reasonCode and the justification (JustNoPBS)."""
    prescription = line.prescription
    resource["subject"] = patient_ref(prescription.patient)
    resource["authoredOn"] = instant(prescription.prescribed_at)
    resource["requester"] = practitioner_ref(prescription.prescriber)
    resource["reasonCode"] = [
        concept(CIE10, prescription.diagnosis.code, prescription.diagnosis.name)
    ]
    resource["note"] = [{"text": line.justification}]
    return resource


def _timing(line) -> dict | None:
    unit = UCUM_TIME.get(line.frequency_unit)
    if not (line.frequency_every and unit):
        return None
    repeat = {"frequency": 1, "period": line.frequency_every, "periodUnit": unit}
    duration_unit = UCUM_TIME.get(line.duration_unit)
    if line.duration_amount and duration_unit:
        repeat["boundsDuration"] = {
            "value": line.duration_amount,
            "unit": duration_unit,
            "system": "http://unitsofmeasure.org",
            "code": duration_unit,
        }
    return {"repeat": repeat}


def _dispense_request(line) -> dict:
    unit = line.presentation_unit.name if line.presentation_unit_id else None
    request = {"quantity": quantity(line.total_quantity, unit)}
    days = DAYS_OF_UNIT.get(line.duration_unit)
    if line.duration_amount and days:
        total_days = line.duration_amount * days
        request["expectedSupplyDuration"] = {
            "value": total_days,
            "unit": "d",
            "system": "http://unitsofmeasure.org",
            "code": "d",
        }
        if line.supply_type == SupplyType.SUCESIVA and total_days > 30:
            # Successive supplies are delivered month by month (NoEntrega 1, 2, …).
            request["dispenseInterval"] = {
                "value": 30,
                "unit": "d",
                "system": "http://unitsofmeasure.org",
                "code": "d",
            }
            request["numberOfRepeatsAllowed"] = -(-total_days // 30) - 1
    return request


def medication_request(line) -> dict:
    resource = _clinical(line, _common(line, "MedicationRequest"))
    ingredients = list(line.ingredients.all())
    text = line.description or " + ".join(
        f"{i.ingredient.name} {number(i.concentration)} {i.concentration_unit.code}"
        for i in ingredients
    )
    resource["medicationCodeableConcept"] = {
        "coding": [
            {"system": DCI, "code": i.ingredient.code, "display": i.ingredient.name}
            for i in ingredients
        ],
        "text": text or line.key,
    }
    dosage = {"text": _dosage_text(line)}
    timing = _timing(line)
    if timing:
        dosage["timing"] = timing
    if line.route_id:
        dosage["route"] = {"text": line.route.name}
    if line.dose is not None:
        unit = line.dose_unit.name if line.dose_unit_id else None
        dosage["doseAndRate"] = [{"doseQuantity": quantity(line.dose, unit)}]
    resource["dosageInstruction"] = [dosage]
    resource["dispenseRequest"] = _dispense_request(line)
    return resource


def _dosage_text(line) -> str:
    parts = []
    if line.dose is not None:
        unit = line.dose_unit.name if line.dose_unit_id else ""
        parts.append(f"{number(line.dose)} {unit}".strip())
    if line.frequency_every and line.frequency_unit:
        parts.append(f"cada {line.frequency_every} {TimeUnit(line.frequency_unit).label}")
    if line.duration_amount and line.duration_unit:
        parts.append(f"durante {line.duration_amount} {TimeUnit(line.duration_unit).label}")
    return ", ".join(parts) or line.key


def service_request(line) -> dict:
    resource = _clinical(line, _common(line, "ServiceRequest"))
    if line.technology_type == TechnologyType.PROCEDIMIENTO:
        resource["code"] = concept(CUPS, line.procedure.code, line.procedure.name)
        resource["category"] = [{"text": "Procedimiento"}]
    else:
        service = line.complementary_service
        resource["code"] = concept(SERVICE, service.code, service.name)
        resource["category"] = [{"text": "Servicio complementario"}]
    resource["quantityQuantity"] = quantity(line.total_quantity)
    timing = _timing(line)
    if timing:
        resource["occurrenceTiming"] = timing
    return resource


def device_request(line) -> dict:
    resource = _clinical(line, _common(line, "DeviceRequest"))
    resource["codeCodeableConcept"] = concept(
        DEVICE_TYPE, line.device_type.code, line.device_type.name
    )
    resource["parameter"] = [
        {"code": {"text": "cantidad total"}, "valueQuantity": quantity(line.total_quantity)}
    ]
    timing = _timing(line)
    if timing:
        resource["occurrenceTiming"] = timing
    return resource


def nutrition_order(line) -> dict:
    prescription = line.prescription
    resource = _common(line, "NutritionOrder")
    resource["patient"] = patient_ref(prescription.patient)
    resource["dateTime"] = instant(prescription.prescribed_at)
    resource["orderer"] = practitioner_ref(prescription.prescriber)
    base = concept(NUTRITION_TYPE, line.nutritional_type.code, line.nutritional_type.name)
    formula = {"baseFormulaType": base}
    if line.nutritional_product_id:
        product = line.nutritional_product
        base["coding"].append({"system": NUTRITION, "code": product.code, "display": product.name})
        formula["baseFormulaProductName"] = product.name
    if line.nutritional_route:
        formula["routeofAdministration"] = {
            "text": str(NutritionalRoute(line.nutritional_route).label)
        }
    administration = {"quantity": quantity(line.total_quantity)}
    timing = _timing(line)
    if timing:
        administration["schedule"] = timing
    formula["administration"] = [administration]
    formula["administrationInstruction"] = _dosage_text(line)
    resource["enteralFormula"] = formula
    resource["note"] = [{"text": line.justification}]
    return resource


MAPPERS = {
    "MedicationRequest": medication_request,
    "ServiceRequest": service_request,
    "DeviceRequest": device_request,
    "NutritionOrder": nutrition_order,
}


def line_resource(line) -> dict:
    return MAPPERS[RESOURCE_OF_TYPE[line.technology_type]](line)
