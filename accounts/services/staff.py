"""The delegate's activation of people in roles, with the checks that need the registries
(RETHUS for professions, REPS for independent professionals), above the entities layer."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from entities import services as entity_services
from entities.models import Entity, Membership
from entities.permissions import CODE_HOLDER_TYPES, Role
from entities.services.common import require_perm
from mipres.lib.errors import DomainError

from ..models.registries import Profession
from ..registries import active_professions, prescribing_role, reps
from .people import find_person

PROFESSION_ROLES = {Role.PRESCRIPTOR, Role.ORDENADOR}

ERRORS = {
    "no_credentials": _(
        "%(name)s aún no tiene usuario y contraseña. Pídale que los solicite (PASO 2) antes "
        "de activarlo."
    ),
    "not_in_rethus": _("%(name)s no aparece activo en RETHUS: no puede ser %(role)s."),
    "wrong_profession": _(
        "Según RETHUS, %(name)s es %(professions)s: no puede ser %(role)s. %(hint)s"
    ),
    "hint_prescriptor": _("Prescriptor es para médicos, odontólogos y optómetras."),
    "hint_ordenador": _("Ordenador es para nutricionistas."),
    "independent_required": _(
        "Para activar a un profesional independiente indique su NIT y su código REPS."
    ),
    "reps_unknown": _("El código REPS %(code)s no existe o no está habilitado."),
    "reps_mismatch": _(
        "En REPS, el código %(code)s no corresponde a un profesional independiente con este "
        "NIT y documento."
    ),
}


def _check_profession(user, role: str) -> None:
    name = user.get_full_name()
    professions = active_professions(user.document_type, user.document_number)
    if not professions:
        raise DomainError(
            ERRORS["not_in_rethus"] % {"name": name, "role": Role(role).label},
            field="role",
            code="not_in_rethus",
        )
    if not any(prescribing_role(p) == role for p in professions):
        labels = {Profession(p).label for p in professions}
        raise DomainError(
            ERRORS["wrong_profession"]
            % {
                "name": name,
                "professions": ", ".join(sorted(str(label) for label in labels)).lower(),
                "role": Role(role).label,
                "hint": ERRORS[f"hint_{role}"],
            },
            field="role",
            code="wrong_profession",
        )


def _check_independent(user, nit: str, reps_code: str) -> None:
    if not (nit and reps_code):
        raise DomainError(ERRORS["independent_required"], field="reps_code", code="reps_required")
    record = reps().by_code(reps_code)
    if record is None or not record.active:
        raise DomainError(
            ERRORS["reps_unknown"] % {"code": reps_code}, field="reps_code", code="reps_unknown"
        )
    matches = (
        record.independent_professional
        and record.nit == nit
        and record.document_type == user.document_type
        and record.document_number == user.document_number
    )
    if not matches:
        raise DomainError(
            ERRORS["reps_mismatch"] % {"code": reps_code}, field="reps_code", code="reps_mismatch"
        )


def staff_activate(
    *,
    actor,
    entity: Entity,
    document_type: str,
    document_number: str,
    role: str,
    sedes=(),
    nit: str = "",
    reps_code: str = "",
) -> Membership:
    """The delegate activates a person, found by document type and number only (never
    their password), in a role of the entity.

    The person must have credentials (PASO 2 done, seed 000). Prescriptor and Ordenador
    need the matching active profession in RETHUS. At an EPS or EOC those two roles are
    for independent professionals of its network: their NIT and REPS code must match an
    independent professional's REPS record. Raises PermissionDenied, DomainError.
    """
    require_perm(actor, entity, "entities.manage_users")
    user = find_person(document_type, document_number)
    if not user.has_usable_password():
        raise DomainError(
            ERRORS["no_credentials"] % {"name": user.get_full_name()},
            field="document_number",
            code="no_credentials",
        )
    if role in PROFESSION_ROLES:
        _check_profession(user, role)
        if entity.entity_type in CODE_HOLDER_TYPES:
            _check_independent(user, nit.strip(), reps_code.strip())
    else:
        reps_code = ""
    with transaction.atomic():
        return entity_services.membership_activate(
            actor=actor, entity=entity, user=user, role=role, sedes=sedes, reps_code=reps_code
        )
