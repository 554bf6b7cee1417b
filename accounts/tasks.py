"""Password reset e-mail sent from a task after the response (issue 17 item 20).

The page does the same work for a registered and an unknown address (it enqueues one task),
so its response time does not tell an attacker which addresses have an account; the task
looks the address up and sends the link only to a registered one.
"""

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.tasks import task

from jobs.claims import claimed_once


@task(queue_name="mail")
def send_password_reset(*, key: str, email: str, domain: str, use_https: bool, templates: dict):
    """Django's own password reset mail for `email`, with links to `domain`. `key` makes a
    second run of the same request (two workers, a retry) send nothing."""
    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return
    with transaction.atomic(), claimed_once(f"password-reset:{key}") as first:
        if first:
            form.save(domain_override=domain, use_https=use_https, **templates)
