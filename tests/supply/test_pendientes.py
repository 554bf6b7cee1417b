"""Pendientes (Circular 044/2025, issue 15 §3): registered by the dispensador within 48
hours and for no more than is owed, listed with their deadline, closed by the entrega."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entities.models import AuditEntry
from mipres.lib.errors import DomainError
from supply.models import Entrega, Pendiente, PendienteStatus
from supply.services import entrega_create, programacion_create
from supply.services.pendientes import pendiente_create

from .conftest import direct, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def programacion(world):
    direccionamiento = direct(world, deliveries=[plan(quantity="2")])[0]
    return programacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        direccionamiento=direccionamiento,
        sede=world["sede"],
    )


def register(world, programacion, **overrides):
    fields = {
        "actor": world["dispensador"],
        "entity": world["provider"],
        "programacion": programacion,
        "quantity": Decimal("2"),
        "promised_at": timezone.now() + datetime.timedelta(hours=24),
    }
    fields.update(overrides)
    return pendiente_create(**fields)


def test_a_pendiente_at_the_sede_is_recorded_and_audited(world, programacion):
    pendiente = register(world, programacion)
    assert pendiente.sede == world["sede"] and pendiente.address == ""
    assert pendiente.status == PendienteStatus.ABIERTO
    entry = AuditEntry.objects.get(action="supply.pendiente.created")
    assert entry.data["number"] == world["prescription"].number


def test_home_delivery_needs_the_address(world, programacion):
    with pytest.raises(DomainError) as error:
        register(world, programacion, home_delivery=True, address=" ")
    assert error.value.field == "address"
    pendiente = register(world, programacion, home_delivery=True, address="Calle 10 # 20-30")
    assert pendiente.sede is None and pendiente.address == "Calle 10 # 20-30"


@pytest.mark.parametrize(
    ("hours", "quantity", "field"),
    [
        (49, "2", "promised_at"),
        (-1, "2", "promised_at"),
        (24, "3", "quantity"),
        (24, "0", "quantity"),
    ],
)
def test_longer_than_48_hours_or_more_than_owed_is_refused(
    world, programacion, hours, quantity, field
):
    with pytest.raises(DomainError) as error:
        register(
            world,
            programacion,
            quantity=Decimal(quantity),
            promised_at=timezone.now() + datetime.timedelta(hours=hours),
        )
    assert error.value.field == field
    assert not Pendiente.objects.exists()


def test_one_open_pendiente_per_programacion(world, programacion):
    register(world, programacion)
    with pytest.raises(DomainError, match="Ya hay un pendiente abierto"):
        register(world, programacion)


def test_only_the_dispensador_of_the_provider(world, programacion):
    with pytest.raises(PermissionDenied):
        register(world, programacion, actor=world["eps_admin"])
    with pytest.raises((PermissionDenied, DomainError)):
        register(
            world, programacion, actor=world["other_dispensador"], entity=world["other_provider"]
        )


def test_delivering_the_programacion_closes_the_pendiente(world, programacion):
    pendiente = register(world, programacion)
    entrega = entrega_create(
        actor=world["dispensador"],
        entity=world["provider"],
        programacion=programacion,
        technology_code="19943546-01",
        quantity=Decimal("2"),
        total=True,
        delivered_on=timezone.localdate(),
        batch="L1",
        receiver_document_type="CC",
        receiver_document_number="43000111",
    )
    pendiente.refresh_from_db()
    assert pendiente.status == PendienteStatus.CERRADO and pendiente.entrega == entrega


def test_the_worklist_shows_the_countdown_and_red_when_overdue(client, world, programacion):
    pendiente = register(world, programacion)
    client.force_login(world["dispensador"])
    url = f"/suministro/{world['provider'].external_id}/pendientes/"
    page = client.get(url).content.decode()
    assert f'data-pendiente="{pendiente.pk}"' in page and "Quedan" in page
    Pendiente.objects.update(promised_at=timezone.now() - datetime.timedelta(hours=2))
    page = client.get(url).content.decode()
    assert "table-danger" in page and "Vencido hace" in page


def test_the_form_registers_and_refuses_beside_the_field(client, world, programacion):
    client.force_login(world["dispensador"])
    url = f"/suministro/{world['provider'].external_id}/pendiente/{programacion.pk}/"
    too_late = timezone.localtime() + datetime.timedelta(hours=50)
    response = client.post(
        url, {"quantity": "2", "promised_at": too_late.strftime("%Y-%m-%dT%H:%M"), "place": "sede"}
    )
    assert response.status_code == 200 and "48 horas" in response.content.decode()
    soon = timezone.localtime() + datetime.timedelta(hours=5)
    response = client.post(
        url, {"quantity": "1", "promised_at": soon.strftime("%Y-%m-%dT%H:%M"), "place": "sede"}
    )
    assert response.status_code == 302
    assert Pendiente.objects.get().quantity == 1


def test_another_providers_programacion_is_404(client, world, programacion):
    client.force_login(world["other_dispensador"])
    url = f"/suministro/{world['other_provider'].external_id}/pendiente/{programacion.pk}/"
    assert client.get(url).status_code == 404


def _deliver(world, programacion):
    return entrega_create(
        actor=world["dispensador"],
        entity=world["provider"],
        programacion=programacion,
        technology_code="19943546-01",
        quantity=Decimal("2"),
        total=True,
        delivered_on=timezone.localdate(),
        batch="L1",
        receiver_document_type="CC",
        receiver_document_number="43000111",
    )


def test_an_entrega_without_reporte_after_8_days_is_flagged(client, world, programacion):
    entrega = _deliver(world, programacion)
    client.force_login(world["prov_admin"])
    url = f"/suministro/{world['provider'].external_id}/reportes-tardios/"
    assert f'data-entrega="{entrega.pk}"' not in client.get(url).content.decode()
    Entrega.objects.filter(pk=entrega.pk).update(
        delivered_on=timezone.localdate() - datetime.timedelta(days=9)
    )
    page = client.get(url).content.decode()
    assert (
        f'data-entrega="{entrega.pk}"' in page and '<strong class="text-danger">9</strong>' in page
    )


def test_the_payer_counts_overdue_pendientes_and_late_reports_per_provider(client, world):
    first, second = direct(world, deliveries=[plan(1, "1"), plan(2, "1")])
    one = programacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        direccionamiento=first,
        sede=world["sede"],
    )
    two = programacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        direccionamiento=second,
        sede=world["sede"],
    )
    register(world, one, quantity=Decimal("1"))
    Pendiente.objects.update(promised_at=timezone.now() - datetime.timedelta(hours=1))
    entrega = entrega_create(
        actor=world["dispensador"],
        entity=world["provider"],
        programacion=two,
        technology_code="19943546-01",
        quantity=Decimal("1"),
        total=True,
        delivered_on=timezone.localdate(),
        batch="L1",
        receiver_document_type="CC",
        receiver_document_number="43000111",
    )
    Entrega.objects.filter(pk=entrega.pk).update(
        delivered_on=timezone.localdate() - datetime.timedelta(days=10)
    )
    client.force_login(world["eps_admin"])
    page = client.get(f"/suministro/{world['eps'].external_id}/pendientes-por-proveedor/")
    assert page.context["rows"] == [
        {"provider": world["provider"].name, "open": 1, "overdue": 1, "late": 1}
    ]
    client.force_login(world["prov_admin"])  # not a payer
    assert (
        client.get(f"/suministro/{world['eps'].external_id}/pendientes-por-proveedor/").status_code
        == 404
    )


def test_the_prescriptions_supply_page_shows_its_pendientes(client, world, programacion):
    number = world["prescription"].number
    viewers = ((world["eps_admin"], world["eps"]), (world["prov_admin"], world["provider"]))

    def page(user, entity):
        client.force_login(user)
        path = f"/suministro/{entity.external_id}/prescripcion/{number}/"
        client.get(path)  # warm: the session's user and roles
        with CaptureQueriesContext(connection) as queries:
            html = client.get(path).content.decode()
        return html, len(queries.captured_queries)

    before = [page(user, entity)[1] for user, entity in viewers]
    pendiente = register(world, programacion)
    line = pendiente.deliverable.line
    for (user, entity), queries_before in zip(viewers, before, strict=True):
        html, queries = page(user, entity)
        assert f'data-pendiente="{pendiente.pk}"' in html
        row = html.split(f'data-pendiente="{pendiente.pk}"')[1].split("</tr>")[0]
        for shown in (
            f"{line.technology_type}{line.order}",
            pendiente.deliverable.delivery_label,
            f"{world['sede'].code} – {world['sede'].name}",
            world["provider"].name,
            "Abierto",
        ):
            assert shown in row
        # The one query of the pendientes reads what the table shows: nothing row by row.
        assert queries == queries_before
