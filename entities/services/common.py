"""What every entities service shares: the permission checks and the error messages.

`actor=None` is the system itself (management commands such as seed_demo); views always
pass the logged-in user.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from ..selectors import user_has_entity_perm

ERRORS = {
    "transition": _("La entidad está «%(status)s» y no puede pasar a «%(target)s»."),
    "unconfirmed": _(
        "El representante legal aún no ha confirmado el registro con el enlace enviado a su correo."
    ),
    "role_not_for_type": _("El rol «%(role)s» no existe para una entidad de tipo %(type)s."),
    "delegate_role": _(
        "El rol Delegado lo designa el representante legal de la entidad, no el delegado."
    ),
    "inactive_user": _("La persona está inactiva en el sistema."),
    "already_active": _("%(name)s ya tiene el rol %(role)s activo en la entidad."),
    "already_inactive": _("Este registro ya está inactivo."),
    "sede_other_entity": _("La sede no pertenece a la entidad."),
    "sede_inactive": _("La sede %(code)s está inactiva."),
    "sede_already_active": _("La sede %(code)s ya está activa."),
    "sede_already_inactive": _("La sede %(code)s ya está inactiva."),
    "sede_duplicate_code": _("La entidad ya tiene una sede con este código."),
    "not_et": _("Solo una entidad territorial asocia EPS del régimen subsidiado."),
    "not_subsidiado": _("El código EPS %(code)s no es del régimen subsidiado."),
    "code_inactive": _("El código EPS %(code)s está inactivo."),
    "link_already_active": _("Esta asociación ya está activa."),
    "not_provider": _("Solo una IPS o un proveedor pueden entrar a la red de un pagador."),
    "no_sedes": _("Solo una IPS o un proveedor tienen sedes."),
    "provider_not_verified": _("La entidad %(name)s aún no está verificada por el Ministerio."),
    "code_of_other_payer": _("El código EPS no pertenece a este pagador."),
    "code_required": _("Una EPS o EOC asocia su red por código EPS: elija el código."),
    "et_without_code": _("Una entidad territorial asocia su red sin código EPS."),
    "territory_required": _(
        "Para un código del régimen subsidiado, elija la entidad territorial donde aplica."
    ),
    "territory_not_linked": _(
        "La entidad territorial %(territory)s no ha asociado el código EPS %(code)s."
    ),
    "territory_not_allowed": _(
        "Solo los códigos del régimen subsidiado se asocian por territorio."
    ),
    "not_legal_representative": _("Solo el representante legal de la entidad puede hacerlo."),
    "same_delegate": _("%(name)s ya es el delegado de la entidad."),
}


def require_perm(actor, entity, perm: str) -> None:
    """The actor holds `perm` in `entity` through an active role (or is the system)."""
    if actor is None:
        return
    if not user_has_entity_perm(user=actor, entity=entity, perm=perm):
        raise PermissionDenied


def is_ministry(actor) -> bool:
    return actor is None or (
        actor.is_active and actor.is_staff and actor.has_perm("entities.verify_entity")
    )


def require_ministry(actor) -> None:
    """Ministry administrators (Django admin staff with the permission) or the system."""
    if not is_ministry(actor):
        raise PermissionDenied
