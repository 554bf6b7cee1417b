"""Renewal requests (issue 15 §5): only sucesiva lines near their end, once per line while
pending, answered by the prescribing IPS's Prescriptor; the patient is told."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from patients.models import RenewalRequest, RenewalStatus
from prescriptions.models import Prescription

from .conftest import committed

pytestmark = pytest.mark.django_db


@pytest.fixture
def near_end(world):
    """S1 (sucesiva, 30 days) prescribed 20 days ago: it ends in 10 days."""
    Prescription.objects.filter(pk=world["prescription"].pk).update(
        prescribed_at=timezone.now() - datetime.timedelta(days=20)
    )
    return world["lines"]["S1"]


def test_the_patient_asks_once_and_the_ips_sees_it(patient_client, world, near_end):
    page = patient_client.get("/paciente/recetas/").content.decode()
    assert f"/paciente/renovar/{near_end.pk}/" in page
    assert f"/paciente/renovar/{world['lines']['M1'].pk}/" not in page  # única
    response = patient_client.post(f"/paciente/renovar/{near_end.pk}/", follow=True)
    assert "esperando la respuesta de su IPS" in response.content.decode()
    response = patient_client.post(f"/paciente/renovar/{near_end.pk}/", follow=True)
    assert "Ya pidió renovar" in response.content.decode()
    assert RenewalRequest.objects.count() == 1
    request = RenewalRequest.objects.get()
    assert request.entity == world["ips"]


def test_not_sucesiva_or_not_near_end_is_refused(patient_client, world):
    response = patient_client.post(f"/paciente/renovar/{world['lines']['M1'].pk}/", follow=True)
    assert "entrega sucesiva" in response.content.decode()
    response = patient_client.post(f"/paciente/renovar/{world['lines']['S1'].pk}/", follow=True)
    assert "aún no está cerca de terminar" in response.content.decode()
    assert not RenewalRequest.objects.exists()


def test_accept_opens_renovar_with_the_line_and_tells_the_patient(
    patient_client, client, world, near_end
):
    patient_client.post(f"/paciente/renovar/{near_end.pk}/")
    request = RenewalRequest.objects.get()
    client.force_login(world["medico"])
    ips = world["ips"].external_id
    assert (
        str(request.prescription.number)
        in client.get(f"/solicitudes-renovacion/{ips}/").content.decode()
    )
    mail.outbox.clear()
    with committed():
        response = client.post(f"/solicitudes-renovacion/{ips}/{request.pk}/aceptar/")
    assert response.status_code == 302
    assert response.url.endswith(f"/{world['prescription'].external_id}/renovar/?linea=S1")
    request.refresh_from_db()
    assert request.status == RenewalStatus.ACEPTADA
    assert mail.outbox[0].to == ["rosa@example.org"]
    form = client.get(response.url).content.decode()
    assert "Renovar la prescripción" in form


def test_decline_needs_a_reason_and_the_patient_reads_it(patient_client, client, world, near_end):
    patient_client.post(f"/paciente/renovar/{near_end.pk}/")
    request = RenewalRequest.objects.get()
    client.force_login(world["medico"])
    url = f"/solicitudes-renovacion/{world['ips'].external_id}/{request.pk}/rechazar/"
    client.post(url, {"reason": ""})
    request.refresh_from_db()
    assert request.status == RenewalStatus.PENDIENTE
    with committed():
        client.post(url, {"reason": "Debe venir a control antes de renovar."})
    request.refresh_from_db()
    assert request.status == RenewalStatus.RECHAZADA
    assert "Debe venir a control" in mail.outbox[-1].body
    page = patient_client.get("/paciente/recetas/").content.decode()
    assert "Su IPS no la renovó: Debe venir a control" in page


def test_other_roles_and_entities_cannot_answer(patient_client, client, world, near_end):
    patient_client.post(f"/paciente/renovar/{near_end.pk}/")
    request = RenewalRequest.objects.get()
    client.force_login(world["ips_dispensador"])  # a member of the IPS without Prescriptor
    ips = world["ips"].external_id
    assert client.get(f"/solicitudes-renovacion/{ips}/").status_code == 403
    client.force_login(world["prov_admin"])  # another entity
    assert client.get(f"/solicitudes-renovacion/{ips}/").status_code == 404
    assert client.post(f"/solicitudes-renovacion/{ips}/{request.pk}/aceptar/").status_code == 404


def test_the_decision_is_recorded_once_and_not_sent_without_contact(
    patient_client, client, world, near_end
):
    from patients.models import Notification, NotificationStatus
    from prescriptions.models import Patient

    patient_client.post(f"/paciente/renovar/{near_end.pk}/")
    request = RenewalRequest.objects.get()
    Patient.objects.filter(pk=world["patient"].pk).update(email="", phone="")
    client.force_login(world["medico"])
    mail.outbox.clear()
    with committed():
        client.post(f"/solicitudes-renovacion/{world['ips'].external_id}/{request.pk}/aceptar/")
    note = Notification.objects.get(event=f"renewal:{request.pk}")
    assert note.status == NotificationStatus.NO_CONTACT and mail.outbox == []


def test_the_support_console_lists_requests_read_only(
    patient_client, client, ministry_admin, near_end
):
    from django.urls import reverse

    patient_client.post(f"/paciente/renovar/{near_end.pk}/")
    ministry_admin.is_superuser = True
    ministry_admin.save()
    client.force_login(ministry_admin)
    for name in ("renewalrequest", "notification", "notificationoptout"):
        assert client.get(reverse(f"admin:patients_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:patients_{name}_add")).status_code == 403
    response = client.get(reverse("admin:supply_pendiente_changelist"))
    assert response.status_code == 200
