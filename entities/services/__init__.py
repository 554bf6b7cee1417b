"""Every write on entities (STYLE R4): check the actor, validate, write, audit, in one
transaction."""

from .membership import membership_activate, membership_inactivate
from .network import (
    network_link_activate,
    network_link_inactivate,
    sede_create,
    sede_set_active,
    sede_update,
    territorial_link_activate,
    territorial_link_inactivate,
)
from .registration import (
    delegate_designate,
    entity_confirm_registration,
    entity_register,
    entity_suspend,
    entity_verify,
)

__all__ = [
    "delegate_designate",
    "entity_confirm_registration",
    "entity_register",
    "entity_suspend",
    "entity_verify",
    "membership_activate",
    "membership_inactivate",
    "network_link_activate",
    "network_link_inactivate",
    "sede_create",
    "sede_set_active",
    "sede_update",
    "territorial_link_activate",
    "territorial_link_inactivate",
]
