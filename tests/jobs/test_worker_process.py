"""The worker as `make run` and the cluster start it: `manage.py db_worker`, separate
processes, the project's settings. Two of them share the queue; each task runs once."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from jobs.models import Claim
from mipres.lib.mail import deliver

pytestmark = pytest.mark.django_db(transaction=True)

TASKS = 12


def _worker(pg_cluster, worker_id: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mipres.settings",
        "DATABASE_URL": pg_cluster.url(connection.settings_dict["NAME"]),
        "SECRET_KEY": "worker-test-" + "k" * 50,
        "DEBUG": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    command = ["manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(
        [sys.executable, *command, "--queue-name=*", f"--worker-id={worker_id}", "--interval=0"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_worker_processes_run_each_queued_task_once(pg_cluster, db_tasks):
    for number in range(TASKS):
        deliver.enqueue(key=f"m{number}", to=["a@example.org"], subject="S", text="t", html="t")
    workers = [_worker(pg_cluster, name) for name in ("w1", "w2")]
    for worker in workers:
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output
    results = DBTaskResult.objects.filter(task_path="mipres.lib.mail.deliver")
    assert results.successful().count() == TASKS
    assert all(len(result.worker_ids) == 1 for result in results)
    assert Claim.objects.filter(key__startswith="mail:m").count() == TASKS
