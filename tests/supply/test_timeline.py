"""The supply timeline of a prescription (issue 5 §8): who sees which chains, the steps with
their states and annulments, "Anular" only on the newest active step of the viewer's own
records, the prescription detail's copy, and a constant number of queries."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entities.models import NetworkLink
from prescriptions.services.prescribing import LineData, prescription_issue
from supply.selectors import timeline as selector
from supply.services import (
    no_direccionamiento_create,
    procedure_supply_create,
    step_annul,
)

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, SedeFactory, grant
from ..prescriptions.factories import DeviceTypeFactory
from .conftest import direct, plan, procedure_line
from .test_chain import deliver, program

pytestmark = pytest.mark.django_db


def page(client, user, entity, number):
    client.force_login(user)
    return client.get(reverse("supply:prescription", args=[entity.external_id, number]))


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def steps(html: str) -> list[tuple[str, str]]:
    """(kind, status) of every step shown, in order."""
    return re.findall(r'supply-step" data-kind="([\w-]+)" data-status="(\d)"', html)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html)


def annul_links(html: str) -> list[str]:
    return re.findall(r'href="([^"]*/anular/[^"]*)">Anular</a>', html)


@pytest.fixture
def second_provider(world):
    """A proveedor in the EPS's network, besides `provider`."""
    provider = EntityFactory(entity_type="PROVEEDOR", name="Farmacia Segunda")
    sede = SedeFactory(entity=provider, code="01")
    NetworkLink.objects.create(payer=world["eps"], payer_code=world["code"], provider=provider)
    admin = UserFactory()
    grant(admin, provider, "administrativo")
    return {"entity": provider, "sede": sede, "admin": admin}


def test_the_payer_sees_every_line_and_every_chain_in_order(client, world):
    first, second = direct(world, "S1", deliveries=[plan(1, "30"), plan(2, "30")])
    programacion = program(world, first)
    deliver(world, programacion)
    number = world["prescription"].number
    html = text(page(client, world["eps_admin"], world["eps"], number))
    # Every line, in type and order: M1, P1, S1.
    assert re.findall(r'data-line="(\w+)"', html) == ["M1", "P1", "S1"]
    assert html.count("Sin direccionamientos ni entregas.") == 2
    assert f'Entrega 1 <span class="text-muted small">· ID {first.deliverable_id}</span>' in html
    assert f"· ID {second.deliverable_id}</span>" in html
    assert steps(html) == [
        ("direccionamiento", "2"),
        ("programacion", "2"),
        ("entrega", "1"),
        ("direccionamiento", "1"),
    ]
    sede = world["sede"]
    assert f"· sede {sede.code} – {sede.name} · cantidad 30" in html
    assert "entregado 30 (total)" in html
    assert f"a {world['provider'].name} · cantidad 30 · fecha máxima" in html
    # The header: patient, IPS, payer and code.
    assert world["patient"].get_full_name() in html
    assert world["ips"].name in html and world["code"].code in html


def test_a_provider_sees_only_its_own_chains(client, world, second_provider):
    first, second = direct(world, "S1", deliveries=[plan(1, "30"), plan(2, "30")])
    second.provider = second_provider["entity"]
    second.save(update_fields=["provider"])
    number = world["prescription"].number

    mine = text(page(client, world["prov_admin"], world["provider"], number))
    assert re.findall(r'data-line="(\w+)"', mine) == ["S1"]
    assert f"· ID {first.deliverable_id}</span>" in mine
    assert f"· ID {second.deliverable_id}</span>" not in mine

    theirs = text(page(client, second_provider["admin"], second_provider["entity"], number))
    assert f"· ID {second.deliverable_id}</span>" in theirs
    assert f"· ID {first.deliverable_id}</span>" not in theirs

    # A proveedor with no chain in it, a prescription that does not exist.
    outsider = page(client, world["other_admin"], world["other_provider"], number)
    assert outsider.status_code == 404
    assert page(client, world["eps_admin"], world["eps"], "20990101000000000001").status_code == 404


def test_a_member_without_supply_permissions_is_forbidden(client, world):
    number = world["prescription"].number
    assert page(client, world["medico"], world["ips"], number).status_code == 403


def test_anular_only_on_the_newest_active_step_of_the_viewers_own_records(client, world):
    [direccionamiento] = direct(world, "S1", deliveries=[plan(1, "30")])
    programacion = program(world, direccionamiento)
    number = world["prescription"].number
    timeline = reverse("supply:prescription", args=[world["provider"].external_id, number])

    html = text(page(client, world["prov_admin"], world["provider"], number))
    assert annul_links(html) == [
        f"/suministro/{world['provider'].external_id}/anular/programacion/{programacion.pk}/"
        f"?next={timeline}"
    ]
    # The payer's direccionamiento is processed: nothing to annul for the payer.
    assert annul_links(text(page(client, world["eps_admin"], world["eps"], number))) == []

    step_annul(
        actor=world["prov_admin"], entity=world["provider"], step=programacion, reason="<error>"
    )
    html = text(page(client, world["prov_admin"], world["provider"], number))
    assert annul_links(html) == []
    assert steps(html) == [("direccionamiento", "1"), ("programacion", "0")]
    name = world["prov_admin"].get_full_name()
    assert re.search(rf"Anulado \d{{4}}-\d\d-\d\d \d\d:\d\d por {name}: &lt;error&gt;", html)
    payer = text(page(client, world["eps_admin"], world["eps"], number))
    assert [link.split("/")[4] for link in annul_links(payer)] == ["direccionamiento"]


def test_the_payer_sees_no_direccionamientos_and_inclusions_the_provider_does_not(
    client, world, catalog
):
    device = LineData(
        technology_type="D",
        supply_type=1,
        justification="Material para el procedimiento.",
        total_quantity=Decimal("2"),
        fields={
            "device_type": DeviceTypeFactory(),
            "quantity_per_use": Decimal("1"),
            "frequency_every": 1,
            "frequency_unit": 8,
            "duration_amount": 1,
            "duration_unit": 8,
        },
    )
    prescription = prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=world["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[procedure_line(catalog), device, procedure_line(catalog, total_quantity=2)],
    )
    lines = {line.key: line for line in prescription.lines.all()}
    eps = {"actor": world["eps_admin"], "entity": world["eps"]}
    procedure_supply_create(**eps, line=lines["D1"], procedure_line=lines["P1"])
    cause = world["causes"]["6"]
    no_direccionamiento_create(**eps, line=lines["P2"], cause=cause)
    world["lines"]["P1"] = lines["P1"]
    direct(world, "P1")

    html = text(page(client, world["eps_admin"], world["eps"], prescription.number))
    assert "Se entrega con el procedimiento P1: no se direcciona ni se reporta" in html
    assert re.search(rf"No direccionamiento \d+ · causa 6 – {re.escape(cause.name)}", html)
    assert len(annul_links(html)) == 3  # the inclusion, the no direccionamiento, the step

    provider = text(page(client, world["prov_admin"], world["provider"], prescription.number))
    assert re.findall(r'data-line="(\w+)"', provider) == ["P1"]
    assert "No direccionamiento" not in provider and "Se entrega con" not in provider


def test_names_are_escaped(client, world):
    world["provider"].name = "Droguería <b>Central</b>"
    world["provider"].save(update_fields=["name"])
    direct(world, "S1", deliveries=[plan(1, "30")])
    html = text(page(client, world["eps_admin"], world["eps"], world["prescription"].number))
    assert "a Droguería &lt;b&gt;Central&lt;/b&gt;" in html
    assert "<b>Central" not in html


def test_the_number_of_queries_does_not_grow_with_the_chains(client, world):
    number = world["prescription"].number
    [one] = direct(world, "S1", deliveries=[plan(1, "10")])
    client.force_login(world["eps_admin"])
    path = reverse("supply:prescription", args=[world["eps"].external_id, number])
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    deliver(world, program(world, one))
    direct(world, "S1", deliveries=[plan(2, "10"), plan(3, "10"), plan(4, "10")])
    direct(world, "M1")
    with CaptureQueriesContext(connection) as large:
        html = text(client.get(path))
    assert len(steps(html)) == 7
    assert len(large.captured_queries) == len(small.captured_queries)
    # Of them the timeline's: the prescription with its lines and deliverables, the steps,
    # the names they cite.
    with CaptureQueriesContext(connection) as own:
        selector.prescription_supply_get(
            number=number, viewer=world["eps"], perms=frozenset({"supply.direct"})
        )
    assert len(own.captured_queries) == 3


def test_the_prescription_detail_shows_the_same_timeline(client, world):
    [direccionamiento] = direct(world, "S1", deliveries=[plan(1, "30")])
    program(world, direccionamiento)
    prescription = world["prescription"]
    client.force_login(world["medico"])
    detail = client.get(
        reverse(
            "prescriptions:prescription_detail",
            args=[world["ips"].external_id, prescription.external_id],
        )
    )
    html = text(detail)
    assert 'id="supply-title"' in html
    assert steps(html) == [("direccionamiento", "2"), ("programacion", "1")]
    assert annul_links(html) == []  # the IPS recorded none of them


def test_the_remainder_of_a_partial_entrega_shows_in_the_timeline(client, world):
    """Issue 17 §23: what a partial entrega left undelivered is said under its chain, to the
    payer and to the provider."""
    [directed] = direct(world, "M1", deliveries=[plan(1, "2")])
    programacion = program(world, directed)
    number = world["prescription"].number
    html = text(page(client, world["eps_admin"], world["eps"], number))
    assert "data-remainder" not in html
    deliver(world, programacion, quantity=Decimal("0.5"), total=False, cause=world["causes"]["4"])
    for user, entity in (
        (world["eps_admin"], world["eps"]),
        (world["prov_admin"], world["provider"]),
    ):
        html = text(page(client, user, entity, number))
        assert re.findall(r'data-remainder="([^"]+)"', html) == ["1,500"]
        assert "Pendiente por entregar: 1,500 (entrega parcial)" in html
