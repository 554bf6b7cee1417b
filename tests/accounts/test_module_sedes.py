"""The delegate's module, sedes of an IPS or proveedor: create, edit, inactivate and
reactivate (with the confirmation page)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from entities.models import AuditEntry, Sede

from ..entities.factories import EntityFactory, SedeFactory, grant
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(name, entity, *args):
    return reverse(f"accounts:{name}", args=[entity.external_id, *args])


@pytest.fixture
def proveedor():
    return EntityFactory(entity_type="PROVEEDOR")


@pytest.fixture
def delegate(proveedor):
    user = UserFactory()
    grant(user, proveedor, "delegado")
    return user


def _data(**overrides):
    return {
        "code": "07",
        "name": "Droguería del Centro",
        "address": "Carrera 50 # 50-10",
        "municipality": "05001",
        "phone": "6045555555",
        **overrides,
    }


def test_the_delegate_creates_a_sede(client, proveedor, delegate):
    client.force_login(delegate)
    response = client.post(_url("module_sede_create", proveedor), _data())
    assert response.status_code == 302 and response.url == _url("module_sedes", proveedor)
    sede = Sede.objects.get(entity=proveedor)
    assert (sede.code, sede.name, sede.municipality_id, sede.active) == (
        "07",
        "Droguería del Centro",
        "05001",
        True,
    )
    assert AuditEntry.objects.get(action="entities.sede.created").actor == delegate
    page = client.get(_url("module_sedes", proveedor)).content.decode()
    assert "Droguería del Centro" in page and "Medellín" in page


def test_an_ips_delegate_creates_sedes_too(client, ips, owner):
    client.force_login(owner)
    assert client.post(_url("module_sede_create", ips), _data()).status_code == 302
    assert ips.sedes.count() == 1


def test_a_duplicate_code_is_refused_beside_the_code(client, proveedor, delegate):
    SedeFactory(entity=proveedor, code="07")
    client.force_login(delegate)
    response = client.post(_url("module_sede_create", proveedor), _data())
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "La entidad ya tiene una sede con este código."
    ]
    assert proveedor.sedes.count() == 1


def test_another_entity_may_use_the_same_code(client, proveedor, delegate):
    SedeFactory(code="07")
    client.force_login(delegate)
    assert client.post(_url("module_sede_create", proveedor), _data()).status_code == 302


def test_an_unknown_municipality_is_refused_in_spanish(client, proveedor, delegate):
    client.force_login(delegate)
    response = client.post(_url("module_sede_create", proveedor), _data(municipality="99999"))
    assert response.context["form"].errors["municipality"] == [
        "No existe un municipio con el código DIVIPOLA «99999»."
    ]
    assert not proveedor.sedes.exists()


def test_the_model_validation_reaches_the_form(client, proveedor, delegate):
    client.force_login(delegate)
    response = client.post(_url("module_sede_create", proveedor), _data(code="A-1"))
    assert "Escriba solo dígitos" in response.context["form"].errors["code"][0]
    assert not proveedor.sedes.exists()


def test_the_delegate_edits_a_sede(client, proveedor, delegate):
    sede = SedeFactory(entity=proveedor, code="01", name="Antigua")
    client.force_login(delegate)
    url = _url("module_sede_edit", proveedor, sede.external_id)
    assert client.get(url).context["form"].initial["name"] == "Antigua"
    response = client.post(url, _data(code="01", name="Sede Norte", municipality="11001"))
    assert response.status_code == 302
    sede.refresh_from_db()
    assert (sede.name, sede.municipality_id) == ("Sede Norte", "11001")
    entry = AuditEntry.objects.get(action="entities.sede.updated")
    assert entry.data["changes"]["name"] == ["Antigua", "Sede Norte"]


def test_editing_to_a_taken_code_is_refused(client, proveedor, delegate):
    SedeFactory(entity=proveedor, code="01")
    sede = SedeFactory(entity=proveedor, code="02")
    client.force_login(delegate)
    response = client.post(_url("module_sede_edit", proveedor, sede.external_id), _data(code="01"))
    assert response.context["form"].errors["code"] == [
        "La entidad ya tiene una sede con este código."
    ]
    sede.refresh_from_db()
    assert sede.code == "02"


def test_inactivation_needs_a_reason_then_reactivation(client, proveedor, delegate):
    sede = SedeFactory(entity=proveedor)
    url = _url("module_sede_toggle", proveedor, sede.external_id)
    client.force_login(delegate)
    page = client.get(url).content.decode()
    assert "Inactivar la sede" in page and "Motivo" in page
    response = client.post(url, {"target": "inactivar", "reason": ""})
    assert "reason" in response.context["form"].errors
    sede.refresh_from_db()
    assert sede.active
    response = client.post(url, {"target": "inactivar", "reason": "Cierre por remodelación"})
    assert response.status_code == 302
    sede.refresh_from_db()
    assert not sede.active
    assert AuditEntry.objects.get(action="entities.sede.inactivated").data["reason"] == (
        "Cierre por remodelación"
    )
    assert "Reactivar la sede" in client.get(url).content.decode()
    assert client.post(url, {"target": "reactivar", "reason": ""}).status_code == 302
    sede.refresh_from_db()
    assert sede.active


def test_a_repeated_inactivation_does_not_flip_the_sede_back(client, proveedor, delegate):
    sede = SedeFactory(entity=proveedor)
    url = _url("module_sede_toggle", proveedor, sede.external_id)
    client.force_login(delegate)
    client.post(url, {"target": "inactivar", "reason": "Cierre"})
    response = client.post(url, {"target": "inactivar", "reason": "Cierre"})
    sede.refresh_from_db()
    assert not sede.active
    *_earlier, message = get_messages(response.wsgi_request)
    assert "ya está inactiva" in str(message)
    assert AuditEntry.objects.filter(action__startswith="entities.sede.").count() == 1


def test_an_inactive_sede_is_no_longer_offered_to_dispensadores(client, proveedor, delegate):
    sede = SedeFactory(entity=proveedor)
    client.force_login(delegate)
    client.post(
        _url("module_sede_toggle", proveedor, sede.external_id),
        {"target": "inactivar", "reason": "Cierre"},
    )
    form = client.get(_url("module_activate", proveedor)).context["form"]
    assert sede not in form.fields["sedes"].queryset


def test_the_sede_list_shows_active_and_inactive(client, proveedor, delegate):
    SedeFactory(entity=proveedor, name="Abierta")
    SedeFactory(entity=proveedor, name="Cerrada", active=False)
    client.force_login(delegate)
    page = client.get(_url("module_sedes", proveedor)).content.decode()
    assert "Abierta" in page and "Cerrada" in page and "Reactivar" in page
