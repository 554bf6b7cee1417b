import pytest
from django.urls import reverse
from stdnum.co import nit as stdnum_nit

from accounts.models import User
from entities.models import AuditEntry, Entity

from ..entities.factories import EntityFactory
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, ministry_admin):
    ministry_admin.is_superuser = True
    ministry_admin.save()
    client.force_login(ministry_admin)
    return client


def _entity_form(**overrides):
    data = {
        "entity_type": "EPS",
        "nit": "900555111",
        "dv": stdnum_nit.calc_check_digit("900555111"),
        "name": "EPS Registrada en Admin",
        "municipality": "11001",
        "payer_codes-TOTAL_FORMS": "0",
        "payer_codes-INITIAL_FORMS": "0",
        "sedes-TOTAL_FORMS": "0",
        "sedes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_creates_an_entity_and_audits_it(admin_client, ministry_admin):
    response = admin_client.post(reverse("admin:entities_entity_add"), _entity_form())
    assert response.status_code == 302
    entity = Entity.objects.get(nit="900555111")
    assert entity.status == Entity.Status.PENDING
    entry = AuditEntry.objects.get(action="entities.entity.created")
    assert entry.actor == ministry_admin and entry.entity == entity


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"dv": "X"}, "dv", "Escriba solo dígitos"),
        (
            {"dv": str((int(stdnum_nit.calc_check_digit("900555111")) + 1) % 10)},
            "dv",
            "El dígito de verificación no corresponde a este NIT.",
        ),
        ({"municipality": "99999"}, "municipality", "No existe un municipio con el código"),
    ],
)
def test_admin_entity_bad_input(admin_client, overrides, field, message):
    response = admin_client.post(reverse("admin:entities_entity_add"), _entity_form(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in e for e in errors[field])
    assert not Entity.objects.filter(nit="900555111").exists()


def test_admin_duplicate_nit(admin_client):
    existing = EntityFactory()
    response = admin_client.post(
        reverse("admin:entities_entity_add"), _entity_form(nit=existing.nit, dv=existing.dv)
    )
    errors = response.context["adminform"].form.errors
    assert errors["nit"] == ["Ya existe una entidad registrada con este NIT."]
    assert Entity.objects.filter(nit=existing.nit).count() == 1


def test_admin_verify_action(admin_client):
    entity = EntityFactory(status="pending")
    response = admin_client.post(
        reverse("admin:entities_entity_changelist"),
        {"action": "verify", "_selected_action": [entity.pk]},
    )
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.status == Entity.Status.VERIFIED
    assert AuditEntry.objects.filter(action="entities.entity.verified", entity=entity).exists()


def test_admin_audit_entries_are_read_only(admin_client):
    entry = AuditEntry.objects.create(action="tests.thing.done")
    url = reverse("admin:entities_auditentry_change", args=[entry.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"action": "tests.thing.rewritten"})
    entry.refresh_from_db()
    assert entry.action == "tests.thing.done"
    assert admin_client.get(reverse("admin:entities_auditentry_add")).status_code == 403


def _person_form(**overrides):
    data = {
        "document_type": "CC",
        "document_number": "1012345678",
        "first_name": "Laura",
        "first_surname": "Mejía",
        "email": "laura@example.org",
        "usable_password": "false",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_person_without_password(admin_client):
    response = admin_client.post(reverse("admin:accounts_user_add"), _person_form())
    assert response.status_code == 302
    person = User.objects.get(username="CC 1012345678")
    assert not person.has_usable_password()


def test_admin_duplicate_document_is_refused_beside_the_number(admin_client):
    UserFactory(document_type="CC", document_number="1012345678")
    response = admin_client.post(reverse("admin:accounts_user_add"), _person_form())
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["document_number"] == [
        "Ya existe una persona registrada con este tipo y número de documento."
    ]
    assert User.objects.filter(document_number="1012345678").count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "accounts_user",
        "entities_entity",
        "entities_department",
        "entities_municipality",
        "entities_payercode",
        "entities_sede",
        "entities_membership",
        "entities_networklink",
        "entities_territoriallink",
        "entities_auditentry",
    ],
)
def test_every_model_has_a_searchable_admin_list(admin_client, name):
    response = admin_client.get(reverse(f"admin:{name}_changelist"), {"q": "a"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Buscar"' in page  # Django's own admin strings in Spanish
    assert response.context["cl"].search_fields


def test_admin_index_is_in_spanish(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Administración del Ministerio" in page
    assert "Entidades" in page and "Personas y cuentas" in page and "Auditoría" in page


def test_admin_is_closed_to_non_staff(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:entities_entity_changelist"))
    assert response.status_code == 302
