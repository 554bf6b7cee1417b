"""Notifications along the supply chain (issue 15 §2), as background tasks.

The patient is told when a line is directed, programmed, delivered or left pendiente, and
when a FecMaxEnt is two days away with nothing delivered; the proveedor's staff when
something is directed to it; the payer's staff once a day of the FecMaxEnt that passed
undelivered (one digest per entity). Each message is recorded as a `Notification` whose
unique (event, recipient) is claimed in the task's transaction, so a retry or a second
worker sends nothing twice; a recipient without contact data is recorded as not sent, and
one who opted out of the optional messages (the reminder and the digest) gets none.

Supply services call the `*_changed` hooks inside their transaction: the task is enqueued
with the change (jobs.enqueue.enqueue_on_commit), never for a refused one.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.tasks import task
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from entities.models import Entity, Membership
from entities.permissions import Role
from jobs.enqueue import enqueue_on_commit
from mipres.lib.mail import absolute_url, send_on_commit
from prescriptions.models import Patient
from prescriptions.selectors.prescriptions import technology_label
from supply.models import IN_FORCE, Direccionamiento, Entrega, Pendiente, Programacion, StepStatus

from .models import Notification, NotificationOptOut, NotificationStatus
from .sms import send_sms

REMINDER_DAYS = 2


def _day(value) -> str:
    return formats.date_format(value, "j \\d\\e F")


def _record(event: str, recipient: str, *, essential: bool, email: str, phone: str = ""):
    """Claim (event, recipient) and decide the channel; None when already claimed."""
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                event=event,
                recipient=recipient,
                essential=essential,
                status=NotificationStatus.SENT,
            )
    except IntegrityError:
        return None
    if not essential and NotificationOptOut.objects.filter(recipient=recipient).exists():
        note.status = NotificationStatus.OPTED_OUT
    elif email:
        note.channel = "email"
    elif phone:
        note.channel = "sms"
    else:
        note.status = NotificationStatus.NO_CONTACT
    note.save(update_fields=["status", "channel"])
    return note


def patient_note(patient: Patient, event: str):
    """Claim and record a message to `patient` sent by its own template (the renewal
    decision); None when already sent. Its `status` says whether to send and `channel` how."""
    return _record(
        event, f"patient:{patient.pk}", essential=True, email=patient.email, phone=patient.phone
    )


def _send(note, *, email: str, phone: str, subject: str, text: str, link: str) -> None:
    if note is None or note.status != NotificationStatus.SENT:
        return
    if note.channel == "email":
        context = {"subject": subject, "text": text, "link": link}
        send_on_commit(to=[email], template="patients/email/notice", context=context)
    else:
        message = f"MIPRES: {text} {link}"
        transaction.on_commit(lambda: send_sms(phone, message))


def _tell_patient(patient: Patient, event: str, text: str, *, essential: bool = True) -> None:
    note = _record(
        event,
        f"patient:{patient.pk}",
        essential=essential,
        email=patient.email,
        phone=patient.phone,
    )
    _send(
        note,
        email=patient.email,
        phone=patient.phone,
        subject=_("Su prescripción: novedades de la entrega"),
        text=text,
        link=absolute_url(reverse("patients:home")),
    )


def _staff(entity_id: int, role: str) -> list[User]:
    members = Membership.objects.active().filter(
        entity_id=entity_id, role=role, user=OuterRef("pk")
    )
    return list(User.objects.filter(Exists(members), is_active=True))


def _tell_staff(
    entity_id: int, role: str, event: str, subject: str, text: str, link: str, *, essential=True
):
    for user in _staff(entity_id, role):
        note = _record(event, f"user:{user.pk}", essential=essential, email=user.email)
        _send(note, email=user.email, phone="", subject=subject, text=text, link=link)


# -- what happened to a line -----------------------------------------------------------------


@task(queue_name="mail")
def direccionamiento_notify(direccionamiento_id: int) -> None:
    d = Direccionamiento.objects.select_related(
        "deliverable__prescription__patient", "deliverable__line", "provider", "municipality"
    ).get(pk=direccionamiento_id)
    prescription, line = d.deliverable.prescription, d.deliverable.line
    label = technology_label(line)
    names = {
        "tech": label,
        "number": prescription.number,
        "provider": d.provider.name,
        "municipality": d.municipality.name,
        "day": _day(d.max_delivery_date),
    }
    with transaction.atomic():
        _tell_patient(
            prescription.patient,
            f"direccionamiento:{d.pk}",
            _(
                "%(tech)s (prescripción %(number)s) fue asignado a %(provider)s en "
                "%(municipality)s. Fecha máxima de entrega: %(day)s. Le avisaremos dónde "
                "recogerlo."
            )
            % names,
        )
        link = absolute_url(reverse("supply:to_program", args=[d.provider.external_id]))
        _tell_staff(
            d.provider_id,
            Role.ADMINISTRATIVO,
            f"direccionamiento:{d.pk}",
            _("Nuevo direccionamiento: %(number)s") % names,
            _(
                "Le direccionaron %(tech)s de la prescripción %(number)s para %(municipality)s, "
                "con fecha máxima de entrega %(day)s. Prográmelo en «Por programar»."
            )
            % names,
            link,
        )


@task(queue_name="mail")
def programacion_notify(programacion_id: int) -> None:
    p = Programacion.objects.select_related(
        "deliverable__prescription__patient", "deliverable__line", "sede"
    ).get(pk=programacion_id)
    names = {
        "tech": technology_label(p.deliverable.line),
        "sede": p.sede.name,
        "address": p.sede.address,
        "day": _day(p.max_delivery_date),
    }
    text = _(
        "%(tech)s está programado en %(sede)s, %(address)s. Puede reclamarlo desde hoy y "
        "hasta el %(day)s; lleve su documento."
    )
    with transaction.atomic():
        _tell_patient(p.deliverable.prescription.patient, f"programacion:{p.pk}", text % names)


@task(queue_name="mail")
def entrega_notify(entrega_id: int) -> None:
    e = Entrega.objects.select_related(
        "deliverable__prescription__patient", "deliverable__line"
    ).get(pk=entrega_id)
    names = {
        "tech": technology_label(e.deliverable.line),
        "day": _day(e.delivered_on),
        "owed": f"{e.pending_quantity.normalize():f}",
    }
    if e.quantity == 0:
        text = _("%(tech)s no se entregó. Consulte su página para saber qué sigue.")
    elif e.pending_quantity > 0:
        text = _("Se entregó %(tech)s el %(day)s; quedaron pendientes %(owed)s.")
    else:
        text = _("Se entregó %(tech)s el %(day)s.")
    with transaction.atomic():
        _tell_patient(e.deliverable.prescription.patient, f"entrega:{e.pk}", text % names)


@task(queue_name="mail")
def pendiente_notify(pendiente_id: int) -> None:
    p = Pendiente.objects.select_related(
        "deliverable__prescription__patient", "deliverable__line", "sede"
    ).get(pk=pendiente_id)
    promised = timezone.localtime(p.promised_at)
    place = p.address or f"{p.sede.name}, {p.sede.address}"
    names = {
        "tech": technology_label(p.deliverable.line),
        "quantity": f"{p.quantity.normalize():f}",
        "when": formats.date_format(promised, "j \\d\\e F, g:i a"),
        "place": place,
    }
    text = _(
        "No había existencias de %(tech)s. Le entregarán %(quantity)s a más tardar el "
        "%(when)s en %(place)s. Si no ocurre, reclame a su EPS."
    )
    with transaction.atomic():
        _tell_patient(p.deliverable.prescription.patient, f"pendiente:{p.pk}", text % names)


def _undelivered():
    delivered = Entrega.objects.filter(deliverable=OuterRef("deliverable"), status__in=IN_FORCE)
    return Direccionamiento.objects.filter(status__in=IN_FORCE).exclude(Exists(delivered))


# On the mail queue: it only sends messages (the periodic queue holds the audit and
# housekeeping jobs).
@task(queue_name="mail")
def deadline_notify(day: str) -> int:
    """The patient's reminder (optional) when a FecMaxEnt is two days after `day` and
    nothing is delivered; the payer's staff's daily digest of the FecMaxEnt already passed
    undelivered, one per entity (optional). Returns how many messages were recorded."""
    today = datetime.date.fromisoformat(day)
    count = 0
    with transaction.atomic():
        soon = (
            _undelivered()
            .filter(max_delivery_date=today + datetime.timedelta(days=REMINDER_DAYS))
            .select_related("deliverable__prescription__patient", "deliverable__line", "provider")
        )
        for d in soon.iterator(chunk_size=500):
            names = {
                "tech": technology_label(d.deliverable.line),
                "day": _day(d.max_delivery_date),
                "provider": d.provider.name,
            }
            text = _(
                "%(tech)s debe entregarse a más tardar el %(day)s y aún no se ha entregado. "
                "Si no lo han llamado, comuníquese con %(provider)s o con su EPS."
            )
            _tell_patient(
                d.deliverable.prescription.patient,
                f"fecmaxent:{d.pk}",
                text % names,
                essential=False,
            )
            count += 1
        per_payer = (
            _undelivered()
            .filter(max_delivery_date__lt=today)
            .values_list("entity_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for entity_id, overdue_count in per_payer:
            link = absolute_url(reverse("supply:directed", args=[_external_id(entity_id)]))
            _tell_staff(
                entity_id,
                Role.ADMINISTRATIVO,
                f"digest:{entity_id}:{day}",
                _("Entregas vencidas: %(n)s") % {"n": overdue_count},
                _(
                    "Hay %(n)s direccionamientos con la fecha máxima de entrega vencida y sin "
                    "entrega. Revíselos en «Direccionados» (filtro Vencido) y pida cuentas a "
                    "los proveedores."
                )
                % {"n": overdue_count},
                link,
                essential=False,
            )
            count += 1
    return count


def _external_id(entity_id: int):
    return Entity.objects.values_list("external_id", flat=True).get(pk=entity_id)


# -- hooks the supply services call inside their transaction ----------------------------------


def direccionamiento_changed(direccionamiento: Direccionamiento) -> None:
    if direccionamiento.status == StepStatus.ACTIVO:
        enqueue_on_commit(direccionamiento_notify, direccionamiento.pk)


def programacion_changed(programacion: Programacion) -> None:
    enqueue_on_commit(programacion_notify, programacion.pk)


def entrega_changed(entrega: Entrega) -> None:
    enqueue_on_commit(entrega_notify, entrega.pk)


def pendiente_changed(pendiente: Pendiente) -> None:
    enqueue_on_commit(pendiente_notify, pendiente.pk)
