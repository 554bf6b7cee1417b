"""The supply chain as resources: a direccionamiento, a no direccionamiento and a
programación are Tasks on the prescribed line; an entrega is a MedicationDispense
(medicines) or a SupplyDelivery (the other types); a facturación is a ChargeItem (the
provider's billed units and value of one delivery: ChargeItem describes exactly that,
while Claim is an adjudication request whose mandatory insurance, priority and provider
elements MIPRES does not carry — docs/fhir.md).

A step arrives as a flat row (`fhir_api.rows.values`): a dict of the fields its kind's
*_FIELDS name, read in one query with the line, patient, entities and sede it names."""

from prescriptions.enums import TechnologyType
from supply.models import StepStatus

from .common import (
    CAUSE,
    DELIVERABLE_SYSTEM,
    EXT,
    INVOICE_SYSTEM,
    STEP,
    TECH_CODE_SYSTEM,
    coding,
    concept,
    day,
    instant,
    name_parts,
    number,
    quantity,
    ref,
)
from .requests import line_ref

# A Task's status from the step's: activo waits for the next step, procesado has it.
TASK_STATUS = {
    "direccionamiento": {
        StepStatus.ACTIVO: "ready",
        StepStatus.PROCESADO: "completed",
        StepStatus.ANULADO: "cancelled",
    },
    "programacion": {
        StepStatus.ACTIVO: "in-progress",
        StepStatus.PROCESADO: "completed",
        StepStatus.ANULADO: "cancelled",
    },
}
STEP_LABELS = {
    "direccionamiento": "Direccionamiento",
    "no-direccionamiento": "No direccionamiento",
    "programacion": "Programación",
}
ID_PREFIX = {
    "direccionamiento": "dir",
    "no-direccionamiento": "nodir",
    "programacion": "prog",
}


# What every step row carries (name → path from its model); a tuple is a person's name.
STEP_FIELDS = {
    "pk": "pk",
    "status": "status",
    "created_at": "created_at",
    "annulled_at": "annulled_at",
    "entity_id": "entity__external_id",
    "entity_name": "entity__name",
}
_CHAIN_FIELDS = {
    "deliverable": "deliverable_id",
    "line_type": "deliverable__line__technology_type",
    "line_order": "deliverable__line__order",
    "number": "deliverable__line__prescription__number",
    "patient_id": "deliverable__prescription__patient__external_id",
    "patient_name": name_parts("deliverable__prescription__patient__"),
}
DIRECCIONAMIENTO_FIELDS = {
    **STEP_FIELDS,
    **_CHAIN_FIELDS,
    "provider_pk": "provider_id",
    "provider_id": "provider__external_id",
    "provider_name": "provider__name",
    "max_delivery_date": "max_delivery_date",
    "quantity": "quantity",
    "technology_code": "technology_code",
    "delivery_number": "deliverable__delivery_number",
}
NO_DIRECCIONAMIENTO_FIELDS = {
    **STEP_FIELDS,
    "line_type": "line__technology_type",
    "line_order": "line__order",
    "number": "line__prescription__number",
    "patient_id": "prescription__patient__external_id",
    "patient_name": name_parts("prescription__patient__"),
    "cause_code": "cause__code",
    "cause_name": "cause__name",
}
PROGRAMACION_FIELDS = {
    **STEP_FIELDS,
    **_CHAIN_FIELDS,
    "sede_pk": "sede_id",
    "sede_id": "sede__external_id",
    "sede_name": "sede__name",
    "direccionamiento": "direccionamiento_id",
    "max_delivery_date": "max_delivery_date",
    "quantity": "quantity",
}
ENTREGA_FIELDS = {
    **STEP_FIELDS,
    **_CHAIN_FIELDS,
    "technology_code": "technology_code",
    "quantity": "quantity",
    "total": "total",
    "delivered_on": "delivered_on",
    "batch": "batch",
    "receiver_document_type": "receiver_document_type",
    "receiver_document_number": "receiver_document_number",
    "sede_pk": "sede_id",
    "sede_id": "sede__external_id",
    "sede_name": "sede__name",
    "cause_code": "cause__code",
    "cause_name": "cause__name",
}
FACTURACION_FIELDS = {
    **STEP_FIELDS,
    "line_type": "deliverable__line__technology_type",
    "patient_id": "deliverable__prescription__patient__external_id",
    "patient_name": name_parts("deliverable__prescription__patient__"),
    "payer_id": "deliverable__payer__external_id",
    "payer_name": "deliverable__payer__name",
    "invoice_number": "invoice_number",
    "technology_code": "technology_code",
    "units": "units",
    "unit_value": "unit_value",
    "total_value": "total_value",
    "entrega": "entrega_id",
    "delivered_on": "entrega__delivered_on",
}


def task_id(kind: str, pk: int) -> str:
    return f"{ID_PREFIX[kind]}-{pk}"


def _organization(row: dict, prefix: str) -> dict:
    return ref("Organization", row[f"{prefix}_id"], row[f"{prefix}_name"])


def _patient(row: dict) -> dict:
    return ref("Patient", row["patient_id"], row["patient_name"])


def _deliverable_identifier(row: dict) -> dict:
    return {"system": DELIVERABLE_SYSTEM, "value": str(row["deliverable"])}


def _task(kind: str, row: dict) -> dict:
    return {
        "resourceType": "Task",
        "id": task_id(kind, row["pk"]),
        "intent": "order",
        "code": concept(STEP, kind, STEP_LABELS[kind]),
        "focus": line_ref(row["line_type"], row["number"], row["line_order"]),
        "for": _patient(row),
        "authoredOn": instant(row["created_at"]),
        "lastModified": instant(row["annulled_at"] or row["created_at"]),
        "requester": _organization(row, "entity"),
    }


def direccionamiento_task(d: dict) -> dict:
    task = _task("direccionamiento", d)
    task["identifier"] = [_deliverable_identifier(d)]
    task["status"] = TASK_STATUS["direccionamiento"][d["status"]]
    task["owner"] = _organization(d, "provider")
    task["restriction"] = {"period": {"end": day(d["max_delivery_date"])}}
    task["input"] = [
        {
            "type": {"text": "CantTotAEntregar"},
            "valueQuantity": quantity(d["quantity"]),
        },
        {
            "type": {"text": "CodSerTecAEntregar"},
            "valueCodeableConcept": concept(TECH_CODE_SYSTEM, d["technology_code"]),
        },
        {"type": {"text": "NoEntrega"}, "valuePositiveInt": d["delivery_number"]},
    ]
    return task


def no_direccionamiento_task(n: dict) -> dict:
    task = _task("no-direccionamiento", n)
    task["status"] = "cancelled" if n["status"] == StepStatus.ANULADO else "rejected"
    task["statusReason"] = concept(CAUSE, n["cause_code"], n["cause_name"])
    return task


def programacion_task(p: dict) -> dict:
    task = _task("programacion", p)
    task["identifier"] = [_deliverable_identifier(p)]
    task["status"] = TASK_STATUS["programacion"][p["status"]]
    task["owner"] = _organization(p, "entity")
    task["location"] = ref("Location", p["sede_id"], p["sede_name"])
    task["partOf"] = [ref("Task", task_id("direccionamiento", p["direccionamiento"]))]
    task["restriction"] = {"period": {"end": day(p["max_delivery_date"])}}
    task["input"] = [
        {"type": {"text": "CantTotAEntregar"}, "valueQuantity": quantity(p["quantity"])},
    ]
    return task


def entrega_id(pk: int) -> str:
    return f"ent-{pk}"


def entrega_resource_type(technology_type: str) -> str:
    is_medicine = technology_type == TechnologyType.MEDICAMENTO
    return "MedicationDispense" if is_medicine else "SupplyDelivery"


def _receiver_note(entrega: dict) -> str:
    return (
        f"Recibió {entrega['receiver_document_type']} {entrega['receiver_document_number']}"
        f"{'' if entrega['total'] else ' (entrega parcial)'}"
    )


def medication_dispense(entrega: dict) -> dict:
    resource = {
        "resourceType": "MedicationDispense",
        "id": entrega_id(entrega["pk"]),
        "identifier": [_deliverable_identifier(entrega)],
        "status": "entered-in-error" if entrega["status"] == StepStatus.ANULADO else "completed",
        "medicationCodeableConcept": {
            "coding": [coding(TECH_CODE_SYSTEM, entrega["technology_code"])],
            "text": entrega["technology_code"],
        },
        "subject": _patient(entrega),
        "performer": [{"actor": _organization(entrega, "entity")}],
        "authorizingPrescription": [
            line_ref(entrega["line_type"], entrega["number"], entrega["line_order"])
        ],
        "type": concept(
            "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "FFC" if entrega["total"] else "FFP",
            "Entrega total" if entrega["total"] else "Entrega parcial",
        ),
        "quantity": quantity(entrega["quantity"]),
        "whenHandedOver": day(entrega["delivered_on"]),
        "note": [{"text": _receiver_note(entrega)}],
    }
    if entrega["batch"]:
        resource["extension"] = [{"url": f"{EXT}/lote", "valueString": entrega["batch"]}]
    if entrega["sede_pk"]:
        resource["location"] = ref("Location", entrega["sede_id"], entrega["sede_name"])
    if entrega["cause_code"] is not None:
        resource["substitution"] = {
            "wasSubstituted": False,
            "reason": [concept(CAUSE, entrega["cause_code"], entrega["cause_name"])],
        }
    return resource


def supply_delivery(entrega: dict) -> dict:
    resource = {
        "resourceType": "SupplyDelivery",
        "id": entrega_id(entrega["pk"]),
        "identifier": [_deliverable_identifier(entrega)],
        "basedOn": [line_ref(entrega["line_type"], entrega["number"], entrega["line_order"])],
        "status": "abandoned" if entrega["status"] == StepStatus.ANULADO else "completed",
        "patient": _patient(entrega),
        "suppliedItem": {
            "quantity": quantity(entrega["quantity"]),
            "itemCodeableConcept": concept(TECH_CODE_SYSTEM, entrega["technology_code"]),
        },
        "occurrenceDateTime": day(entrega["delivered_on"]),
        "supplier": _organization(entrega, "entity"),
    }
    if entrega["sede_pk"]:
        resource["destination"] = ref("Location", entrega["sede_id"], entrega["sede_name"])
    return resource


def entrega_resource(entrega: dict) -> dict:
    if entrega_resource_type(entrega["line_type"]) == "MedicationDispense":
        return medication_dispense(entrega)
    return supply_delivery(entrega)


def charge_item(f: dict) -> dict:
    return {
        "resourceType": "ChargeItem",
        "id": f"fac-{f['pk']}",
        "identifier": [{"system": INVOICE_SYSTEM, "value": f["invoice_number"]}],
        "status": "entered-in-error" if f["status"] == StepStatus.ANULADO else "billable",
        "code": concept(TECH_CODE_SYSTEM, f["technology_code"]),
        "subject": _patient(f),
        "occurrenceDateTime": day(f["delivered_on"]),
        "performingOrganization": _organization(f, "entity"),
        "requestingOrganization": _organization(f, "payer"),
        "quantity": {"value": number(f["units"])},
        "priceOverride": {"value": number(f["total_value"]), "currency": "COP"},
        "enteredDate": instant(f["created_at"]),
        "service": [ref(entrega_resource_type(f["line_type"]), entrega_id(f["entrega"]))],
        "note": [{"text": f"Valor unitario {number(f['unit_value'])} COP"}],
    }
