"""Notifications along the chain (issue 15 §2): recorded once per event and recipient, sent
to the patient and to the proveedor's and payer's staff, «not sent» without a contact,
optional ones skipped after an opt-out."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from patients.models import Notification, NotificationStatus
from patients.notifications import deadline_notify, direccionamiento_notify
from supply.models import Direccionamiento
from supply.services import programacion_create
from supply.services.pendientes import pendiente_create

from ..supply.conftest import direct, plan
from .conftest import committed

pytestmark = pytest.mark.django_db


def test_a_direccionamiento_tells_the_patient_and_the_providers_staff_once(world, patient):
    mail.outbox.clear()
    with committed():
        d = direct(world)[0]
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted(["rosa@example.org", world["prov_admin"].email])
    patient_mail = next(m for m in mail.outbox if m.to == ["rosa@example.org"])
    assert world["provider"].name in patient_mail.body and "/paciente/recetas/" in patient_mail.body
    assert Notification.objects.filter(event=f"direccionamiento:{d.pk}").count() == 2
    # A retry, or a second worker, sends nothing again.
    with committed():
        direccionamiento_notify.call(d.pk)
        direccionamiento_notify.call(d.pk)
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_without_contact_it_is_recorded_as_not_sent(world):
    mail.outbox.clear()
    with committed():
        d = direct(world)[0]
    note = Notification.objects.get(
        event=f"direccionamiento:{d.pk}", recipient__startswith="patient"
    )
    assert note.status == NotificationStatus.NO_CONTACT
    assert [m.to for m in mail.outbox] == [[world["prov_admin"].email]]


def test_programacion_and_pendiente_tell_where_and_until_when(world, patient):
    d = direct(world, deliveries=[plan(quantity="2")])[0]
    mail.outbox.clear()
    with committed():
        p = programacion_create(
            actor=world["prov_admin"],
            entity=world["provider"],
            direccionamiento=d,
            sede=world["sede"],
        )
    assert world["sede"].address in mail.outbox[-1].body
    with committed():
        pendiente_create(
            actor=world["dispensador"],
            entity=world["provider"],
            programacion=p,
            quantity=Decimal("2"),
            promised_at=timezone.now() + datetime.timedelta(hours=20),
        )
    assert "No había existencias" in mail.outbox[-1].body


def test_reminder_and_payer_digest_once_and_opt_out(world, patient, patient_client):
    soon = direct(world, line_key="M1", deliveries=[plan(days=2)])[0]
    late = direct(world, line_key="P1", deliveries=[plan(days=3)])[0]
    Direccionamiento.objects.filter(pk=late.pk).update(
        max_delivery_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    today = timezone.localdate().isoformat()
    mail.outbox.clear()
    with committed():
        assert deadline_notify.call(today) == 2
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted(["rosa@example.org", world["eps_admin"].email])
    digest = next(m for m in mail.outbox if m.to == [world["eps_admin"].email])
    assert "1 direccionamientos" in digest.body
    with committed():
        deadline_notify.call(today)
    assert len(mail.outbox) == 2  # nothing twice

    # The patient turns the optional messages off: the next reminder is recorded, not sent.
    patient_client.post("/paciente/avisos/", {"optional": "0"})
    Notification.objects.filter(event=f"fecmaxent:{soon.pk}").delete()
    mail.outbox.clear()
    with committed():
        deadline_notify.call(today)
    assert Notification.objects.get(event=f"fecmaxent:{soon.pk}").status == (
        NotificationStatus.OPTED_OUT
    )
    assert mail.outbox == []
