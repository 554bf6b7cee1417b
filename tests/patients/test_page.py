"""The patient's page: active prescriptions, each line's supply in words, the QR, and
nothing of another patient's (issue 15 §1)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from prescriptions.models import Patient
from prescriptions.services.prescribing import prescription_issue
from supply.services import entrega_create, programacion_create
from supply.services.pendientes import pendiente_create

from ..prescriptions.conftest import medicine_line
from ..supply.conftest import direct, plan

pytestmark = pytest.mark.django_db


def program(world, direccionamiento):
    return programacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        direccionamiento=direccionamiento,
        sede=world["sede"],
    )


def test_each_state_in_words(patient_client, world):
    # M1: two deliveries, the first delivered in part, the second a pendiente; S1 directed;
    # P1 not yet directed.
    first, second = direct(world, deliveries=[plan(1, "1"), plan(2, "1", days=20)])
    programacion = program(world, first)
    entrega_create(
        actor=world["dispensador"],
        entity=world["provider"],
        programacion=programacion,
        technology_code="19943546-01",
        quantity=Decimal("1"),
        total=True,
        delivered_on=timezone.localdate(),
        batch="L1",
        receiver_document_type="CC",
        receiver_document_number="43000111",
    )
    pendiente_create(
        actor=world["dispensador"],
        entity=world["provider"],
        programacion=program(world, second),
        quantity=Decimal("1"),
        promised_at=timezone.now() + datetime.timedelta(hours=30),
    )
    direct(world, line_key="S1", deliveries=[plan(1, "30")])
    page = patient_client.get("/paciente/recetas/").content.decode()
    number = world["prescription"].number
    assert number in page and f"/paciente/qr/{number}.svg" in page
    assert "Entregada el" in page
    assert "Pendiente: le deben 1" in page and world["sede"].address in page
    assert f"Direccionada a {world['provider'].name}" in page
    assert "Por direccionar" in page  # P1
    assert "le faltan por recibir 1" in page  # M1: 2 prescribed, 1 delivered
    assert "Fecha máxima de entrega" in page


def test_the_qr_is_an_svg_of_the_number(patient_client, world):
    response = patient_client.get(f"/paciente/qr/{world['prescription'].number}.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_another_patients_prescription_is_404(patient_client, world, catalog):
    other = Patient.objects.create(
        document_type="CC",
        document_number="43000222",
        first_name="Otra",
        first_surname="Persona",
        birth_date=datetime.date(1970, 1, 1),
        sex="F",
        municipality=world["patient"].municipality,
    )
    from prescriptions.models import Affiliation

    Affiliation.objects.create(
        patient=other,
        payer_code=world["code"],
        regime="contributivo",
        active=True,
        start_date=datetime.date(2020, 1, 1),
        source="test",
    )
    theirs = prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=other,
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[medicine_line(catalog)],
    )
    assert patient_client.get(f"/paciente/qr/{theirs.number}.svg").status_code == 404
    line = theirs.lines.get()
    assert patient_client.post(f"/paciente/renovar/{line.pk}/").status_code == 404
    assert theirs.number not in patient_client.get("/paciente/recetas/").content.decode()


def test_without_a_session_every_page_goes_to_the_sign_in(client, world):
    for url in ("/paciente/recetas/", f"/paciente/qr/{world['prescription'].number}.svg"):
        assert client.get(url).url == "/paciente/"
