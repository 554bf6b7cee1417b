"""Emails from templates: `<name>_subject.txt`, `<name>.txt` and `<name>.html`, in Spanish."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    """A link for an email: the site's public address (SITE_URL) plus `path`."""
    return settings.SITE_URL.rstrip("/") + path


def send_templated(*, to: list[str], template: str, context: dict) -> None:
    context = {"SITE_NAME": settings.SITE_NAME, "SUPPORT": settings.SUPPORT, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject, render_to_string(f"{template}.txt", context), to=to)
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def send_on_commit(*, to: list[str], template: str, context: dict) -> None:
    """Send once the surrounding transaction commits: a refused change sends nothing."""
    transaction.on_commit(lambda: send_templated(to=to, template=template, context=context))
