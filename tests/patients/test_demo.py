"""patients/demo.py: the demo patient reads every state on the page, with an overdue
pendiente and a renewal request waiting; `demo_credentials --json` lists the patients
under patient_access; seeding twice changes nothing."""

import io
import json

import pytest
from django.core import mail
from django.core.management import call_command

from patients.models import RenewalRequest
from supply.models import Pendiente

from .conftest import code_from_outbox, committed

pytestmark = pytest.mark.django_db


def test_the_demo_patient_sees_every_state(client):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    out = io.StringIO()
    call_command("demo_credentials", "--json", stdout=out)
    access = json.loads(out.getvalue())["patient_access"]
    lucia = access[0]
    assert {"document_type", "document_number", "prescriptions"} <= set(lucia)
    assert len(lucia["prescriptions"]) == 2
    assert access[1]["prescriptions"]  # the supply demo's chain patient
    assert Pendiente.objects.count() == 2
    assert RenewalRequest.objects.count() == 1

    mail.outbox.clear()
    with committed():
        client.post(
            "/paciente/",
            {"document_type": lucia["document_type"], "document_number": lucia["document_number"]},
        )
    client.post("/paciente/codigo/", {"code": code_from_outbox()})
    page = client.get("/paciente/recetas/").content.decode()
    for words in (
        "Entregada el",
        "Pendiente: le deben",
        "Venció el plazo",
        "Por direccionar",
        "Direccionada a",
        "Programada en",
        "quedaron pendientes 20",
        "No se entregará",
        "esperando la respuesta de su IPS",
        "Pedir renovación",
    ):
        assert words in page, words
