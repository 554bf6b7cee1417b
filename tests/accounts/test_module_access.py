"""The delegate's module: who reaches each page (STYLE R15), and which sections each
entity type shows."""

import uuid

import pytest
from django.urls import reverse

from entities.models import NetworkLink, TerritorialLink

from ..entities.factories import EntityFactory, PayerCodeFactory, SedeFactory, grant
from .factories import UserFactory

pytestmark = pytest.mark.django_db

# (URL name, section, object the URL names). Sections: which entity type's delegate may use
# the page, through which permission.
VIEWS = [
    ("module_home", "users", None),
    ("module_users", "users", None),
    ("module_users_csv", "users", None),
    ("module_activate", "users", None),
    ("module_membership_inactivate", "users", "membership"),
    ("module_membership_history", "users", "membership"),
    ("module_sedes", "sedes", None),
    ("module_sede_create", "sedes", None),
    ("module_sede_edit", "sedes", "sede"),
    ("module_sede_toggle", "sedes", "sede"),
    ("module_network", "network", None),
    ("module_network_csv", "network", None),
    ("module_network_associate", "network", None),
    ("module_network_inactivate", "network", "network_link"),
    ("module_network_history", "network", "network_link"),
    ("module_territory", "territory", None),
    ("module_territory_associate", "territory", None),
    ("module_territory_inactivate", "territory", "territorial_link"),
    ("module_territory_history", "territory", "territorial_link"),
]
# The entity type a section is tried on, a role there without the permission, and a
# delegate of another type, who lacks the section's permission in their own entity.
SECTION_CAST = {
    "users": ("IPS", "prescriptor", None),
    "sedes": ("PROVEEDOR", "dispensador", "EPS"),
    "network": ("EPS", "transcriptor", "PROVEEDOR"),
    "territory": ("ET", "administrativo", "EPS"),
}


def _object_arg(kind, entity):
    """An object of `entity` for the URL (or a made-up id when `kind` is None)."""
    if kind == "membership":
        return grant(UserFactory(), entity, "administrativo").external_id
    if kind == "sede":
        return SedeFactory(entity=entity).external_id
    if kind == "network_link":
        return NetworkLink.objects.create(
            payer=entity,
            payer_code=PayerCodeFactory(entity=entity),
            provider=EntityFactory(entity_type="IPS"),
        ).external_id
    if kind == "territorial_link":
        code = PayerCodeFactory(regime="subsidiado")
        return TerritorialLink.objects.create(territory=entity, payer_code=code).external_id
    return None


def _url(name, entity, arg=None):
    args = [entity.external_id] if arg is None else [entity.external_id, arg]
    return reverse(f"accounts:{name}", args=args)


def _setup(name, section, kind):
    entity_type, weak_role, _other = SECTION_CAST[section]
    entity = EntityFactory(entity_type=entity_type)
    delegate, member, outsider = UserFactory(), UserFactory(), UserFactory()
    grant(delegate, entity, "delegado")
    grant(member, entity, weak_role)
    grant(outsider, EntityFactory(entity_type=entity_type), "delegado")
    return entity, delegate, member, outsider, _url(name, entity, _object_arg(kind, entity))


@pytest.mark.parametrize(("name", "section", "kind"), VIEWS)
def test_login_required(client, name, section, kind):
    *_people, url = _setup(name, section, kind)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "section", "kind"), VIEWS)
def test_the_delegate_gets_the_page(client, name, section, kind):
    _entity, delegate, _member, _outsider, url = _setup(name, section, kind)
    client.force_login(delegate)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("name", "section", "kind"), VIEWS)
def test_outsider_gets_404(client, name, section, kind):
    *_people, outsider, url = _setup(name, section, kind)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(("name", "section", "kind"), VIEWS)
def test_a_member_without_the_permission_gets_403(client, name, section, kind):
    _entity, _delegate, member, _outsider, url = _setup(name, section, kind)
    client.force_login(member)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


@pytest.mark.parametrize(("name", "section", "kind"), [v for v in VIEWS if SECTION_CAST[v[1]][2]])
def test_a_delegate_of_the_wrong_entity_type_gets_403(client, name, section, kind):
    other_type = SECTION_CAST[section][2]
    entity = EntityFactory(entity_type=other_type)
    delegate = UserFactory()
    grant(delegate, entity, "delegado")
    made_up = uuid.uuid4() if kind else None
    client.force_login(delegate)
    assert client.get(_url(name, entity, made_up)).status_code == 403


@pytest.mark.parametrize(("name", "kind"), [(v[0], v[2]) for v in VIEWS if v[2] is not None])
def test_a_delegate_naming_another_entitys_object_in_their_own_url_gets_404(client, name, kind):
    """Every object goes through a selector filtered by the delegate's entity."""
    section = next(v[1] for v in VIEWS if v[0] == name)
    entity_type = SECTION_CAST[section][0]
    mine, theirs = EntityFactory(entity_type=entity_type), EntityFactory(entity_type=entity_type)
    delegate = UserFactory()
    grant(delegate, mine, "delegado")
    foreign = _object_arg(kind, theirs)
    client.force_login(delegate)
    assert client.get(_url(name, mine, foreign)).status_code == 404
    if not name.endswith("_history"):
        assert client.post(_url(name, mine, foreign), {"reason": "x"}).status_code == 404


def test_a_suspended_entitys_delegate_gets_403(client, ips, owner):
    ips.status = "suspended"
    ips.save(update_fields=["status"])
    client.force_login(owner)
    assert client.get(_url("module_home", ips)).status_code == 403


@pytest.mark.parametrize(
    ("entity_type", "shown", "hidden"),
    [
        ("IPS", ["module_sedes"], ["module_network", "module_territory"]),
        ("PROVEEDOR", ["module_sedes"], ["module_network", "module_territory"]),
        ("EPS", ["module_network"], ["module_sedes", "module_territory"]),
        ("EOC", ["module_network"], ["module_sedes", "module_territory"]),
        ("ET", ["module_network", "module_territory"], ["module_sedes"]),
    ],
)
def test_the_module_home_shows_only_what_the_entity_type_allows(client, entity_type, shown, hidden):
    entity = EntityFactory(entity_type=entity_type)
    delegate = UserFactory()
    grant(delegate, entity, "delegado")
    client.force_login(delegate)
    page = client.get(_url("module_home", entity)).content.decode()
    assert _url("module_users", entity) in page and _url("module_activate", entity) in page
    for name in shown:
        assert _url(name, entity) in page
    for name in hidden:
        assert _url(name, entity) not in page


def test_home_and_entity_page_link_the_module_for_the_delegate_only(
    client, ips, owner, member_readonly
):
    module = _url("module_home", ips)
    entity_page = reverse("entities:detail", args=[ips.external_id])
    client.force_login(owner)
    assert module in client.get(reverse("home")).content.decode()
    assert module in client.get(entity_page).content.decode()
    client.force_login(member_readonly)
    assert module not in client.get(reverse("home")).content.decode()
    assert module not in client.get(entity_page).content.decode()


def test_module_pages_lead_back_to_the_module_and_the_entity(client, ips, owner):
    client.force_login(owner)
    page = client.get(_url("module_activate", ips)).content.decode()
    assert _url("module_home", ips) in page
    assert reverse("entities:detail", args=[ips.external_id]) in page
