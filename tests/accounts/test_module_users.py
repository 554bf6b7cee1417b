"""The delegate's module, users: activation by document, "Consulta de usuarios" (filters,
pages, CSV), inactivation with a reason and the history of a person in the entity."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Profession
from entities.models import AuditEntry, Membership

from ..entities.factories import EntityFactory, SedeFactory, grant
from .factories import ProfessionalRecordFactory, ProviderRegistryRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name, entity, *args):
    return reverse(f"accounts:{name}", args=[entity.external_id, *args])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _professional(profession=Profession.MEDICINA, *, active=True, **user_fields):
    """A person with credentials and a RETHUS record in `profession`."""
    user = UserFactory(**user_fields)
    ProfessionalRecordFactory(
        document_type=user.document_type,
        document_number=user.document_number,
        first_name=user.first_name,
        first_surname=user.first_surname,
        profession=profession,
        active=active,
        source="test",
    )
    return user


def _activate(client, entity, person, role, **extra):
    data = {
        "document_type": person.document_type,
        "document_number": person.document_number,
        "role": role,
        "action": "activar",
        **extra,
    }
    return client.post(_url("module_activate", entity), data)


# Activation ----------------------------------------------------------------------------


def test_the_delegate_activates_a_medico_as_prescriptor(client, ips, owner):
    medico = _professional()
    client.force_login(owner)
    response = _activate(client, ips, medico, "prescriptor")
    assert response.status_code == 302
    assert response.url == _url("module_users", ips)
    membership = Membership.objects.get(user=medico, entity=ips)
    assert membership.role == "prescriptor" and membership.is_active
    assert membership.started_by == owner
    entry = AuditEntry.objects.get(action="entities.membership.activated", object_id=membership.pk)
    assert entry.actor == owner and entry.entity == ips
    assert "quedó activo(a) como Prescriptor" in _messages(response)[0]


def test_the_activation_page_never_asks_for_a_password(client, ips, owner):
    client.force_login(owner)
    page = client.get(_url("module_activate", ips)).content.decode()
    assert 'type="password"' not in page
    assert 'name="document_number"' in page
    # «Buscar» submits before the role is chosen: no browser-side required check.
    assert 'value="buscar"' in page and "formnovalidate" in page


def test_reactivating_an_active_role_is_a_clear_no_op(client, ips, owner):
    medico = _professional()
    client.force_login(owner)
    _activate(client, ips, medico, "prescriptor")
    response = _activate(client, ips, medico, "prescriptor")
    assert response.status_code == 302
    assert response.url == _url("module_users", ips)
    *_earlier, message = get_messages(response.wsgi_request)
    assert message.level_tag == "info"
    assert "ya tiene el rol Prescriptor activo" in str(message)
    assert Membership.objects.filter(user=medico, entity=ips).count() == 1


def test_a_nutricionista_cannot_be_prescriptor(client, ips, owner):
    nutricionista = _professional(Profession.NUTRICION_DIETETICA)
    client.force_login(owner)
    response = _activate(client, ips, nutricionista, "prescriptor")
    assert response.status_code == 200
    [error] = response.context["form"].errors["role"]
    assert "nutrición y dietética: no puede ser Prescriptor" in error
    assert "Prescriptor es para médicos, odontólogos y optómetras" in error
    assert not Membership.objects.filter(user=nutricionista).exists()
    assert not AuditEntry.objects.filter(action="entities.membership.activated").exists()


def test_a_nutricionista_is_activated_as_ordenador(client, ips, owner):
    nutricionista = _professional(Profession.NUTRICION_DIETETICA)
    client.force_login(owner)
    assert _activate(client, ips, nutricionista, "ordenador").status_code == 302
    assert Membership.objects.get(user=nutricionista).role == "ordenador"


@pytest.mark.parametrize("in_rethus", ["absent", "inactive"])
def test_a_medico_not_active_in_rethus_cannot_be_prescriptor(client, ips, owner, in_rethus):
    medico = UserFactory() if in_rethus == "absent" else _professional(active=False)
    client.force_login(owner)
    response = _activate(client, ips, medico, "prescriptor")
    [error] = response.context["form"].errors["role"]
    assert "no aparece activo en RETHUS: no puede ser Prescriptor" in error
    assert not Membership.objects.filter(user=medico).exists()


def test_a_person_without_credentials_cannot_be_activated(client, ips, owner):
    person = _professional()
    person.set_unusable_password()
    person.save(update_fields=["password"])
    client.force_login(owner)
    response = _activate(client, ips, person, "prescriptor")
    [error] = response.context["form"].errors["document_number"]
    assert "aún no tiene usuario y contraseña" in error and "PASO 2" in error
    assert not Membership.objects.filter(user=person).exists()


def test_an_unregistered_document_is_refused_beside_the_number(client, ips, owner):
    client.force_login(owner)
    response = client.post(
        _url("module_activate", ips),
        {
            "document_type": "CC",
            "document_number": "99999999",
            "role": "admision",
            "action": "activar",
        },
    )
    [error] = response.context["form"].errors["document_number"]
    assert "No hay ninguna persona registrada" in error
    assert not Membership.objects.filter(entity=ips, role="admision").exists()


def test_delegado_is_not_offered_and_refused_if_posted(client, ips, owner):
    person = UserFactory()
    client.force_login(owner)
    form = client.get(_url("module_activate", ips)).context["form"]
    offered = [value for value, _label in form.fields["role"].choices]
    assert "delegado" not in offered
    assert "prescriptor" in offered and "dispensador" in offered
    response = _activate(client, ips, person, "delegado")
    [error] = response.context["form"].errors["role"]
    assert "lo designa el representante legal" in error
    assert not Membership.objects.filter(user=person).exists()


def test_a_role_of_another_entity_type_is_not_offered(client):
    proveedor = EntityFactory(entity_type="PROVEEDOR")
    delegate = UserFactory()
    grant(delegate, proveedor, "delegado")
    client.force_login(delegate)
    response = _activate(client, proveedor, UserFactory(), "prescriptor")
    assert "role" in response.context["form"].errors
    assert not Membership.objects.filter(entity=proveedor, role="prescriptor").exists()


def test_a_dispensador_gets_only_the_chosen_active_sedes_of_the_entity(client):
    proveedor = EntityFactory(entity_type="PROVEEDOR")
    delegate = UserFactory()
    grant(delegate, proveedor, "delegado")
    north, south = SedeFactory(entity=proveedor), SedeFactory(entity=proveedor)
    closed = SedeFactory(entity=proveedor, active=False)
    foreign = SedeFactory()
    client.force_login(delegate)
    offered = client.get(_url("module_activate", proveedor)).context["form"].fields["sedes"]
    assert list(offered.queryset) == [north, south]
    person = UserFactory()
    for sede in (closed, foreign):
        response = _activate(client, proveedor, person, "dispensador", sedes=[sede.external_id])
        assert "sedes" in response.context["form"].errors
    response = _activate(client, proveedor, person, "dispensador", sedes=[south.external_id])
    assert response.status_code == 302
    assert list(Membership.objects.get(user=person).sedes.all()) == [south]


def test_sedes_posted_for_another_role_are_ignored(client):
    proveedor = EntityFactory(entity_type="PROVEEDOR")
    delegate = UserFactory()
    grant(delegate, proveedor, "delegado")
    sede = SedeFactory(entity=proveedor)
    person = UserFactory()
    client.force_login(delegate)
    _activate(client, proveedor, person, "administrativo", sedes=[sede.external_id])
    assert not Membership.objects.get(user=person).sedes.exists()


def test_an_eps_activates_an_independent_professional_with_nit_and_reps(client):
    eps = EntityFactory(entity_type="EPS")
    delegate = UserFactory()
    grant(delegate, eps, "delegado")
    medico = _professional()
    record = ProviderRegistryRecordFactory(
        nit="79123456",
        independent_professional=True,
        document_type=medico.document_type,
        document_number=medico.document_number,
    )
    client.force_login(delegate)
    response = _activate(client, eps, medico, "prescriptor")
    [error] = response.context["form"].errors["reps_code"]
    assert "indique su NIT y su código REPS" in error
    response = _activate(
        client, eps, medico, "prescriptor", nit="79.123.456", reps_code="999999999999"
    )
    assert "no existe o no está habilitado" in response.context["form"].errors["reps_code"][0]
    assert not Membership.objects.filter(user=medico).exists()
    response = _activate(
        client, eps, medico, "prescriptor", nit="79123456", reps_code=record.habilitation_code
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=medico, entity=eps).reps_code == record.habilitation_code


def test_buscar_shows_the_person_and_their_rethus_professions(client, ips, owner):
    medico = _professional(first_name="Valentina", first_surname="Ospina")
    grant(medico, ips, "junta")
    client.force_login(owner)
    response = client.post(
        _url("module_activate", ips),
        {"document_type": "CC", "document_number": medico.document_number, "action": "buscar"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Valentina Ospina" in page and "Medicina" in page
    assert "Junta de Profesionales" in page  # her role here already
    assert not response.context["form"].errors  # no complaint about the role yet
    assert not Membership.objects.filter(user=medico, role="prescriptor").exists()


def test_buscar_reveals_nothing_about_an_unregistered_document(client, ips, owner):
    # In RETHUS but never registered in PASO 1: the page says only "no registrado".
    ProfessionalRecordFactory(
        document_number="70111222", first_name="Escondido", first_surname="Nadie", source="test"
    )
    client.force_login(owner)
    response = client.post(
        _url("module_activate", ips),
        {"document_type": "CC", "document_number": "70111222", "action": "buscar"},
    )
    page = response.content.decode()
    assert "No registrado." in page
    assert "Escondido" not in page and "Medicina" not in page


# Consulta de usuarios ------------------------------------------------------------------


@pytest.fixture
def staff(ips, owner):
    """A small cast: two active, one inactive, with accents in their names."""
    gomez = UserFactory(first_name="José", first_surname="Góngora", document_number="10101010")
    munoz = UserFactory(first_name="Ana", first_surname="Ñústez", document_number="20202020")
    old = UserFactory(first_name="Luis", first_surname="Piñérez", document_number="30303030")
    grant(gomez, ips, "admision")
    grant(munoz, ips, "anulador")
    ended = grant(old, ips, "admision")
    ended.ended_at, ended.ended_by = ended.started_at, owner
    ended.save(update_fields=["ended_at", "ended_by"])
    return {"gomez": gomez, "munoz": munoz, "old": old}


def _listed(response) -> set[str]:
    return {m.user.document_number for m in response.context["page"].object_list}


def test_users_list_shows_active_members_by_default(client, ips, owner, staff, member_readonly):
    client.force_login(owner)
    response = client.get(_url("module_users", ips))
    assert _listed(response) == {
        owner.document_number,
        member_readonly.document_number,
        "10101010",
        "20202020",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "inactivo"}, {"30303030"}),
        ({"state": "todos", "role": "admision"}, {"10101010", "30303030"}),
        ({"role": "anulador"}, {"20202020"}),
        ({"document": "0202"}, {"20202020"}),
        ({"name": "gongora"}, {"10101010"}),
        ({"name": "NUSTEZ ana"}, {"20202020"}),
        ({"name": "josé góngora"}, {"10101010"}),
        ({"name": "pinerez", "state": "todos"}, {"30303030"}),
        ({"name": "nadie"}, set()),
    ],
)
def test_users_list_filters(client, ips, owner, staff, query, expected):
    client.force_login(owner)
    assert _listed(client.get(_url("module_users", ips), query)) == expected


def test_users_list_shows_who_activated_and_the_actions(client, ips, owner, staff):
    medico = _professional()
    client.force_login(owner)
    _activate(client, ips, medico, "prescriptor")
    page = client.get(_url("module_users", ips), {"document": medico.document_number})
    html = page.content.decode()
    membership = Membership.objects.get(user=medico)
    assert owner.get_full_name() in html
    assert _url("module_membership_inactivate", ips, membership.external_id) in html
    assert _url("module_membership_history", ips, membership.external_id) in html
    # The delegate's own role cannot be inactivated from here.
    delegate_row = client.get(_url("module_users", ips), {"role": "delegado"}).content.decode()
    assert (
        _url("module_membership_inactivate", ips, owner.memberships.get().external_id)
        not in delegate_row
    )


def test_users_list_pages_keep_the_filters(client, ips, owner):
    for _ in range(30):
        grant(UserFactory(), ips, "admision")
    client.force_login(owner)
    first = client.get(_url("module_users", ips), {"role": "admision"})
    assert len(first.context["page"].object_list) == 25
    assert "?role=admision&amp;pagina=2" in first.content.decode()
    second = client.get(_url("module_users", ips), {"role": "admision", "pagina": 2})
    assert len(second.context["page"].object_list) == 5


def test_users_list_does_not_grow_queries_with_members(
    client, ips, owner, django_assert_max_num_queries
):
    sedes = [SedeFactory(entity=ips) for _ in range(3)]
    for n in range(20):
        membership = grant(UserFactory(), ips, "dispensador" if n % 2 else "admision")
        membership.started_by = owner
        membership.save(update_fields=["started_by"])
        if n % 2:
            membership.sedes.set(sedes[: n % 3 + 1])
    client.force_login(owner)
    with django_assert_max_num_queries(15):
        response = client.get(_url("module_users", ips))
    assert len(response.context["page"].object_list) == 21


def _csv_rows(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_users_csv_has_the_filtered_rows_with_spanish_columns(client, ips, owner, staff):
    client.force_login(owner)
    response = client.get(_url("module_users_csv", ips), {"role": "admision", "state": "todos"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="usuarios-')
    header, *rows = _csv_rows(response)
    assert header[:5] == [
        "Tipo de documento",
        "Número de documento",
        "Nombre completo",
        "Rol",
        "Estado",
    ]
    assert sorted((r[1], r[2], r[4]) for r in rows) == [
        ("10101010", "José Góngora", "Activo"),
        ("30303030", "Luis Piñérez", "Inactivo"),
    ]
    inactive = next(r for r in rows if r[1] == "30303030")
    assert inactive[header.index("Inactivado por")] == owner.get_full_name()


def test_users_csv_neutralises_spreadsheet_formulas(client, ips, owner):
    grant(UserFactory(first_name='=HYPERLINK("http://x")', first_surname="Ruiz"), ips, "admision")
    client.force_login(owner)
    _header, *rows = _csv_rows(client.get(_url("module_users_csv", ips), {"role": "admision"}))
    assert rows[0][2].startswith("'=HYPERLINK")


# Inactivation and history --------------------------------------------------------------


def test_inactivation_asks_for_a_reason_and_records_it(client, ips, owner, member_readonly):
    membership = member_readonly.memberships.get()
    url = _url("module_membership_inactivate", ips, membership.external_id)
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert member_readonly.get_full_name() in page and "Prescriptor" in page and "Motivo" in page
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    membership.refresh_from_db()
    assert membership.is_active
    response = client.post(url, {"reason": "Terminó su contrato"})
    assert response.status_code == 302 and response.url == _url("module_users", ips)
    membership.refresh_from_db()
    assert not membership.is_active and membership.ended_by == owner
    entry = AuditEntry.objects.get(action="entities.membership.inactivated")
    assert entry.data["reason"] == "Terminó su contrato" and entry.actor == owner


def test_inactivating_twice_says_it_is_already_inactive(client, ips, owner, member_readonly):
    url = _url("module_membership_inactivate", ips, member_readonly.memberships.get().external_id)
    client.force_login(owner)
    client.post(url, {"reason": "Fin"})
    response = client.post(url, {"reason": "Fin"})
    assert "Este registro ya está inactivo." in _messages(response)
    assert AuditEntry.objects.filter(action="entities.membership.inactivated").count() == 1


def test_the_delegado_role_cannot_be_inactivated_here(client, ips, owner):
    url = _url("module_membership_inactivate", ips, owner.memberships.get().external_id)
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "lo designa el representante legal" in page and 'name="reason"' not in page
    response = client.post(url, {"reason": "Me voy"})
    assert "lo designa el representante legal" in _messages(response)[0]
    assert owner.memberships.get().is_active


def test_a_delegate_of_ips_a_cannot_inactivate_a_member_of_ips_b(
    client, ips, outsider, other_ips, member_readonly
):
    membership = member_readonly.memberships.get()
    client.force_login(outsider)
    # Through their own entity's URL (selector scoped by entity) and through IPS B's URL.
    for entity in (other_ips, ips):
        url = _url("module_membership_inactivate", entity, membership.external_id)
        assert client.post(url, {"reason": "No"}).status_code == 404
    membership.refresh_from_db()
    assert membership.is_active


def test_history_shows_every_period_with_who_and_when(client, ips, owner):
    medico = _professional()
    client.force_login(owner)
    _activate(client, ips, medico, "prescriptor")
    first = Membership.objects.get(user=medico)
    client.post(
        _url("module_membership_inactivate", ips, first.external_id), {"reason": "Licencia"}
    )
    _activate(client, ips, medico, "prescriptor")
    _activate(client, ips, medico, "junta")
    assert Membership.objects.filter(user=medico, entity=ips).count() == 3
    response = client.get(_url("module_membership_history", ips, first.external_id))
    page = response.content.decode()
    assert len(response.context["periods"]) == 3
    assert page.count(owner.get_full_name()) >= 3
    assert "Rol inactivado para un usuario." in page and "Licencia" in page
    assert "entities.membership.inactivated" not in page
    assert len(response.context["entries"]) == 4  # three activations, one inactivation


def test_history_shows_only_this_entitys_periods(client, ips, owner, other_ips):
    person = UserFactory()
    here = grant(person, ips, "admision")
    grant(person, other_ips, "anulador")
    client.force_login(owner)
    response = client.get(_url("module_membership_history", ips, here.external_id))
    assert [p.entity_id for p in response.context["periods"]] == [ips.pk]
