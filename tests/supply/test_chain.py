"""The chain direccionamiento → programación → entrega → reporte → facturación through the
services, with every refusal of issue 5 and the annulment order."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from entities.models import AuditEntry
from mipres.lib.errors import DomainError
from supply.models import Direccionamiento, Entrega, StepStatus
from supply.services import (
    entrega_create,
    facturacion_create,
    programacion_create,
    reporte_entrega_create,
    step_annul,
)

from .conftest import direct, plan

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def program(world, direccionamiento, sede=None):
    return programacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        direccionamiento=direccionamiento,
        sede=sede or world["sede"],
    )


def deliver(world, programacion, **overrides):
    fields = {
        "actor": world["dispensador"],
        "entity": world["provider"],
        "programacion": programacion,
        "technology_code": "19943546-01",
        "quantity": programacion.quantity,
        "total": True,
        "delivered_on": TODAY(),
        "batch": "L123",
        "receiver_document_type": "CC",
        "receiver_document_number": "43000111",
    }
    fields.update(overrides)
    return entrega_create(**fields)


def test_whole_chain_and_states(world):
    [direccionamiento] = direct(world)
    programacion = program(world, direccionamiento)
    entrega = deliver(world, programacion)
    reporte = reporte_entrega_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        entrega=entrega,
        delivered=True,
        value=Decimal("15000"),
    )
    factura = facturacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        reporte=reporte,
        invoice_number="FE-1001",
        units=Decimal("1"),
        unit_value=Decimal("15000"),
        cuota_moderadora=Decimal("4000"),
    )
    for step in (direccionamiento, programacion, entrega, reporte):
        step.refresh_from_db()
        assert step.status == StepStatus.PROCESADO
    assert factura.status == StepStatus.ACTIVO
    assert factura.total_value == Decimal("11000.00")
    assert factura.payer_code == "EPT001"
    assert factura.payer_nit == world["eps"].nit
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "supply.direccionamiento.created",
        "supply.programacion.created",
        "supply.entrega.created",
        "supply.reporte_entrega.created",
        "supply.facturacion.created",
    } <= actions


def test_junta_pending_and_rejected_lines_are_not_directed(world):
    line = world["lines"]["S1"]
    for status, code in ((2, "junta_pending"), (4, "junta_rejected")):
        line.junta_status = status
        line.save(update_fields=["junta_status"])
        with pytest.raises(DomainError) as error:
            direct(world, "S1")
        assert error.value.code == code
    assert not Direccionamiento.objects.exists()


def test_provider_outside_network_is_refused(world):
    with pytest.raises(DomainError) as error:
        direct(world, provider=world["other_provider"])
    assert error.value.field == "provider"
    assert "no está en la red" in error.value.message


def test_quantities_never_exceed_the_prescribed_total(world):
    direct(world, "S1", deliveries=[plan(1, "30"), plan(2, "30")])
    with pytest.raises(DomainError) as error:
        direct(world, "S1", deliveries=[plan(3, "31")])
    assert error.value.code == "over_total"
    assert "quedan 30" in error.value.message
    assert Direccionamiento.objects.count() == 2


def test_second_direccionamiento_for_the_same_delivery_is_refused(world):
    direct(world)
    with pytest.raises(DomainError) as error:
        direct(world)
    assert error.value.code == "duplicate"
    assert Direccionamiento.objects.count() == 1


def test_programming_at_another_providers_sede_is_refused(world):
    [direccionamiento] = direct(world)
    with pytest.raises(DomainError) as error:
        program(world, direccionamiento, sede=world["other_sede"])
    assert error.value.field == "sede"
    direccionamiento.refresh_from_db()
    assert direccionamiento.status == StepStatus.ACTIVO


def test_delivery_rules(world):
    [direccionamiento] = direct(world, deliveries=[plan(1, "2")])
    programacion = program(world, direccionamiento)
    cases = [
        ({"quantity": Decimal("3")}, "over"),
        ({"quantity": Decimal("1"), "total": False}, "cause_required"),
        ({"batch": ""}, "batch_required"),
        ({"quantity": Decimal("1")}, "total_not_all"),
        ({"quantity": Decimal("1"), "total": False, "cause": world["causes"]["7"]}, "cause_use"),
    ]
    for overrides, code in cases:
        with pytest.raises(DomainError) as error:
            deliver(world, programacion, **overrides)
        assert error.value.code == code, overrides
    assert not Entrega.objects.exists()
    entrega = deliver(
        world, programacion, quantity=Decimal("1"), total=False, cause=world["causes"]["4"]
    )
    assert entrega.pending_quantity == Decimal("1")


def test_dispensador_of_another_provider_cannot_deliver(world):
    [direccionamiento] = direct(world)
    programacion = program(world, direccionamiento)
    with pytest.raises(PermissionDenied):
        deliver(world, programacion, actor=world["other_admin"], entity=world["other_provider"])
    with pytest.raises(DomainError):
        deliver(
            world, programacion, actor=world["other_dispensador"], entity=world["other_provider"]
        )
    assert not Entrega.objects.exists()


def test_annulment_in_reverse_order(world):
    [direccionamiento] = direct(world)
    programacion = program(world, direccionamiento)
    with pytest.raises(DomainError) as error:
        step_annul(actor=world["eps_admin"], entity=world["eps"], step=direccionamiento, reason="x")
    assert error.value.code == "not_newest"
    entrega = deliver(world, programacion)
    for actor, entity, step in (
        (world["eps_admin"], world["eps"], direccionamiento),
        (world["prov_admin"], world["provider"], programacion),
    ):
        with pytest.raises(DomainError) as error:
            step_annul(actor=actor, entity=entity, step=step, reason="cambio de proveedor")
        assert error.value.code == "after_entrega"
        assert "no puede anularse el direccionamiento ni la programación" in error.value.message
    with pytest.raises(DomainError) as error:
        step_annul(actor=world["dispensador"], entity=world["provider"], step=entrega, reason="")
    assert error.value.field == "reason"
    step_annul(actor=world["dispensador"], entity=world["provider"], step=entrega, reason="error")
    programacion.refresh_from_db()
    assert programacion.status == StepStatus.ACTIVO
    step_annul(
        actor=world["prov_admin"], entity=world["provider"], step=programacion, reason="sede"
    )
    direccionamiento.refresh_from_db()
    assert direccionamiento.status == StepStatus.ACTIVO
    step_annul(actor=world["eps_admin"], entity=world["eps"], step=direccionamiento, reason="r")
    direccionamiento.refresh_from_db()
    assert direccionamiento.status == StepStatus.ANULADO
    assert direccionamiento.annulment_reason == "r"
    # The delivery is free again: a new direccionamiento reuses the deliverable (same ID).
    [again] = direct(world)
    assert again.deliverable_id == direccionamiento.deliverable_id


def test_prescription_cannot_be_annulled_while_directed(world):
    from prescriptions.services.novelties import prescription_annul

    from ..accounts.factories import UserFactory
    from ..entities.factories import grant

    anulador = UserFactory()
    grant(anulador, world["ips"], "anulador")
    direct(world)
    with pytest.raises(DomainError) as error:
        prescription_annul(
            actor=anulador, entity=world["ips"], prescription=world["prescription"], reason="x"
        )
    assert "M1" in error.value.message
