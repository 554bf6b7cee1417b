import pytest
from django.urls import reverse

from prescriptions.models import Prescription

from .test_prescribing import issue_prescription

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, ministry_admin):
    ministry_admin.is_superuser = True
    ministry_admin.save()
    client.force_login(ministry_admin)
    return client


@pytest.mark.parametrize(
    "name",
    [
        "prescriptions_prescription",
        "prescriptions_juntadecision",
        "prescriptions_novelty",
        "prescriptions_tutela",
    ],
)
def test_prescription_records_are_searchable_and_read_only(
    admin_client, prescribing, catalog, name
):
    prescription = issue_prescription(prescribing, catalog)
    response = admin_client.get(reverse(f"admin:{name}_changelist"), {"q": prescription.number})
    assert response.status_code == 200
    assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_a_prescription_opens_with_its_lines_and_cannot_be_changed(
    admin_client, prescribing, catalog
):
    prescription = issue_prescription(prescribing, catalog)
    url = reverse("admin:prescriptions_prescription_change", args=[prescription.pk])
    page = admin_client.get(url).content.decode()
    assert prescription.number in page and "METFORMINA" in page
    admin_client.post(url, {"status": 2})
    assert Prescription.objects.get(pk=prescription.pk).status == 4
