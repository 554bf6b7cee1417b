"""Periodic jobs, enqueued by `manage.py run_periodic` (cron, or its `--every` loop).

Each job is a task for one time slot (a day, an hour): the slot is claimed in the job's
transaction (jobs.claims), so enqueuing it again, from two schedulers or a retry, does the
work once.
"""

import datetime

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from entities import audit
from patients.notifications import deadline_notify
from supply.models import Direccionamiento
from supply.models.chain import StepStatus

from .claims import claimed_once
from .models import Claim, Export

EXPORTS_KEPT = datetime.timedelta(days=7)
CLAIMS_KEPT = datetime.timedelta(days=60)


@task(queue_name="periodic")
def note_overdue_direccionamientos(day: str) -> int:
    """The deadline light turns «vencido» at the start of the day after FecMaxEnt: record it
    once in the audit trail of each active (not programmed) direccionamiento whose FecMaxEnt
    was the day before `day` (ISO date), so the proveedor and the payer see when it lapsed."""
    lapsed = datetime.date.fromisoformat(day) - datetime.timedelta(days=1)
    with transaction.atomic(), claimed_once(f"periodic:overdue:{day}") as first:
        if not first:
            return 0
        rows = Direccionamiento.objects.filter(
            status=StepStatus.ACTIVO, max_delivery_date=lapsed
        ).select_related("provider")
        noted = 0
        for direccionamiento in rows.iterator(chunk_size=1000):
            audit.log(
                actor=None,
                action="supply.direccionamiento.overdue",
                entity=direccionamiento.provider,
                target=direccionamiento,
                data={"max_delivery_date": lapsed.isoformat()},
            )
            noted += 1
        return noted


@task(queue_name="periodic")
def prune(hour: str) -> None:
    """Delete downloaded-or-not exports after EXPORTS_KEPT and claims after CLAIMS_KEPT (no
    task is retried that late). `hour` names the slot (ISO date and hour)."""
    now = timezone.now()
    with transaction.atomic(), claimed_once(f"periodic:prune:{hour}") as first:
        if first:
            Export.objects.filter(created_at__lt=now - EXPORTS_KEPT).delete()
            Claim.objects.filter(claimed_at__lt=now - CLAIMS_KEPT).delete()


def enqueue_due(now: datetime.datetime) -> None:
    """Enqueue every periodic job of the slot `now` falls in."""
    local = timezone.localtime(now)
    note_overdue_direccionamientos.enqueue(local.date().isoformat())
    deadline_notify.enqueue(local.date().isoformat())  # patients' reminders, payers' digest
    prune.enqueue(local.strftime("%Y-%m-%dT%H"))
