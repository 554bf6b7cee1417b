import pytest
from django.urls import reverse

from .conftest import direct

pytestmark = pytest.mark.django_db

NAMES = [
    "deliverable",
    "direccionamiento",
    "nodireccionamiento",
    "proceduresupply",
    "programacion",
    "entrega",
    "reporteentrega",
    "facturacion",
    "datosfacturados",
    "suministro",
]


@pytest.fixture
def admin_client(client, ministry_admin):
    ministry_admin.is_superuser = True
    ministry_admin.save()
    client.force_login(ministry_admin)
    return client


@pytest.mark.parametrize("name", NAMES)
def test_supply_records_are_searchable_and_read_only(admin_client, world, name):
    [direccionamiento] = direct(world)
    number = world["prescription"].number
    response = admin_client.get(reverse(f"admin:supply_{name}_changelist"), {"q": number})
    assert response.status_code == 200
    if name in ("deliverable", "direccionamiento"):
        assert str(direccionamiento.deliverable_id) in response.content.decode()
    assert admin_client.get(reverse(f"admin:supply_{name}_add")).status_code == 403


def test_a_record_cannot_be_changed_in_the_admin(admin_client, world):
    [direccionamiento] = direct(world)
    url = reverse("admin:supply_direccionamiento_change", args=[direccionamiento.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"status": 0})
    direccionamiento.refresh_from_db()
    assert direccionamiento.status == 1
