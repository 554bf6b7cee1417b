"""Opting out of the optional messages (the FecMaxEnt reminder and the payer's digest);
the messages about what happened to a prescription are always sent."""

from django.db import transaction

from entities import audit

from ..models import NotificationOptOut


def optional_messages_set(*, recipient: str, wanted: bool, target=None) -> None:
    """`recipient` is "patient:<id>" or "user:<id>"."""
    with transaction.atomic():
        if wanted:
            NotificationOptOut.objects.filter(recipient=recipient).delete()
        else:
            NotificationOptOut.objects.get_or_create(recipient=recipient)
        audit.log(
            actor=None,
            action="patients.optional_messages." + ("on" if wanted else "off"),
            target=target,
            data={"recipient": recipient},
        )


def optional_messages_wanted(recipient: str) -> bool:
    return not NotificationOptOut.objects.filter(recipient=recipient).exists()
