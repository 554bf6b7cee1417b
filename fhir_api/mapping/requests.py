"""A prescription's technology lines as request resources: medicamento → MedicationRequest,
procedimiento and servicio complementario → ServiceRequest, dispositivo → DeviceRequest,
producto nutricional → NutritionOrder. Every line of one prescription shares
`groupIdentifier` = NoPrescripcion (NutritionOrder has no groupIdentifier in R4: it carries
the number as an identifier).

A line arrives as a flat row of the RequestLine view (`fhir_api.rows.line_rows`): a dict
of the line's, its prescription's, patient's, prescriber's and catalogs' fields, keyed as
LINE_FIELDS and TYPE_FIELDS name them, its active ingredients a list of dicts, and the
label of each choice field under "<field>_label" (LABELS)."""

from prescriptions.enums import (
    CareSetting,
    JuntaStatus,
    NutritionalRoute,
    PrescriptionStatus,
    SupplyType,
    TechnologyType,
    TimeUnit,
)

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
    quantity,
    ref,
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


# The fields every line resource reads (name → field of fhir_api.models.RequestLine), and
# those of each resource type.
LINE_FIELDS = {
    "pk": "pk",
    "type": "technology_type",
    "order": "order",
    "supply_type": "supply_type",
    "junta_status": "junta_status",
    "justification": "justification",
    "total_quantity": "total_quantity",
    "frequency_every": "frequency_every",
    "frequency_unit": "frequency_unit",
    "duration_amount": "duration_amount",
    "duration_unit": "duration_unit",
    "number": "number",
    "status": "status",
    "care_setting": "care_setting",
    "prescribed_at": "prescribed_at",
    "patient_pk": "patient_pk",
    "patient_id": "patient_id",
    "patient_name": "patient_name",
    "prescriber_pk": "prescriber_pk",
    "prescriber_id": "prescriber_id",
    "prescriber_name": "prescriber_name",
    "registration": "registration",
    "diagnosis_code": "diagnosis_code",
    "diagnosis_name": "diagnosis_name",
}
TYPE_FIELDS = {
    "MedicationRequest": {
        "description": "description",
        "dose": "dose",
        "dose_unit": "dose_unit",
        "route": "route",
        "presentation_unit": "presentation_unit",
        "ingredients": "ingredients",
    },
    "ServiceRequest": {
        "procedure_code": "procedure_code",
        "procedure_name": "procedure_name",
        "service_code": "service_code",
        "service_name": "service_name",
    },
    "DeviceRequest": {"device_code": "device_code", "device_name": "device_name"},
    "NutritionOrder": {
        "nutrition_type_code": "nutrition_type_code",
        "nutrition_type_name": "nutrition_type_name",
        "product_code": "product_code",
        "product_name": "product_name",
        "nutritional_route": "nutritional_route",
    },
}
ALL_TYPE_FIELDS = {name: path for fields in TYPE_FIELDS.values() for name, path in fields.items()}
# The choice fields whose label a resource shows: `line_rows` adds "<field>_label".
LABELS = {
    "junta_status": JuntaStatus,
    "care_setting": CareSetting,
    "frequency_unit": TimeUnit,
    "duration_unit": TimeUnit,
    "nutritional_route": NutritionalRoute,
}


def line_id(line: dict) -> str:
    """`{NoPrescripcion}-{TipoTec}{ConOrden}`: stable, readable, unique."""
    return f"{line['number']}-{line['type']}{line['order']}"


def line_ref(technology_type: str, number: str, order: int) -> dict:
    resource_type = RESOURCE_OF_TYPE[technology_type]
    return {"reference": f"{resource_type}/{number}-{technology_type}{order}"}


def request_status(line: dict) -> str:
    cancelled = line["status"] == PrescriptionStatus.ANULADA
    if line["type"] == TechnologyType.MEDICAMENTO:
        return "cancelled" if cancelled else "active"
    return "revoked" if cancelled else "active"


def _extensions(line: dict) -> list[dict]:
    return [
        {
            "url": f"{EXT}/estado-junta",
            "valueCoding": {
                "system": JUNTA,
                "code": str(line["junta_status"]),
                "display": line["junta_status_label"],
            },
        },
        {
            "url": f"{EXT}/ambito-atencion",
            "valueCoding": {
                "system": CARE_SETTING,
                "code": str(line["care_setting"]),
                "display": line["care_setting_label"],
            },
        },
        {
            "url": f"{EXT}/tipo-prestacion",
            "valueCode": "sucesiva" if line["supply_type"] == SupplyType.SUCESIVA else "unica",
        },
    ]


def _common(line: dict, resource_type: str) -> dict:
    key = line_id(line)
    resource = {
        "resourceType": resource_type,
        "id": key,
        "extension": _extensions(line),
        "identifier": [{"system": f"{PRESCRIPTION_SYSTEM}/linea", "value": key}],
        "status": request_status(line),
        "intent": "order",
    }
    group = {"system": PRESCRIPTION_SYSTEM, "value": line["number"]}
    if resource_type in ("MedicationRequest", "DeviceRequest"):
        resource["groupIdentifier"] = group
    elif resource_type == "ServiceRequest":
        resource["requisition"] = group  # ServiceRequest's name for the group identifier
    else:
        resource["identifier"].append(group)
    return resource


def _patient(line: dict) -> dict:
    return ref("Patient", line["patient_id"], line["patient_name"])


def _prescriber(line: dict) -> dict:
    return ref("Practitioner", line["prescriber_id"], line["prescriber_name"])


def _clinical(line: dict, resource: dict) -> dict:
    """subject, authoredOn, requester, reasonCode and the justification (JustNoPBS)."""
    resource["subject"] = _patient(line)
    resource["authoredOn"] = instant(line["prescribed_at"])
    resource["requester"] = _prescriber(line)
    resource["reasonCode"] = [concept(CIE10, line["diagnosis_code"], line["diagnosis_name"])]
    resource["note"] = [{"text": line["justification"]}]
    return resource


def _timing(line: dict) -> dict | None:
    unit = UCUM_TIME.get(line["frequency_unit"])
    if not (line["frequency_every"] and unit):
        return None
    repeat = {"frequency": 1, "period": line["frequency_every"], "periodUnit": unit}
    duration_unit = UCUM_TIME.get(line["duration_unit"])
    if line["duration_amount"] and duration_unit:
        repeat["boundsDuration"] = {
            "value": line["duration_amount"],
            "unit": duration_unit,
            "system": "http://unitsofmeasure.org",
            "code": duration_unit,
        }
    return {"repeat": repeat}


def _dispense_request(line: dict) -> dict:
    request = {"quantity": quantity(line["total_quantity"], line["presentation_unit"])}
    days = DAYS_OF_UNIT.get(line["duration_unit"])
    if line["duration_amount"] and days:
        total_days = line["duration_amount"] * days
        request["expectedSupplyDuration"] = {
            "value": total_days,
            "unit": "d",
            "system": "http://unitsofmeasure.org",
            "code": "d",
        }
        if line["supply_type"] == SupplyType.SUCESIVA and total_days > 30:
            # Successive supplies are delivered month by month (NoEntrega 1, 2, …).
            request["dispenseInterval"] = {
                "value": 30,
                "unit": "d",
                "system": "http://unitsofmeasure.org",
                "code": "d",
            }
            request["numberOfRepeatsAllowed"] = -(-total_days // 30) - 1
    return request


def medication_request(line: dict) -> dict:
    resource = _clinical(line, _common(line, "MedicationRequest"))
    ingredients = line["ingredients"]
    text = line["description"] or " + ".join(
        f"{i['name']} {number(i['concentration'])} {i['unit']}" for i in ingredients
    )
    resource["medicationCodeableConcept"] = {
        "coding": [{"system": DCI, "code": i["code"], "display": i["name"]} for i in ingredients],
        "text": text or f"{line['type']}{line['order']}",
    }
    dosage = {"text": _dosage_text(line)}
    timing = _timing(line)
    if timing:
        dosage["timing"] = timing
    if line["route"]:
        dosage["route"] = {"text": line["route"]}
    if line["dose"] is not None:
        dosage["doseAndRate"] = [{"doseQuantity": quantity(line["dose"], line["dose_unit"])}]
    resource["dosageInstruction"] = [dosage]
    resource["dispenseRequest"] = _dispense_request(line)
    return resource


def _dosage_text(line: dict) -> str:
    parts = []
    if line.get("dose") is not None:
        parts.append(f"{number(line['dose'])} {line['dose_unit'] or ''}".strip())
    if line["frequency_every"] and line["frequency_unit"]:
        parts.append(f"cada {line['frequency_every']} {line['frequency_unit_label']}")
    if line["duration_amount"] and line["duration_unit"]:
        parts.append(f"durante {line['duration_amount']} {line['duration_unit_label']}")
    return ", ".join(parts) or f"{line['type']}{line['order']}"


def service_request(line: dict) -> dict:
    resource = _clinical(line, _common(line, "ServiceRequest"))
    if line["type"] == TechnologyType.PROCEDIMIENTO:
        resource["code"] = concept(CUPS, line["procedure_code"], line["procedure_name"])
        resource["category"] = [{"text": "Procedimiento"}]
    else:
        resource["code"] = concept(SERVICE, line["service_code"], line["service_name"])
        resource["category"] = [{"text": "Servicio complementario"}]
    resource["quantityQuantity"] = quantity(line["total_quantity"])
    timing = _timing(line)
    if timing:
        resource["occurrenceTiming"] = timing
    return resource


def device_request(line: dict) -> dict:
    resource = _clinical(line, _common(line, "DeviceRequest"))
    resource["codeCodeableConcept"] = concept(DEVICE_TYPE, line["device_code"], line["device_name"])
    resource["parameter"] = [
        {"code": {"text": "cantidad total"}, "valueQuantity": quantity(line["total_quantity"])}
    ]
    timing = _timing(line)
    if timing:
        resource["occurrenceTiming"] = timing
    return resource


def nutrition_order(line: dict) -> dict:
    resource = _common(line, "NutritionOrder")
    resource["patient"] = _patient(line)
    resource["dateTime"] = instant(line["prescribed_at"])
    resource["orderer"] = _prescriber(line)
    base = concept(NUTRITION_TYPE, line["nutrition_type_code"], line["nutrition_type_name"])
    formula = {"baseFormulaType": base}
    if line["product_code"]:
        base["coding"].append(
            {"system": NUTRITION, "code": line["product_code"], "display": line["product_name"]}
        )
        formula["baseFormulaProductName"] = line["product_name"]
    if line["nutritional_route"]:
        formula["routeofAdministration"] = {"text": line["nutritional_route_label"]}
    administration = {"quantity": quantity(line["total_quantity"])}
    timing = _timing(line)
    if timing:
        administration["schedule"] = timing
    formula["administration"] = [administration]
    formula["administrationInstruction"] = _dosage_text(line)
    resource["enteralFormula"] = formula
    resource["note"] = [{"text": line["justification"]}]
    return resource


MAPPERS = {
    "MedicationRequest": medication_request,
    "ServiceRequest": service_request,
    "DeviceRequest": device_request,
    "NutritionOrder": nutrition_order,
}


def line_resource(line: dict) -> dict:
    return MAPPERS[RESOURCE_OF_TYPE[line["type"]]](line)
