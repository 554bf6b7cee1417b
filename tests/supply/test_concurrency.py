"""No duplicate delivery (issue 5 §7): concurrent requests at the same step, each thread on
its own database connection; exactly one wins, the others get a clear refusal, and the
database never holds two in-force records where one is allowed."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

import pytest
from django.db import IntegrityError, connection, transaction

from mipres.lib.errors import DomainError
from supply.models import (
    IN_FORCE,
    Direccionamiento,
    Entrega,
    Facturacion,
    Programacion,
    ReporteEntrega,
    StepStatus,
)
from supply.services import (
    entrega_create,
    facturacion_create,
    programacion_create,
    reporte_entrega_create,
    step_annul,
)

from .conftest import direct

THREADS = 5


def together(*actions) -> list:
    """Run the actions in threads released at once; each outcome is its result or the
    DomainError it raised."""
    barrier = Barrier(len(actions))

    def attempt(action):
        try:
            barrier.wait()
            return action()
        except DomainError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(len(actions)) as pool:
        return list(pool.map(attempt, actions))


def race(action, threads: int = THREADS) -> tuple[list, list[DomainError]]:
    """`action` in `threads` threads at once: (results, refusals)."""
    outcomes = together(*[action] * threads)
    won = [o for o in outcomes if not isinstance(o, DomainError)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    return won, refused


def _program(world, direccionamiento):
    return programacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        direccionamiento=direccionamiento,
        sede=world["sede"],
    )


def _deliver(world, programacion):
    return entrega_create(
        actor=world["dispensador"],
        entity=world["provider"],
        programacion=programacion,
        technology_code="19943546-01",
        quantity=programacion.quantity,
        total=True,
        delivered_on=datetime.date.today(),
        batch="L1",
        receiver_document_type="CC",
        receiver_document_number="43000111",
    )


def _report(world, entrega):
    return reporte_entrega_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        entrega=entrega,
        delivered=True,
        value=Decimal("1000"),
    )


def _invoice(world, reporte):
    return facturacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        reporte=reporte,
        invoice_number="FE-1",
        units=Decimal("1"),
        unit_value=Decimal("1000"),
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_direccionamientos_of_one_delivery(world):
    won, refused = race(lambda: direct(world))
    assert len(won) == 1 and len(refused) == THREADS - 1
    assert {error.code for error in refused} == {"duplicate"}
    assert "ya tiene un direccionamiento" in refused[0].message
    assert Direccionamiento.objects.filter(status__in=IN_FORCE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_direccionamientos_never_exceed_the_total(world):
    # S1 has 90 units: five different deliveries of 40 race; only two fit.
    from .conftest import plan

    numbers = iter(range(1, THREADS + 1))
    deliveries = {n: [plan(n, "40")] for n in range(1, THREADS + 1)}

    def attempt():
        return direct(world, "S1", deliveries=deliveries[next(numbers)])

    won, refused = race(attempt)
    assert len(won) == 2
    assert {error.code for error in refused} == {"over_total"}
    total = sum(d.quantity for d in Direccionamiento.objects.filter(status__in=IN_FORCE))
    assert total == Decimal("80")


@pytest.mark.django_db(transaction=True)
def test_each_later_step_once(world):
    [direccionamiento] = direct(world)
    cases = [
        (Programacion, lambda: _program(world, direccionamiento)),
        (Entrega, lambda: _deliver(world, Programacion.objects.get())),
        (ReporteEntrega, lambda: _report(world, Entrega.objects.get())),
        (Facturacion, lambda: _invoice(world, ReporteEntrega.objects.get())),
    ]
    for model, action in cases:
        won, refused = race(action)
        assert len(won) == 1, model
        assert {error.code for error in refused} == {"duplicate"}, model
        assert "ya fue procesado" in refused[0].message
        assert model.objects.filter(status__in=IN_FORCE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_annulment_racing_the_next_step_leaves_a_consistent_chain(world):
    """Annulling a direccionamiento while the proveedor programs it: one of the two wins;
    never an annulled direccionamiento under an in-force programación."""
    for _round in range(3):
        Direccionamiento.objects.filter(status__in=IN_FORCE).update(
            status=StepStatus.ANULADO, annulled_at=datetime.datetime.now(datetime.UTC)
        )
        Programacion.objects.filter(status__in=IN_FORCE).update(
            status=StepStatus.ANULADO, annulled_at=datetime.datetime.now(datetime.UTC)
        )
        [direccionamiento] = direct(world)
        results = together(
            lambda d=direccionamiento: step_annul(
                actor=world["eps_admin"], entity=world["eps"], step=d, reason="carrera"
            ),
            lambda d=direccionamiento: _program(world, d),
        )
        assert sum(isinstance(r, DomainError) for r in results) == 1
        direccionamiento.refresh_from_db()
        programmed = Programacion.objects.filter(
            direccionamiento=direccionamiento, status__in=IN_FORCE
        ).exists()
        assert (direccionamiento.status == StepStatus.ANULADO) != programmed


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_in_force_record(world):
    [direccionamiento] = direct(world)
    twin = Direccionamiento(
        deliverable=direccionamiento.deliverable,
        entity=world["eps"],
        provider=world["provider"],
        municipality=direccionamiento.municipality,
        max_delivery_date=direccionamiento.max_delivery_date,
        quantity=Decimal("1"),
        patient_address="x",
        technology_code="x",
        status=StepStatus.PROCESADO,
    )
    with (
        pytest.raises(IntegrityError, match="direccionamiento_one_in_force"),
        transaction.atomic(),
    ):
        twin.save()
