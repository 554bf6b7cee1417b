"""The supply chain as resources: a direccionamiento, a no direccionamiento and a
programación are Tasks on the prescribed line; an entrega is a MedicationDispense
(medicines) or a SupplyDelivery (the other types); a facturación is a ChargeItem (the
provider's billed units and value of one delivery: ChargeItem describes exactly that,
while Claim is an adjudication request whose mandatory insurance, priority and provider
elements MIPRES does not carry — docs/fhir.md)."""

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
    entity_ref,
    instant,
    number,
    patient_ref,
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


def task_id(kind: str, pk: int) -> str:
    return f"{ID_PREFIX[kind]}-{pk}"


def _deliverable_identifier(deliverable) -> dict:
    return {"system": DELIVERABLE_SYSTEM, "value": str(deliverable.pk)}


def _task(kind: str, step, line, patient) -> dict:
    return {
        "resourceType": "Task",
        "id": task_id(kind, step.pk),
        "intent": "order",
        "code": concept(STEP, kind, STEP_LABELS[kind]),
        "focus": line_ref(line),
        "for": patient_ref(patient),
        "authoredOn": instant(step.created_at),
        "lastModified": instant(step.annulled_at or step.created_at),
        "requester": entity_ref(step.entity),
    }


def direccionamiento_task(d) -> dict:
    deliverable = d.deliverable
    task = _task("direccionamiento", d, deliverable.line, deliverable.prescription.patient)
    task["identifier"] = [_deliverable_identifier(deliverable)]
    task["status"] = TASK_STATUS["direccionamiento"][d.status]
    task["owner"] = entity_ref(d.provider)
    task["restriction"] = {"period": {"end": day(d.max_delivery_date)}}
    task["input"] = [
        {
            "type": {"text": "CantTotAEntregar"},
            "valueQuantity": quantity(d.quantity),
        },
        {
            "type": {"text": "CodSerTecAEntregar"},
            "valueCodeableConcept": concept(TECH_CODE_SYSTEM, d.technology_code),
        },
        {"type": {"text": "NoEntrega"}, "valuePositiveInt": deliverable.delivery_number},
    ]
    return task


def no_direccionamiento_task(n) -> dict:
    task = _task("no-direccionamiento", n, n.line, n.prescription.patient)
    task["status"] = "cancelled" if n.status == StepStatus.ANULADO else "rejected"
    task["statusReason"] = concept(CAUSE, n.cause.code, n.cause.name)
    return task


def programacion_task(p) -> dict:
    deliverable = p.deliverable
    task = _task("programacion", p, deliverable.line, deliverable.prescription.patient)
    task["identifier"] = [_deliverable_identifier(deliverable)]
    task["status"] = TASK_STATUS["programacion"][p.status]
    task["owner"] = entity_ref(p.entity)
    task["location"] = ref("Location", p.sede.external_id, p.sede.name)
    task["partOf"] = [ref("Task", task_id("direccionamiento", p.direccionamiento_id))]
    task["restriction"] = {"period": {"end": day(p.max_delivery_date)}}
    task["input"] = [
        {"type": {"text": "CantTotAEntregar"}, "valueQuantity": quantity(p.quantity)},
    ]
    return task


def entrega_id(entrega) -> str:
    return f"ent-{entrega.pk}"


def entrega_resource_type(entrega) -> str:
    is_medicine = entrega.deliverable.line.technology_type == TechnologyType.MEDICAMENTO
    return "MedicationDispense" if is_medicine else "SupplyDelivery"


def _receiver_note(entrega) -> str:
    return (
        f"Recibió {entrega.receiver_document_type} {entrega.receiver_document_number}"
        f"{'' if entrega.total else ' (entrega parcial)'}"
    )


def medication_dispense(entrega) -> dict:
    deliverable = entrega.deliverable
    resource = {
        "resourceType": "MedicationDispense",
        "id": entrega_id(entrega),
        "identifier": [_deliverable_identifier(deliverable)],
        "status": "entered-in-error" if entrega.status == StepStatus.ANULADO else "completed",
        "medicationCodeableConcept": {
            "coding": [coding(TECH_CODE_SYSTEM, entrega.technology_code)],
            "text": entrega.technology_code,
        },
        "subject": patient_ref(deliverable.prescription.patient),
        "performer": [{"actor": entity_ref(entrega.entity)}],
        "authorizingPrescription": [line_ref(deliverable.line)],
        "type": concept(
            "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "FFC" if entrega.total else "FFP",
            "Entrega total" if entrega.total else "Entrega parcial",
        ),
        "quantity": quantity(entrega.quantity),
        "whenHandedOver": day(entrega.delivered_on),
        "note": [{"text": _receiver_note(entrega)}],
    }
    if entrega.batch:
        resource["extension"] = [{"url": f"{EXT}/lote", "valueString": entrega.batch}]
    if entrega.sede_id:
        resource["location"] = ref("Location", entrega.sede.external_id, entrega.sede.name)
    if entrega.cause_id:
        resource["substitution"] = {
            "wasSubstituted": False,
            "reason": [concept(CAUSE, entrega.cause.code, entrega.cause.name)],
        }
    return resource


def supply_delivery(entrega) -> dict:
    deliverable = entrega.deliverable
    resource = {
        "resourceType": "SupplyDelivery",
        "id": entrega_id(entrega),
        "identifier": [_deliverable_identifier(deliverable)],
        "basedOn": [line_ref(deliverable.line)],
        "status": "abandoned" if entrega.status == StepStatus.ANULADO else "completed",
        "patient": patient_ref(deliverable.prescription.patient),
        "suppliedItem": {
            "quantity": quantity(entrega.quantity),
            "itemCodeableConcept": concept(TECH_CODE_SYSTEM, entrega.technology_code),
        },
        "occurrenceDateTime": day(entrega.delivered_on),
        "supplier": entity_ref(entrega.entity),
    }
    if entrega.sede_id:
        resource["destination"] = ref("Location", entrega.sede.external_id, entrega.sede.name)
    return resource


def entrega_resource(entrega) -> dict:
    if entrega_resource_type(entrega) == "MedicationDispense":
        return medication_dispense(entrega)
    return supply_delivery(entrega)


def charge_item(f) -> dict:
    deliverable = f.deliverable
    entrega = f.entrega
    return {
        "resourceType": "ChargeItem",
        "id": f"fac-{f.pk}",
        "identifier": [{"system": INVOICE_SYSTEM, "value": f.invoice_number}],
        "status": "entered-in-error" if f.status == StepStatus.ANULADO else "billable",
        "code": concept(TECH_CODE_SYSTEM, f.technology_code),
        "subject": patient_ref(deliverable.prescription.patient),
        "occurrenceDateTime": day(entrega.delivered_on),
        "performingOrganization": entity_ref(f.entity),
        "requestingOrganization": entity_ref(deliverable.payer),
        "quantity": {"value": number(f.units)},
        "priceOverride": {"value": number(f.total_value), "currency": "COP"},
        "enteredDate": instant(f.created_at),
        "service": [ref(entrega_resource_type(entrega), entrega_id(entrega))],
        "note": [{"text": f"Valor unitario {number(f.unit_value)} COP"}],
    }
