"""Enqueue a task with the change that asks for it."""

from django.db import transaction
from django_tasks_db import DatabaseBackend


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """With the database backend the task row is written in the caller's transaction (it
    commits or rolls back with the change: nothing is lost between the two); other backends
    (the immediate one in tests) enqueue once the transaction commits."""
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
