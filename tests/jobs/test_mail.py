"""E-mails go out from a task run by the worker, once; their links point where the user is."""

import re

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from mipres.lib.mail import deliver, send_on_commit

from ..accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _send(to="ana@example.org"):
    send_on_commit(
        to=[to],
        template="accounts/email/credentials_link",
        context={"user": UserFactory(email=to), "link": "http://x/", "entity": None},
    )


def test_a_mail_waits_in_the_queue_until_the_worker_sends_it(run_worker):
    with transaction.atomic():
        _send()
    assert mail.outbox == []
    assert DBTaskResult.objects.ready().filter(task_path="mipres.lib.mail.deliver").count() == 1
    run_worker()
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert DBTaskResult.objects.successful().count() == 1


def test_a_refused_change_enqueues_no_mail(run_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send()
        raise RuntimeError("refused")
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == []


def test_the_same_message_run_twice_is_sent_once(db_tasks):
    message = {
        "key": "k1",
        "to": ["a@example.org"],
        "subject": "S",
        "text": "t",
        "html": "<p>t</p>",
    }
    deliver.call(**message)
    deliver.call(**message)
    assert len(mail.outbox) == 1
    deliver.call(**{**message, "key": "k2"})
    assert len(mail.outbox) == 2


def test_a_failed_send_can_be_retried(db_tasks, settings):
    message = {"key": "k3", "to": ["a@example.org"], "subject": "S", "text": "t", "html": "t"}
    # A mail server that is down: nothing listens on port 1.
    smtp = {"host": "127.0.0.1", "port": 1, "timeout": 5}
    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": smtp}
    }
    with pytest.raises(ConnectionRefusedError):
        deliver.call(**message)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    deliver.call(**message)
    assert len(mail.outbox) == 1


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_password_reset_does_the_same_work_for_known_and_unknown_addresses(
    client, run_worker, settings
):
    settings.ALLOWED_HOSTS = ["mipres.example"]
    UserFactory(email="medica@example.org")
    target = reverse("accounts:password_reset")
    counts = []
    for email in ("medica@example.org", "nadie@example.org"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(target, {"email": email}, HTTP_HOST="mipres.example:8123")
        assert response.status_code == 302
        counts.append([q["sql"].split()[0] for q in queries.captured_queries])
    assert counts[0] == counts[1]  # one INSERT of the task each, no lookup of the address
    assert mail.outbox == []  # nothing is sent while the page answers
    run_worker()
    assert [m.to for m in mail.outbox] == [["medica@example.org"]]
    assert _link(mail.outbox[0]).startswith("http://mipres.example:8123/cuentas/")


def test_paso2_links_to_the_address_the_request_came_to(client, on_commit, settings):
    """`make run` on PORT=8123: the e-mailed link points there, not to SITE_URL's port."""
    from accounts.models import User

    from ..accounts.test_registration import rethus_record

    settings.SITE_URL = "http://127.0.0.1:8000"
    person = User.objects.create_user(
        "CC", "79000222", first_name="Ana", first_surname="Ruiz", email="ana@example.org"
    )
    rethus_record(person)
    data = {"kind": "profesional", "document_type": "CC", "document_number": "79000222"}
    with on_commit():
        client.post(reverse("accounts:credentials_request"), data, HTTP_HOST="localhost:8123")
    assert _link(mail.outbox[0]).startswith("http://localhost:8123/cuentas/")


def test_outside_a_request_links_use_site_url(settings):
    from mipres.lib.mail import absolute_url

    settings.SITE_URL = "https://mipres.example/"
    assert absolute_url("/cuentas/x/") == "https://mipres.example/cuentas/x/"
