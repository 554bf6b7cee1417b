"""The patient's sign-in by a one-time code (issue 15 §1 and «Bad input»)."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from patients.models import AccessCode
from patients.services.access import code_request
from prescriptions.models import Patient

from .conftest import ask_code, code_from_outbox, committed

pytestmark = pytest.mark.django_db


def same(page: str, number: str) -> str:
    """The page with the document number and the CSRF token masked."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.replace(number, "N"))


def test_code_goes_to_the_patients_email_and_opens_the_page(client, patient):
    response = ask_code(client, patient)
    assert response.status_code == 302 and response.url == "/paciente/codigo/"
    assert mail.outbox[0].to == ["rosa@example.org"]
    code = code_from_outbox()
    stored = AccessCode.objects.get(patient=patient)
    assert code not in stored.code_hash  # only a keyed hash is kept
    response = client.post("/paciente/codigo/", {"code": code})
    assert response.url == "/paciente/recetas/"
    assert client.get("/paciente/recetas/").status_code == 200


def test_a_code_is_single_use(client, patient):
    ask_code(client, patient)
    code = code_from_outbox()
    client.post("/paciente/codigo/", {"code": code})
    client.post("/paciente/salir/")
    ask_code(client, patient)  # within the minute: no new code is sent
    assert mail.outbox == []
    response = client.post("/paciente/codigo/", {"code": code})
    assert response.status_code == 200
    assert "no es correcto o ya venció" in response.content.decode()


def test_an_expired_code_is_refused(client, patient):
    ask_code(client, patient)
    AccessCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post("/paciente/codigo/", {"code": code_from_outbox()})
    assert "no es correcto o ya venció" in response.content.decode()
    assert client.get("/paciente/recetas/").url == "/paciente/"


def test_unknown_document_and_no_contact_read_like_a_known_one(client, patient):
    known = ask_code(client, patient)
    known_page = client.get(known.url).content.decode()
    other = Patient.objects.create(
        document_type="CC",
        document_number="43000999",
        first_name="Sin",
        first_surname="Contacto",
        birth_date=datetime.date(1960, 1, 1),
        sex="F",
        municipality=patient.municipality,
    )
    for number in ("99999999", other.document_number):
        response = ask_code(client, patient, number=number)
        assert response.status_code == 302 and response.url == known.url
        page = client.get(response.url).content.decode()
        assert same(page, number) == same(known_page, patient.document_number)
        assert "actualicen sus datos de contacto" in page
        assert mail.outbox == []


def test_a_new_code_only_after_a_minute(client, patient):
    ask_code(client, patient)
    response = client.post("/paciente/codigo/", {"resend": "1"}, follow=True)
    assert "Espere un minuto" in response.content.decode()
    assert len(mail.outbox) == 1
    AccessCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    session = client.session
    session["patient_login"]["asked"] -= 120
    session.save()
    with committed():
        client.post("/paciente/codigo/", {"resend": "1"})
    assert len(mail.outbox) == 2


def test_five_failures_lock_the_document_even_with_the_right_code(client, patient):
    ask_code(client, patient)
    code = code_from_outbox()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post("/paciente/codigo/", {"code": wrong})
    assert "Demasiados intentos" in response.content.decode()
    response = client.post("/paciente/codigo/", {"code": code})
    assert "Demasiados intentos" in response.content.decode()
    assert client.get("/paciente/recetas/").status_code == 302


def test_five_failures_from_an_address_lock_it_for_every_document(client, patient):
    for n in range(5):
        ask_code(client, patient, number=f"1000000{n}")
        client.post("/paciente/codigo/", {"code": "123456"})
    ask_code(client, patient)
    response = client.post("/paciente/codigo/", {"code": code_from_outbox()})
    assert "Demasiados intentos" in response.content.decode()


def test_code_requests_are_rate_limited_per_document(patient):
    from mipres.lib.errors import DomainError

    for _ in range(6):
        code_request(document_type="CC", document_number="55555555", address="203.0.113.9")
    with pytest.raises(DomainError):
        code_request(document_type="CC", document_number="55555555", address="203.0.113.9")


def test_the_session_expires(patient_client, settings):
    session = patient_client.session
    session["patient_access"]["until"] = 0
    session.save()
    assert patient_client.get("/paciente/recetas/").url == "/paciente/"


def test_a_staff_login_is_not_a_patient_session(client, world):
    client.force_login(world["medico"])
    assert client.get("/paciente/recetas/").url == "/paciente/"


def test_a_patient_with_only_a_phone_gets_the_code_by_sms(client, patient, settings):
    from patients.sms import LocmemBackend

    settings.PATIENT_SMS_BACKEND = "patients.sms.LocmemBackend"
    LocmemBackend.outbox.clear()
    Patient.objects.filter(pk=patient.pk).update(email="", phone="3009998877")
    ask_code(client, patient)
    assert mail.outbox == []
    [(to, text)] = LocmemBackend.outbox
    code = re.search(r"\b(\d{6})\b", text).group(1)
    assert to == "3009998877"
    assert client.post("/paciente/codigo/", {"code": code}).url == "/paciente/recetas/"
