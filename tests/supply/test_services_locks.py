"""How the supply services lock and what they read: one statement locks a step with its
prescription, line and deliverable in the documented order (prescription → line →
deliverable → step), and a programación makes a fixed, small number of queries."""

import threading
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from entities.models import AuditEntry
from prescriptions.models import Prescription, TechnologyLine
from supply.models import Deliverable, Direccionamiento, Programacion, StepStatus
from supply.services import common, programacion_create

from .conftest import direct
from .test_chain import program


def _writes(queries) -> list[str]:
    """The statements of `queries` without the test's savepoints."""
    return [
        q["sql"]
        for q in queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


@pytest.mark.django_db
def test_a_programacion_reads_little_and_audits(world):
    [direccionamiento] = direct(world)
    ContentType.objects.get_for_model(Programacion)  # cached for the process's life
    with CaptureQueriesContext(connection) as queries:
        programacion = program(world, direccionamiento)
    statements = _writes(queries.captured_queries)
    # The actor's roles, the locking read, the direccionamiento to procesado, the
    # programación, its audit entry.
    assert len(statements) == 5, statements
    # The lock is one statement, its rows locked prescription → line → deliverable → step.
    locked = statements[1].split("FOR UPDATE OF", 1)[1]
    models = (Prescription, TechnologyLine, Deliverable, Direccionamiento)
    positions = [locked.index(f'"{model._meta.db_table}"') for model in models]
    assert positions == sorted(positions), locked
    direccionamiento.refresh_from_db()
    assert direccionamiento.status == StepStatus.PROCESADO
    entry = AuditEntry.objects.get(action="supply.programacion.created")
    prescription = world["prescription"]
    assert entry.data == {
        "id": programacion.pk,
        "ID": direccionamiento.deliverable_id,
        "number": prescription.number,
        "line": "M1",
        "delivery": "1",
        "sede": world["sede"].code,
    }


@pytest.mark.django_db
def test_lock_step_loads_the_chain_as_the_orm_would(world):
    [direccionamiento] = direct(world)
    with transaction.atomic():
        locked = common.lock_step(Direccionamiento, direccionamiento.pk)
        with CaptureQueriesContext(connection) as queries:
            deliverable = locked.deliverable
            assert deliverable.line.key == "M1"
            assert deliverable.prescription.number == world["prescription"].number
        assert queries.captured_queries == []
        assert locked.quantity == direccionamiento.quantity
        assert locked.max_delivery_date == direccionamiento.max_delivery_date
        with pytest.raises(Programacion.DoesNotExist):
            common.lock_step(Programacion, 999999)


@pytest.mark.django_db(transaction=True)
def test_the_prescription_is_locked_before_the_deliverable(world):
    """While another transaction holds the prescription, a programación waits for it
    without having locked the deliverable yet."""
    [direccionamiento] = direct(world)
    held, release, done = threading.Event(), threading.Event(), threading.Event()
    outcome = {}

    def hold_prescription():
        try:
            with transaction.atomic():
                Prescription.objects.select_for_update().get(pk=world["prescription"].pk)
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    def programme():
        try:
            outcome["programacion"] = program(world, direccionamiento)
        finally:
            done.set()
            connections.close_all()

    holder = threading.Thread(target=hold_prescription)
    holder.start()
    assert held.wait(10)
    worker = threading.Thread(target=programme)
    worker.start()
    time.sleep(0.5)  # the programación is now waiting on the prescription's row
    assert not done.is_set()
    with transaction.atomic():
        # The deliverable is still free: nobody holds it while waiting on its prescription.
        Deliverable.objects.select_for_update(nowait=True).get(pk=direccionamiento.deliverable_id)
    release.set()
    holder.join(10)
    worker.join(10)
    assert outcome["programacion"].status == StepStatus.ACTIVO


@pytest.mark.django_db
def test_programacion_of_another_providers_direccionamiento_is_refused(world):
    [direccionamiento] = direct(world)
    with pytest.raises(Exception) as error:
        programacion_create(
            actor=world["other_admin"],
            entity=world["other_provider"],
            direccionamiento=direccionamiento,
            sede=world["other_sede"],
        )
    assert getattr(error.value, "code", None) == "other_entity"
    assert not Programacion.objects.exists()
