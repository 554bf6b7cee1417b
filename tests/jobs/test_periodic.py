"""Periodic jobs: enqueued by run_periodic, run by the worker, once per slot."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from entities.models import AuditEntry
from jobs.models import Claim
from jobs.periodic import note_overdue_direccionamientos, prune
from supply.models import Direccionamiento

from ..supply.conftest import catalog, causes, direct, plan, prescribing, world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_run_periodic_enqueues_and_the_worker_notes_lapsed_deadlines_once(world, run_worker):  # noqa: F811
    direct(world, deliveries=[plan(1, days=5), plan(2, days=35)])
    first, second = Direccionamiento.objects.order_by("pk")
    today = timezone.localdate()
    # Time passes: the first one's FecMaxEnt was yesterday, the second's is today.
    first.max_delivery_date = today - datetime.timedelta(days=1)
    second.max_delivery_date = today
    Direccionamiento.objects.bulk_update([first, second], ["max_delivery_date"])
    call_command("run_periodic")
    call_command("run_periodic")  # a second scheduler, or cron running twice
    assert DBTaskResult.objects.ready().filter(queue_name="periodic").count() == 4
    run_worker()
    noted = AuditEntry.objects.filter(action="supply.direccionamiento.overdue")
    assert [entry.object_id for entry in noted] == [str(first.pk)]
    assert note_overdue_direccionamientos.call(today.isoformat()) == 0


def test_prune_deletes_old_claims_once_per_slot(db_tasks):
    Claim.objects.create(key="old")
    Claim.objects.filter(key="old").update(claimed_at=timezone.now() - datetime.timedelta(days=90))
    Claim.objects.create(key="recent")
    prune.call("2026-01-01T00")
    assert set(Claim.objects.values_list("key", flat=True)) == {
        "recent",
        "periodic:prune:2026-01-01T00",
    }
