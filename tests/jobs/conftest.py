"""Tasks on the real database backend, run by the real worker of django-tasks-db."""

import pytest
from django.conf import settings
from django_tasks_db.management.commands.db_worker import Worker

DATABASE_TASKS = {
    "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
}


@pytest.fixture
def db_tasks(settings):
    """Tasks are stored in PostgreSQL until a worker runs them (as in production)."""
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def run_worker(db_tasks, transactional_db):
    """Run the worker `manage.py db_worker --batch` runs, in this process: every ready task,
    then return. The worker commits and closes connections as in production, so these tests
    run on a database that really commits (transactional_db)."""

    def run(max_tasks=None):
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run
