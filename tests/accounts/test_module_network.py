"""The delegate's module, networks: a payer associates IPS and proveedores by NIT (per
código EPS, and per entidad territorial for subsidiado), and an ET associates subsidiado
EPS in its territory."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from entities.models import AuditEntry, NetworkLink, TerritorialLink

from ..entities.factories import EntityFactory, PayerCodeFactory, grant
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(name, entity, *args):
    return reverse(f"accounts:{name}", args=[entity.external_id, *args])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def world():
    """An EPS with a contributivo and a subsidiado code, two ETs (one has associated the
    subsidiado code), a verified IPS and a proveedor, and the delegates."""
    eps = EntityFactory(entity_type="EPS", name="EPS Andina")
    contributivo = PayerCodeFactory(entity=eps, code="EPA001", regime="contributivo")
    subsidiado = PayerCodeFactory(entity=eps, code="EPAS01", regime="subsidiado")
    antioquia = EntityFactory(entity_type="ET", name="Gobernación de Antioquia")
    caldas = EntityFactory(entity_type="ET", name="Gobernación de Caldas", dane_code="17")
    TerritorialLink.objects.create(territory=antioquia, payer_code=subsidiado)
    delegate, et_delegate = UserFactory(), UserFactory()
    grant(delegate, eps, "delegado")
    grant(et_delegate, antioquia, "delegado")
    return {
        "eps": eps,
        "contributivo": contributivo,
        "subsidiado": subsidiado,
        "antioquia": antioquia,
        "caldas": caldas,
        "ips": EntityFactory(entity_type="IPS", name="Clínica del Río"),
        "proveedor": EntityFactory(entity_type="PROVEEDOR", name="Gestor Farmacéutico"),
        "delegate": delegate,
        "et_delegate": et_delegate,
    }


def _associate(client, world, provider, code, territory=None, nit=None):
    data = {"nit": nit or provider.nit, "payer_code": code.code}
    if territory is not None:
        data["territory"] = territory.external_id
    return client.post(_url("module_network_associate", world["eps"]), data)


def test_a_contributivo_code_associates_directly(client, world):
    client.force_login(world["delegate"])
    ips = world["ips"]
    response = _associate(client, world, ips, world["contributivo"], nit=ips.nit_display)
    assert response.status_code == 302 and response.url == _url("module_network", world["eps"])
    link = NetworkLink.objects.get(payer=world["eps"])
    assert (link.provider, link.payer_code, link.territory) == (ips, world["contributivo"], None)
    assert link.started_by == world["delegate"]
    assert AuditEntry.objects.get(action="entities.network_link.activated").entity == world["eps"]


def test_the_territory_choices_are_the_ets_that_associated_the_eps(client, world):
    client.force_login(world["delegate"])
    form = client.get(_url("module_network_associate", world["eps"])).context["form"]
    offered = [value for value, _label in form.fields["territory"].widget.choices if value]
    assert offered == [world["antioquia"].external_id]
    codes = [value for value, _label in form.fields["payer_code"].choices if value]
    assert [str(c) for c in codes] == ["EPA001", "EPAS01"]


def test_subsidiado_in_an_et_that_has_not_associated_the_eps_is_refused(client, world):
    client.force_login(world["delegate"])
    response = _associate(client, world, world["ips"], world["subsidiado"], world["caldas"])
    assert response.status_code == 200
    assert response.context["form"].errors["territory"] == [
        "La entidad territorial Gobernación de Caldas no ha asociado el código EPS EPAS01."
    ]
    assert not NetworkLink.objects.exists()


def test_subsidiado_without_a_territory_is_refused(client, world):
    client.force_login(world["delegate"])
    response = _associate(client, world, world["ips"], world["subsidiado"])
    assert "elija la entidad territorial" in response.context["form"].errors["territory"][0]
    assert not NetworkLink.objects.exists()


def test_subsidiado_in_an_et_that_associated_the_eps(client, world):
    client.force_login(world["delegate"])
    response = _associate(
        client, world, world["proveedor"], world["subsidiado"], world["antioquia"]
    )
    assert response.status_code == 302
    link = NetworkLink.objects.get()
    assert (link.provider, link.territory) == (world["proveedor"], world["antioquia"])


@pytest.mark.parametrize(
    "nit",
    ["", "123", "abc", "pending", "eps"],
)
def test_an_unknown_nit_is_refused_beside_the_nit(client, world, nit):
    if nit == "pending":
        nit = EntityFactory(entity_type="IPS", status="pending").nit
    elif nit == "eps":
        nit = world["eps"].nit  # not an IPS or proveedor
    client.force_login(world["delegate"])
    response = client.post(
        _url("module_network_associate", world["eps"]),
        {"nit": nit, "payer_code": "EPA001"},
    )
    assert response.status_code == 200
    assert "nit" in response.context["form"].errors
    if nit:
        assert (
            "No hay una IPS ni un proveedor verificado con el NIT"
            in (response.context["form"].errors["nit"][0])
        )
    assert not NetworkLink.objects.exists()


def test_another_payers_code_is_not_accepted(client, world):
    client.force_login(world["delegate"])
    other = PayerCodeFactory(code="OTR001")
    response = _associate(client, world, world["ips"], other)
    assert "payer_code" in response.context["form"].errors
    assert not NetworkLink.objects.exists()


def test_re_associating_an_active_link_is_a_clear_no_op(client, world):
    client.force_login(world["delegate"])
    _associate(client, world, world["ips"], world["contributivo"])
    response = _associate(client, world, world["ips"], world["contributivo"])
    assert response.status_code == 302
    assert _messages(response)[-1] == "Esta asociación ya está activa."
    assert NetworkLink.objects.count() == 1


def test_an_et_associates_its_network_without_a_code(client, world):
    client.force_login(world["et_delegate"])
    et = world["antioquia"]
    form = client.get(_url("module_network_associate", et)).context["form"]
    assert "payer_code" not in form.fields and "territory" not in form.fields
    response = client.post(_url("module_network_associate", et), {"nit": world["ips"].nit})
    assert response.status_code == 302
    link = NetworkLink.objects.get(payer=et)
    assert (link.payer_code, link.territory) == (None, None)


def test_inactivating_a_link_asks_for_a_reason(client, world):
    client.force_login(world["delegate"])
    _associate(client, world, world["ips"], world["contributivo"])
    link = NetworkLink.objects.get()
    url = _url("module_network_inactivate", world["eps"], link.external_id)
    page = client.get(url).content.decode()
    assert "Clínica del Río" in page and "EPA001" in page and "Motivo" in page
    assert "reason" in client.post(url, {"reason": ""}).context["form"].errors
    response = client.post(url, {"reason": "Terminó el contrato"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert not link.is_active and link.ended_by == world["delegate"]


def test_the_link_history_shows_who_and_when(client, world):
    client.force_login(world["delegate"])
    _associate(client, world, world["ips"], world["contributivo"])
    link = NetworkLink.objects.get()
    client.post(
        _url("module_network_inactivate", world["eps"], link.external_id), {"reason": "Fin"}
    )
    response = client.get(_url("module_network_history", world["eps"], link.external_id))
    page = response.content.decode()
    assert [e.action for e in response.context["entries"]] == [
        "entities.network_link.inactivated",
        "entities.network_link.activated",
    ]
    assert world["delegate"].username in page and "Fin" in page
    assert world["delegate"].get_full_name() in page


# Consulta de entidades -----------------------------------------------------------------


@pytest.fixture
def network(world):
    eps = world["eps"]
    links = {
        "ips": NetworkLink.objects.create(
            payer=eps, payer_code=world["contributivo"], provider=world["ips"]
        ),
        "proveedor": NetworkLink.objects.create(
            payer=eps,
            payer_code=world["subsidiado"],
            territory=world["antioquia"],
            provider=world["proveedor"],
        ),
    }
    old = NetworkLink.objects.create(
        payer=eps,
        payer_code=world["contributivo"],
        provider=EntityFactory(entity_type="IPS", name="Hospital Viejo"),
    )
    old.ended_at = old.started_at
    old.save(update_fields=["ended_at"])
    links["old"] = old
    return links


def _providers(response) -> set[str]:
    return {link.provider.name for link in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Clínica del Río", "Gestor Farmacéutico"}),
        ({"state": "inactivo"}, {"Hospital Viejo"}),
        ({"state": "todos"}, {"Clínica del Río", "Gestor Farmacéutico", "Hospital Viejo"}),
        ({"payer_code": "EPAS01"}, {"Gestor Farmacéutico"}),
        ({"provider_type": "IPS", "state": "todos"}, {"Clínica del Río", "Hospital Viejo"}),
        ({"query": "río"}, {"Clínica del Río"}),
    ],
)
def test_network_list_filters(client, world, network, query, expected):
    client.force_login(world["delegate"])
    assert _providers(client.get(_url("module_network", world["eps"]), query)) == expected


def test_network_list_filters_by_territory_and_nit(client, world, network):
    client.force_login(world["delegate"])
    url = _url("module_network", world["eps"])
    by_territory = client.get(url, {"territory": world["antioquia"].external_id})
    assert _providers(by_territory) == {"Gestor Farmacéutico"}
    by_nit = client.get(url, {"query": world["ips"].nit_display})
    assert _providers(by_nit) == {"Clínica del Río"}


def test_network_list_does_not_grow_queries_with_links(
    client, world, django_assert_max_num_queries
):
    for _ in range(20):
        NetworkLink.objects.create(
            payer=world["eps"],
            payer_code=world["contributivo"],
            provider=EntityFactory(entity_type="IPS"),
            started_by=world["delegate"],
        )
    client.force_login(world["delegate"])
    with django_assert_max_num_queries(15):
        response = client.get(_url("module_network", world["eps"]))
    assert len(response.context["page"].object_list) == 20


def test_network_csv(client, world, network):
    client.force_login(world["delegate"])
    response = client.get(_url("module_network_csv", world["eps"]), {"state": "todos"})
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    header, *rows = csv.reader(io.StringIO(content[1:]), delimiter=";")
    assert header[:3] == ["Código EPS", "Régimen", "Entidad territorial"]
    by_name = {row[header.index("Razón social")]: row for row in rows}
    assert set(by_name) == {"Clínica del Río", "Gestor Farmacéutico", "Hospital Viejo"}
    proveedor = by_name["Gestor Farmacéutico"]
    assert proveedor[:3] == ["EPAS01", "Subsidiado", "Gobernación de Antioquia"]
    assert by_name["Hospital Viejo"][header.index("Estado")] == "Inactivo"


# Territory -----------------------------------------------------------------------------


def test_an_et_associates_a_subsidiado_eps_by_code(client, world):
    other_eps = EntityFactory(entity_type="EPS", name="EPS Caribe")
    code = PayerCodeFactory(entity=other_eps, code="CARS01", regime="subsidiado")
    et = world["antioquia"]
    client.force_login(world["et_delegate"])
    response = client.post(_url("module_territory_associate", et), {"payer_code": " cars01 "})
    assert response.status_code == 302 and response.url == _url("module_territory", et)
    link = TerritorialLink.objects.get(payer_code=code)
    assert link.territory == et and link.started_by == world["et_delegate"]
    page = client.get(_url("module_territory", et)).content.decode()
    assert "CARS01" in page and "EPS Caribe" in page


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE01", "No existe un código EPS «NOPE01»."),
        ("EPA001", "El código EPS EPA001 no es del régimen subsidiado."),
    ],
)
def test_territory_refusals_beside_the_code(client, world, code, message):
    client.force_login(world["et_delegate"])
    response = client.post(
        _url("module_territory_associate", world["antioquia"]), {"payer_code": code}
    )
    assert response.context["form"].errors["payer_code"] == [message]
    assert TerritorialLink.objects.count() == 1


def test_re_associating_an_eps_in_the_territory_is_a_no_op(client, world):
    client.force_login(world["et_delegate"])
    response = client.post(
        _url("module_territory_associate", world["antioquia"]), {"payer_code": "EPAS01"}
    )
    assert response.status_code == 302
    assert _messages(response) == ["Esta asociación ya está activa."]
    assert TerritorialLink.objects.count() == 1


def test_inactivating_an_eps_in_the_territory_ends_its_network_there(client, world, network):
    link = TerritorialLink.objects.get(territory=world["antioquia"])
    url = _url("module_territory_inactivate", world["antioquia"], link.external_id)
    client.force_login(world["et_delegate"])
    page = client.get(url).content.decode()
    assert "también terminan todas las asociaciones" in page
    assert "Gestor Farmacéutico" in page
    response = client.post(url, {"reason": "Salió del territorio"})
    assert response.status_code == 302
    link.refresh_from_db()
    network["proveedor"].refresh_from_db()
    network["ips"].refresh_from_db()
    assert not link.is_active and not network["proveedor"].is_active
    assert network["ips"].is_active  # contributivo: not tied to the territory
    cascade = AuditEntry.objects.get(
        action="entities.network_link.inactivated", object_id=network["proveedor"].pk
    )
    assert cascade.entity == world["eps"] and cascade.data["reason"] == "Salió del territorio"
    history = client.get(_url("module_territory_history", world["antioquia"], link.external_id))
    assert [e.action for e in history.context["entries"]] == [
        "entities.territorial_link.inactivated"
    ]
    assert "Salió del territorio" in history.content.decode()


def test_territory_list_filters_by_state(client, world):
    link = TerritorialLink.objects.get()
    client.force_login(world["et_delegate"])
    client.post(
        _url("module_territory_inactivate", world["antioquia"], link.external_id), {"reason": "Fin"}
    )
    url = _url("module_territory", world["antioquia"])
    assert list(client.get(url).context["page"].object_list) == []
    assert list(client.get(url, {"state": "inactivo"}).context["page"].object_list) == [link]
