"""Whether a worker is draining the queue."""

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


def worker_stalled() -> bool:
    """True when a task ready to run has waited longer than TASKS_STALL_SECONDS: no worker
    is running (or all are busy for that long). The page then says so instead of waiting."""
    limit = timezone.now() - datetime.timedelta(seconds=settings.TASKS_STALL_SECONDS)
    return DBTaskResult.objects.ready().filter(enqueued_at__lt=limit).exists()
