"""Emails from templates: `<name>_subject.txt`, `<name>.txt` and `<name>.html`, in Spanish.

A message is rendered where it is asked for (in the request's language, with its links) and
sent by a background task (`deliver`, queue "mail"): the page answers without waiting for the
mail server, and a mail server that is down delays the message instead of failing the page.
"""

import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string

from jobs.claims import claimed_once
from jobs.enqueue import enqueue_on_commit

# The request being answered, for the links its e-mails carry (see `absolute_url`).
current_request: ContextVar = ContextVar("mail_current_request", default=None)


class SiteOriginMiddleware:
    """Remembers the request while it is answered, so that a service sending an e-mail
    links back to the address the user is using (as Django's password reset does)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def absolute_url(path: str) -> str:
    """A link for an e-mail: the scheme and host of the request being answered, as password
    reset builds its link (the host is one ALLOWED_HOSTS accepts); SITE_URL outside a request
    (management commands, tasks)."""
    request = current_request.get()
    if request is not None:
        return f"{request.scheme}://{request.get_host()}{path}"
    return settings.SITE_URL.rstrip("/") + path


@task(queue_name="mail")
def deliver(*, key: str, to: list[str], subject: str, text: str, html: str) -> None:
    """Send one rendered message. `key` is unique per message: a second run of the same
    message (two workers, a retry) sends nothing; a failed send releases the claim."""
    with transaction.atomic(), claimed_once(f"mail:{key}") as first:
        if first:
            message = EmailMultiAlternatives(subject, text, to=to)
            message.attach_alternative(html, "text/html")
            message.send()


def render(*, template: str, context: dict) -> dict:
    """The subject, text and HTML of a templated message."""
    context = {"SITE_NAME": settings.SITE_NAME, "SUPPORT": settings.SUPPORT, **context}
    return {
        "subject": " ".join(render_to_string(f"{template}_subject.txt", context).split()),
        "text": render_to_string(f"{template}.txt", context),
        "html": render_to_string(f"{template}.html", context),
    }


def send_templated(*, to: list[str], template: str, context: dict) -> None:
    """Render now and send from a task enqueued now (for callers already past their commit)."""
    deliver.enqueue(key=uuid.uuid4().hex, to=list(to), **render(template=template, context=context))


def send_on_commit(*, to: list[str], template: str, context: dict) -> None:
    """Render now and send from a task: a refused change (rolled back) sends nothing."""
    message = render(template=template, context=context)
    enqueue_on_commit(deliver, key=uuid.uuid4().hex, to=list(to), **message)
