"""Every write on people and on what the user administration module does (STYLE R4)."""

from .people import (
    credentials_request,
    credentials_set,
    person_register,
)
from .registration import (
    delegate_change_confirm,
    delegate_change_request,
    entity_registration_confirm,
    entity_registration_submit,
)
from .staff import staff_activate

__all__ = [
    "credentials_request",
    "credentials_set",
    "delegate_change_confirm",
    "delegate_change_request",
    "entity_registration_confirm",
    "entity_registration_submit",
    "person_register",
    "staff_activate",
]
