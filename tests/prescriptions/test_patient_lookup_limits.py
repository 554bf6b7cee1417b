"""Issue 17 item 12: the national patient lookup (Admisión's search, the lookup JSON and the
prescription form's patient panel) is limited per user and each lookup is audited."""

import pytest
from django.urls import reverse

from entities.models import AuditEntry

from ..accounts.factories import UserFactory
from ..entities.factories import grant
from .factories import PatientFactory

pytestmark = pytest.mark.django_db

ROUTES = {
    "patient_search": "admision",
    "patient_lookup_json": "admision",
    "prescription_patient_panel": "prescriptor",
}


def _get(client, entity, name, number):
    url = reverse(f"prescriptions:{name}", args=[entity.external_id])
    return client.get(url, {"document_type": "CC", "document_number": str(number)})


@pytest.mark.parametrize("name", ROUTES)
def test_walking_document_numbers_is_stopped_per_user(client, ips, settings, name):
    settings.PATIENT_LOOKUPS_PER_MINUTE = 5
    user = UserFactory()
    grant(user, ips, ROUTES[name])
    client.force_login(user)
    for number in range(10_000_001, 10_000_006):
        assert _get(client, ips, name, number).status_code == 200
    refused = _get(client, ips, name, 10_000_006)
    assert "demasiados documentos" in refused.content.decode()
    assert refused.status_code == (200 if name == "prescription_patient_panel" else 429)
    # Another user of the same IPS is not held back.
    colleague = UserFactory()
    grant(colleague, ips, ROUTES[name])
    client.force_login(colleague)
    assert _get(client, ips, name, 10_000_007).status_code == 200


@pytest.mark.parametrize("name", ROUTES)
def test_every_lookup_is_audited_with_what_it_found(client, ips, name):
    patient = PatientFactory(document_number="43111222")
    user = UserFactory()
    grant(user, ips, ROUTES[name])
    client.force_login(user)
    _get(client, ips, name, "43111222")
    _get(client, ips, name, "99999999")
    entries = list(
        AuditEntry.objects.filter(action="prescriptions.patient.looked_up").order_by("pk")
    )
    assert [entry.data["document"] for entry in entries] == ["CC 43111222", "CC 99999999"]
    assert entries[0].actor == user and entries[0].entity == ips
    assert entries[0].object_id == str(patient.pk)
    assert entries[0].data["found"] == [str(patient.external_id)]
    assert entries[1].data["found"] == []
