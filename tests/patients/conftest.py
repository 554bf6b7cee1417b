"""The supply world (tests/supply/conftest.py) with the patient's contact data, and a client
signed in as that patient."""

import re

import pytest
from django.core import mail
from django.test import TestCase

from ..prescriptions.conftest import catalog, prescribing  # noqa: F401  (fixtures)
from ..supply.conftest import causes, world  # noqa: F401  (fixtures)


@pytest.fixture
def patient(world):  # noqa: F811
    patient = world["patient"]
    patient.email = "rosa@example.org"
    patient.save(update_fields=["email"])
    return patient


def committed():
    """Run what the code inside queues for after its commit (the e-mails)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def ask_code(client, patient, number=None):
    mail.outbox.clear()
    with committed():
        return client.post(
            "/paciente/",
            {
                "document_type": patient.document_type,
                "document_number": number or patient.document_number,
            },
        )


def code_from_outbox() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.fixture
def patient_client(client, patient):
    ask_code(client, patient)
    response = client.post("/paciente/codigo/", {"code": code_from_outbox()})
    assert response.status_code == 302 and response.url == "/paciente/recetas/"
    return client
