"""A claim is a compare-and-swap: of concurrent runs of the same work, one does it."""

import threading

import pytest
from django.core import mail
from django.db import connection

from mipres.lib.mail import deliver

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_runs_of_one_message_send_it_once(db_tasks):
    message = {"key": "same", "to": ["a@example.org"], "subject": "S", "text": "t", "html": "t"}
    start = threading.Barrier(8)
    errors = []

    def run():
        try:
            start.wait()
            deliver.call(**message)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(mail.outbox) == 1
