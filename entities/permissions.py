"""Who may do what: the single source of roles and permission strings (DESIGN.md §6).

A permission belongs to a membership, that is to a role *in one entity*: the same person
can be Prescriptor in one IPS and Delegado in another. The Administrativo role means
different work at a payer (direccionamiento) and at a provider (programación), so a
role's permissions depend on the entity type too.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    EPS = "EPS", _("EPS")
    EOC = "EOC", _("EOC (entidad obligada a compensar)")
    ET = "ET", _("Entidad territorial")
    IPS = "IPS", _("IPS")
    PROVEEDOR = "PROVEEDOR", _("Proveedor")


PAYER_TYPES = frozenset({EntityType.EPS, EntityType.EOC, EntityType.ET})
PROVIDER_TYPES = frozenset({EntityType.IPS, EntityType.PROVEEDOR})
# Types that hold códigos EPS (one per régimen).
CODE_HOLDER_TYPES = frozenset({EntityType.EPS, EntityType.EOC})


class Role(models.TextChoices):
    DELEGADO = "delegado", _("Delegado")
    PRESCRIPTOR = "prescriptor", _("Prescriptor")
    ORDENADOR = "ordenador", _("Ordenador")
    ADMISION = "admision", _("Admisión")
    JUNTA = "junta", _("Junta de Profesionales")
    ANULADOR = "anulador", _("Anulador")
    TRANSCRIPTOR = "transcriptor", _("Transcriptor")
    RECOBRANTE = "recobrante", _("Recobrante (tutelas)")
    ADMINISTRATIVO = "administrativo", _("Administrativo")
    DISPENSADOR = "dispensador", _("Dispensador")


# Which roles a delegate of each entity type may assign (seed 002 and DESIGN.md §6).
ROLES_BY_ENTITY_TYPE: dict[str, tuple[str, ...]] = {
    EntityType.IPS: (
        Role.DELEGADO,
        Role.ADMISION,
        Role.DISPENSADOR,
        Role.PRESCRIPTOR,
        Role.ORDENADOR,
        Role.JUNTA,
        Role.ANULADOR,
        Role.ADMINISTRATIVO,
    ),
    EntityType.EPS: (
        Role.DELEGADO,
        Role.TRANSCRIPTOR,
        Role.RECOBRANTE,
        Role.JUNTA,
        Role.ANULADOR,
        Role.PRESCRIPTOR,
        Role.ORDENADOR,
        Role.ADMINISTRATIVO,
    ),
    EntityType.ET: (Role.DELEGADO, Role.ADMINISTRATIVO),
    EntityType.PROVEEDOR: (Role.DELEGADO, Role.ADMINISTRATIVO, Role.DISPENSADOR),
}
ROLES_BY_ENTITY_TYPE[EntityType.EOC] = ROLES_BY_ENTITY_TYPE[EntityType.EPS]

# Every active member may see their entity's page.
VIEW_ENTITY = "entities.view"

_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.DELEGADO: frozenset(
        {
            "entities.manage_users",
            "entities.view_audit",
            "entities.manage_ws_credentials",
        }
    ),
    Role.PRESCRIPTOR: frozenset({"prescriptions.prescribe", "prescriptions.view_own"}),
    Role.ORDENADOR: frozenset({"prescriptions.order_nutrition", "prescriptions.view_own"}),
    Role.ADMISION: frozenset({"prescriptions.manage_patients", "prescriptions.view_entity"}),
    Role.JUNTA: frozenset({"prescriptions.junta_decide", "prescriptions.view_entity"}),
    Role.ANULADOR: frozenset({"prescriptions.annul", "prescriptions.view_entity"}),
    Role.TRANSCRIPTOR: frozenset({"prescriptions.transcribe"}),
    Role.RECOBRANTE: frozenset({"prescriptions.register_tutela"}),
    Role.DISPENSADOR: frozenset({"supply.dispense"}),
}

# The delegate's entity-type-specific duties (seed 002).
_DELEGATE_BY_TYPE: dict[str, frozenset[str]] = {
    EntityType.EPS: frozenset({"entities.manage_network"}),
    EntityType.EOC: frozenset({"entities.manage_network"}),
    EntityType.ET: frozenset({"entities.manage_network", "entities.manage_territory"}),
    EntityType.IPS: frozenset({"entities.manage_sedes"}),
    EntityType.PROVEEDOR: frozenset({"entities.manage_sedes"}),
}

_ADMINISTRATIVO_PAYER = frozenset(
    {"supply.direct", "supply.no_direct", "supply.suministro", "supply.datos_facturados"}
)
_ADMINISTRATIVO_PROVIDER = frozenset({"supply.program", "supply.report", "supply.invoice"})


def role_applies(role: str, entity_type: str) -> bool:
    return role in ROLES_BY_ENTITY_TYPE.get(entity_type, ())


def permissions_for(role: str, entity_type: str) -> frozenset[str]:
    """The permission strings a role grants inside an entity of the given type."""
    if not role_applies(role, entity_type):
        return frozenset()
    perms = {VIEW_ENTITY, *_ROLE_PERMISSIONS.get(role, ())}
    if role == Role.DELEGADO:
        perms |= _DELEGATE_BY_TYPE[entity_type]
    elif role == Role.ADMINISTRATIVO:
        perms |= _ADMINISTRATIVO_PAYER if entity_type in PAYER_TYPES else _ADMINISTRATIVO_PROVIDER
    return frozenset(perms)


def permissions_for_roles(roles, entity_type: str) -> frozenset[str]:
    perms: set[str] = set()
    for role in roles:
        perms |= permissions_for(role, entity_type)
    return frozenset(perms)
