"""Renewal requests (issue 15 §5): the patient asks the prescribing IPS to renew one line of
a sucesiva prescription nearing its end; the IPS's Prescriptor accepts (and renews it with
the line preselected) or declines with a reason; the patient is told either way."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from entities import audit
from entities.models import Entity
from entities.services.common import require_perm
from mipres.lib import ratelimit
from mipres.lib.errors import DomainError
from mipres.lib.mail import absolute_url, send_on_commit
from prescriptions.models import TechnologyLine

from ..models import NotificationStatus, RenewalRequest, RenewalStatus
from ..notifications import patient_note
from ..selectors import renewal_refusal
from ..sms import send_sms

PRESCRIBE = "prescriptions.prescribe"
REQUESTS_PER_DAY = 5


def renewal_request_create(*, patient_id: int, line: TechnologyLine) -> RenewalRequest:
    """The patient's request for `line` (already scoped to the patient by the caller)."""
    prescription = line.prescription
    refusal = renewal_refusal(line, prescription)
    if refusal == "not_sucesiva":
        raise DomainError(
            _("Solo se pide renovar una tecnología de entrega sucesiva (tratamiento continuo)."),
            code=refusal,
        )
    if refusal == "not_near_end":
        raise DomainError(
            _(
                "Esta tecnología aún no está cerca de terminar: podrá pedir la renovación "
                "en los 15 días antes de que termine el tratamiento."
            ),
            code=refusal,
        )
    if not ratelimit.hit(f"patient-renewal:{patient_id}", REQUESTS_PER_DAY, 86400):
        raise DomainError(
            _("Ya pidió varias renovaciones hoy. Intente de nuevo mañana."), code="rate"
        )
    try:
        with transaction.atomic():
            request = RenewalRequest.objects.create(
                patient_id=patient_id,
                prescription=prescription,
                line=line,
                entity_id=prescription.entity_id,
            )
            audit.log(
                actor=None,
                action="patients.renewal.requested",
                entity=prescription.entity,
                target=request,
                data={"number": prescription.number, "line": line.key},
            )
    except IntegrityError:
        raise DomainError(
            _("Ya pidió renovar esta tecnología: su IPS le responderá pronto."), code="duplicate"
        ) from None
    return request


def _locked_pending(entity: Entity, pk: int) -> RenewalRequest:
    request = (
        RenewalRequest.objects.select_for_update()
        .select_related("patient", "prescription", "line")
        .filter(pk=pk, entity=entity)
        .first()
    )
    if request is None:
        raise DomainError(_("La solicitud no es de su IPS."), code="other_entity")
    if request.status != RenewalStatus.PENDIENTE:
        raise DomainError(_("La solicitud ya fue respondida."), code="decided")
    return request


def _decide(actor, entity: Entity, pk: int, status: int, reason: str = "") -> RenewalRequest:
    require_perm(actor, entity, PRESCRIBE)
    with transaction.atomic():
        request = _locked_pending(entity, pk)
        request.status, request.reason = status, reason
        request.decided_at, request.decided_by = timezone.now(), actor
        request.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        action = "accepted" if status == RenewalStatus.ACEPTADA else "declined"
        audit.log(
            actor=actor,
            action=f"patients.renewal.{action}",
            entity=entity,
            target=request,
            data={"number": request.prescription.number, "line": request.line.key},
        )
        _tell_patient(request)
    return request


def renewal_accept(*, actor, entity: Entity, pk: int) -> RenewalRequest:
    """Accept: the Prescriptor goes on to «Renovar» with the line preselected."""
    return _decide(actor, entity, pk, RenewalStatus.ACEPTADA)


def renewal_decline(*, actor, entity: Entity, pk: int, reason: str) -> RenewalRequest:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Escriba el motivo: el paciente lo leerá."), field="reason", code="reason"
        )
    return _decide(actor, entity, pk, RenewalStatus.RECHAZADA, reason)


def _tell_patient(request: RenewalRequest) -> None:
    """E-mail (or else a text message) once the decision commits, recorded as a
    Notification (without contact: recorded as not sent)."""
    patient = request.patient
    note = patient_note(patient, f"renewal:{request.pk}")
    if note is None or note.status != NotificationStatus.SENT:
        return
    link = absolute_url(reverse("patients:home"))
    context = {"request": request, "link": link, "entity": request.entity}
    if note.channel == "email":
        send_on_commit(
            to=[patient.email], template="patients/email/renewal_decided", context=context
        )
    else:
        if request.status == RenewalStatus.ACEPTADA:
            text = _("MIPRES: su IPS aceptó renovar su prescripción %(number)s. Véala en %(link)s")
        else:
            text = _(
                "MIPRES: su IPS no renovó su prescripción %(number)s. Vea el motivo en %(link)s"
            )
        message = text % {"number": request.prescription.number, "link": link}
        transaction.on_commit(lambda: send_sms(patient.phone, message))
