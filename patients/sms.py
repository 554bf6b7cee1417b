"""Text messages to patients through a pluggable backend (settings.PATIENT_SMS_BACKEND).

A deployment plugs its gateway by naming a class with `send(to, text)`. `ConsoleBackend`
prints the message (what `make run` uses); `LocmemBackend` keeps it in `outbox` for tests.
"""

import sys

from django.conf import settings
from django.utils.module_loading import import_string


class ConsoleBackend:
    def send(self, to: str, text: str) -> None:
        sys.stdout.write(f"SMS para {to}: {text}\n")
        sys.stdout.flush()


class LocmemBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.outbox.append((to, text))


def send_sms(to: str, text: str) -> None:
    import_string(settings.PATIENT_SMS_BACKEND)().send(to, text)
