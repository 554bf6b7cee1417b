"""What the supply services share: permission names, locking, quantities and messages.

Locking order, the same in every service so two requests never wait on each other in a
circle: the prescription, then the line, then the deliverable, then the step rows. Steps
of one deliverable are serialised by the deliverable's row lock; direccionamientos and
entregas en ámbito of one line by the line's (they change how much of it is assigned).
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from entities import audit
from mipres.lib.errors import DomainError
from prescriptions.enums import JuntaStatus, PrescriptionStatus, TechnologyType
from prescriptions.models import NonDeliveryCause, Prescription, TechnologyLine

from ..models import IN_FORCE, Deliverable, Direccionamiento, Entrega, StepStatus

DIRECT = "supply.direct"
NO_DIRECT = "supply.no_direct"
SUMINISTRO = "supply.suministro"
DATOS_FACTURADOS = "supply.datos_facturados"
PROGRAM = "supply.program"
REPORT = "supply.report"
INVOICE = "supply.invoice"
DISPENSE = "supply.dispense"

ERRORS = {
    "not_payer": _("La prescripción %(number)s no está a cargo de su entidad."),
    "tutela_line": _("Las tecnologías de una tutela no se direccionan desde este módulo."),
    "annulled": _("La prescripción %(number)s está anulada: no tiene suministro."),
    "junta_pending": _(
        "La tecnología %(line)s está pendiente de la Junta de Profesionales: no se puede "
        "direccionar hasta que la junta la apruebe."
    ),
    "junta_rejected": _(
        "La Junta de Profesionales no aprobó la tecnología %(line)s: no se direcciona."
    ),
    "no_direccionada": _(
        "La tecnología %(line)s tiene un no direccionamiento activo (causa %(cause)s)."
    ),
    "covered": _(
        "La tecnología %(line)s se entrega con el procedimiento %(procedure)s: no se "
        "direcciona ni se reporta por separado."
    ),
    "over_total": _(
        "La cantidad supera lo prescrito: de %(total)s quedan %(remaining)s por asignar y se "
        "piden %(requested)s."
    ),
    "quantity_positive": _("La cantidad debe ser mayor que cero."),
    "reason": _("Indique el motivo de la anulación."),
    "cause_required": _("Elija la causa."),
    "cause_not_for_type": _("La causa %(cause)s no aplica a %(type)s."),
    "cause_not_for_use": _("La causa %(cause)s no justifica %(use)s."),
    "associated_required": _(
        "La causa %(cause)s exige la prescripción asociada y el consecutivo de su tecnología."
    ),
    "associated_unknown": _(
        "No existe la tecnología %(type)s%(order)s en la prescripción %(number)s del mismo "
        "paciente."
    ),
    "duplicate": _("Ya existe %(what)s activo para esta entrega: la solicitud no se repitió."),
    "step_annulled": _("%(what)s %(id)s está anulado."),
    "step_processed": _("%(what)s %(id)s ya fue procesado por el paso siguiente (%(next)s)."),
}


def run_atomic(fn, *, what: str):
    """Run `fn` in one transaction; a partial unique index refusing the write (a twin
    request that got past the locks) becomes the "ya existe" refusal."""
    try:
        with transaction.atomic():
            return fn()
    except IntegrityError as error:
        if "one_in_force" in str(error) or "deliverable_key_unique" in str(error):
            raise DomainError(ERRORS["duplicate"] % {"what": what}, code="duplicate") from None
        raise


def lock_line(line: TechnologyLine) -> tuple[Prescription, TechnologyLine]:
    """Lock the prescription, then the line (the order junta and annulment use too)."""
    prescription = Prescription.objects.select_for_update().filter(pk=line.prescription_id).first()
    line = TechnologyLine.objects.select_for_update().get(pk=line.pk)
    if prescription is None:
        raise DomainError(ERRORS["tutela_line"], code="tutela_line")
    line.prescription = prescription
    return prescription, line


def lock_deliverable(deliverable_id: int) -> Deliverable:
    """Lock the deliverable's prescription, line and the deliverable, in that order, with
    one statement (PostgreSQL takes the row locks of FOR UPDATE OF in the list's order)."""
    return (
        Deliverable.objects.select_related("line", "prescription")
        .select_for_update(of=("prescription", "line", "self"))
        .get(pk=deliverable_id)
    )


def lock_step(model, pk: int):
    """Lock the step `pk` of `model` (a record of a deliverable) after its prescription,
    line and deliverable, in the documented order, with one statement: the step comes back
    with its deliverable and the deliverable's line and prescription loaded."""
    return (
        model.objects.select_related("deliverable__line", "deliverable__prescription")
        .select_for_update(
            of=("deliverable__prescription", "deliverable__line", "deliverable", "self")
        )
        .get(pk=pk)
    )


def check_payer(prescription: Prescription, entity) -> None:
    if prescription.payer_id != entity.pk:
        raise DomainError(ERRORS["not_payer"] % {"number": prescription.number}, code="other_payer")


def check_prescription_active(prescription: Prescription) -> None:
    if prescription.status != PrescriptionStatus.ACTIVA:
        raise DomainError(ERRORS["annulled"] % {"number": prescription.number}, code="annulled")


def check_junta(line: TechnologyLine) -> None:
    if line.junta_status == JuntaStatus.PENDIENTE:
        raise DomainError(ERRORS["junta_pending"] % {"line": line.key}, code="junta_pending")
    if line.junta_status == JuntaStatus.NO_APROBADA:
        raise DomainError(ERRORS["junta_rejected"] % {"line": line.key}, code="junta_rejected")


def check_not_covered(line: TechnologyLine) -> None:
    supply = line.procedure_supplies.filter(status__in=IN_FORCE).select_related("procedure_line")
    supply = supply.first()
    if supply is not None:
        raise DomainError(
            ERRORS["covered"] % {"line": line.key, "procedure": supply.procedure_line.key},
            code="covered_by_procedure",
        )


def assigned_quantity(line: TechnologyLine) -> Decimal:
    """How much of the line is assigned: its direccionamientos in force plus its entregas
    en ámbito in force (which have no direccionamiento), less what their partial entregas in
    force left undelivered: the payer may direct that remainder again (issue 17 §23)."""
    directed = Direccionamiento.objects.filter(
        deliverable__line=line, status__in=IN_FORCE
    ).aggregate(total=Sum("quantity"))["total"]
    entregas = Entrega.objects.filter(deliverable__line=line, status__in=IN_FORCE).aggregate(
        ambito=Sum("quantity", filter=Q(in_ambito=True)),
        undelivered=Sum("pending_quantity", filter=Q(in_ambito=False, total=False)),
    )
    zero = Decimal(0)
    return (directed or zero) + (entregas["ambito"] or zero) - (entregas["undelivered"] or zero)


def check_quantity(line: TechnologyLine, requested: Decimal, *, field: str = "quantity") -> None:
    remaining = line.total_quantity - assigned_quantity(line)
    if requested > remaining:
        raise DomainError(
            ERRORS["over_total"]
            % {
                "total": number_text(line.total_quantity),
                "remaining": number_text(max(remaining, Decimal(0))),
                "requested": number_text(requested),
            },
            field=field,
            code="over_total",
        )


def number_text(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_cause(
    cause: NonDeliveryCause | None,
    technology_type: str,
    *,
    use: str,
    field: str = "cause",
) -> None:
    """`use`: "no_direccionamiento", "partial" (a partial delivery) or "any"."""
    if cause is None:
        raise DomainError(ERRORS["cause_required"], field=field, code="cause_required")
    names = {"cause": cause.code}
    if not cause.applies_to(technology_type):
        names["type"] = TechnologyType(technology_type).label.lower()
        raise DomainError(ERRORS["cause_not_for_type"] % names, field=field, code="cause_type")
    uses = {
        "no_direccionamiento": (cause.for_no_direccionamiento, _("un no direccionamiento")),
        "partial": (cause.for_partial_delivery, _("una entrega parcial")),
    }
    if use in uses and not uses[use][0]:
        names["use"] = uses[use][1]
        raise DomainError(ERRORS["cause_not_for_use"] % names, field=field, code="cause_use")


def check_associated(cause, prescription: Prescription, technology_type, number, order) -> None:
    """Causes 1 and 15 name another prescription's line of the same patient."""
    if not cause.needs_associated_prescription:
        return
    number = (number or "").strip()
    if not number or not order:
        raise DomainError(
            ERRORS["associated_required"] % {"cause": cause.code},
            field="associated_number",
            code="associated_required",
        )
    exists = TechnologyLine.objects.filter(
        prescription__number=number,
        prescription__patient_id=prescription.patient_id,
        technology_type=technology_type,
        order=order,
    ).exists()
    if not exists or number == prescription.number:
        raise DomainError(
            ERRORS["associated_unknown"]
            % {"type": technology_type, "order": order, "number": number},
            field="associated_number",
            code="associated_unknown",
        )


def reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ERRORS["reason"], field="reason", code="reason_required")
    return reason


def take(previous, *, what: str, next_label: str) -> None:
    """Mark the previous step procesado for the new one; refuse when it is not active."""
    names = {"what": what, "id": previous.pk, "next": next_label}
    if previous.status == StepStatus.ANULADO:
        raise DomainError(ERRORS["step_annulled"] % names, code="previous_annulled")
    if previous.status == StepStatus.PROCESADO:
        raise DomainError(ERRORS["step_processed"] % names, code="duplicate")
    previous.status = StepStatus.PROCESADO
    previous.save(update_fields=["status"])


def record(step, *, actor, action: str, entity, data: dict | None = None) -> None:
    """The audit entry of a supply step (target: the step)."""
    deliverable = getattr(step, "deliverable", None)
    payload = {"id": step.pk}
    if deliverable is not None:
        payload.update(
            ID=deliverable.pk,
            number=deliverable.prescription.number,
            line=deliverable.line.key,
            delivery=deliverable.delivery_label,
        )
    elif getattr(step, "line", None) is not None:
        payload.update(number=step.line.prescription.number, line=step.line.key)
    payload.update(data or {})
    audit.log(actor=actor, action=action, entity=entity, target=step, data=payload)
