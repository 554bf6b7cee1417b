"""Every write on entities (STYLE R4): check the actor, validate, write, audit, in one
transaction. `actor=None` is the system itself (management commands such as seed_demo);
views always pass the logged-in user."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mipres.lib.errors import DomainError

from . import audit
from .models import Entity, Membership, NetworkLink, PayerCode, Regime, Sede, TerritorialLink
from .permissions import PROVIDER_TYPES, EntityType, Role, role_applies
from .selectors import user_has_entity_perm

ERRORS = {
    "transition": _("La entidad está «%(status)s» y no puede pasar a «%(target)s»."),
    "role_not_for_type": _("El rol «%(role)s» no existe para una entidad de tipo %(type)s."),
    "inactive_user": _("La persona está inactiva en el sistema."),
    "duplicate_membership": _("La persona ya tiene este rol activo en la entidad."),
    "sede_other_entity": _("La sede no pertenece a la entidad."),
    "not_et": _("Solo una entidad territorial asocia EPS del régimen subsidiado."),
    "not_subsidiado": _("El código EPS %(code)s no es del régimen subsidiado."),
    "code_inactive": _("El código EPS %(code)s está inactivo."),
    "duplicate_link": _("Esta asociación ya está activa."),
    "not_provider": _("Solo una IPS o un proveedor pueden entrar a la red de un pagador."),
    "provider_not_verified": _("La entidad %(name)s aún no está verificada."),
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
}


def _require_perm(actor, entity: Entity, perm: str) -> None:
    if actor is None:
        return
    if not user_has_entity_perm(user=actor, entity=entity, perm=perm):
        raise PermissionDenied


def _require_ministry(actor) -> None:
    """Ministry administrators (Django admin staff with the permission) or the system."""
    if actor is None:
        return
    if not (actor.is_active and actor.is_staff and actor.has_perm("entities.verify_entity")):
        raise PermissionDenied


def _full_clean(obj, exclude=None) -> None:
    # Validates fields, unique and constraint checks before writing; raises ValidationError
    # with per-field Spanish messages that forms show beside each field.
    obj.full_clean(exclude=exclude)


@transaction.atomic
def entity_register(
    *,
    actor,
    entity_type: str,
    nit: str,
    dv: str,
    name: str,
    municipality,
    payer_codes: list[tuple[str, str]] = (),
    **fields,
) -> Entity:
    """Register an entity, pending verification, with its códigos EPS (code, régimen).

    Only the Ministry (or the system) registers directly; the registration by the legal
    representative is the user-administration module's. Raises ValidationError.
    """
    _require_ministry(actor)
    entity = Entity(
        entity_type=entity_type, nit=nit, dv=dv, name=name, municipality=municipality, **fields
    )
    _full_clean(entity)
    entity.save()
    for code, regime in payer_codes:
        payer_code = PayerCode(entity=entity, code=code, regime=regime)
        _full_clean(payer_code)
        payer_code.save()
    audit.log(
        actor=actor,
        action="entities.entity.registered",
        entity=entity,
        target=entity,
        data={"nit": entity.nit_display, "type": entity_type, "payer_codes": list(payer_codes)},
    )
    return entity


def _entity_transition(*, actor, entity: Entity, target: str, action: str, reason: str) -> Entity:
    _require_ministry(actor)
    with transaction.atomic():
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        if not entity.can_transition(target):
            raise DomainError(
                ERRORS["transition"]
                % {"status": entity.get_status_display(), "target": Entity.Status(target).label},
                code="invalid_transition",
            )
        previous = entity.status
        entity.status = target
        update_fields = ["status"]
        if target == Entity.Status.VERIFIED and entity.verified_at is None:
            entity.verified_at = timezone.now()
            update_fields.append("verified_at")
        entity.save(update_fields=update_fields)
        audit.log(
            actor=actor,
            action=action,
            entity=entity,
            target=entity,
            data={"from": previous, "to": target, "reason": reason},
        )
    return entity


def entity_verify(*, actor, entity: Entity) -> Entity:
    """Pending (or suspended) → verified. Ministry only. Raises DomainError otherwise."""
    return _entity_transition(
        actor=actor,
        entity=entity,
        target=Entity.Status.VERIFIED,
        action="entities.entity.verified",
        reason="",
    )


def entity_suspend(*, actor, entity: Entity, reason: str) -> Entity:
    """Verified → suspended: its members keep only read access. Ministry only."""
    return _entity_transition(
        actor=actor,
        entity=entity,
        target=Entity.Status.SUSPENDED,
        action="entities.entity.suspended",
        reason=reason,
    )


@transaction.atomic
def membership_activate(
    *, actor, entity: Entity, user, role: str, sedes=(), reps_code: str = ""
) -> Membership:
    """Give `user` the `role` in `entity`, opening a new active period.

    The delegate assigns roles (entities.manage_users); the Delegado role itself is
    designated by the legal representative, so only the Ministry or the system grant it
    here. Raises PermissionDenied, DomainError.
    """
    if role == Role.DELEGADO:
        _require_ministry(actor)
    else:
        _require_perm(actor, entity, "entities.manage_users")
    if not role_applies(role, entity.entity_type):
        raise DomainError(
            ERRORS["role_not_for_type"] % {"role": Role(role).label, "type": entity.entity_type},
            field="role",
            code="role_not_for_type",
        )
    if not user.is_active:
        raise DomainError(ERRORS["inactive_user"], code="inactive_user")
    sedes = list(sedes)
    if any(sede.entity_id != entity.pk for sede in sedes):
        raise DomainError(ERRORS["sede_other_entity"], field="sedes", code="sede_other_entity")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, entity=entity, role=role, reps_code=reps_code, started_by=actor
            )
    except IntegrityError:
        # The partial unique index is the guard against two concurrent activations.
        raise DomainError(ERRORS["duplicate_membership"], code="duplicate") from None
    membership.sedes.set(sedes)
    audit.log(
        actor=actor,
        action="entities.membership.activated",
        entity=entity,
        target=membership,
        data={"user": user.username, "role": role, "sedes": [s.code for s in sedes]},
    )
    return membership


@transaction.atomic
def sede_create(*, actor, entity: Entity, **fields) -> Sede:
    """Create a sede of an IPS or proveedor (entities.manage_sedes). Raises ValidationError."""
    _require_perm(actor, entity, "entities.manage_sedes")
    if entity.entity_type not in PROVIDER_TYPES:
        raise DomainError(ERRORS["not_provider"], code="not_provider")
    sede = Sede(entity=entity, **fields)
    _full_clean(sede)
    sede.save()
    audit.log(
        actor=actor,
        action="entities.sede.created",
        entity=entity,
        target=sede,
        data={"code": sede.code, "name": sede.name, "municipality": sede.municipality_id},
    )
    return sede


@transaction.atomic
def territorial_link_activate(
    *, actor, territory: Entity, payer_code: PayerCode
) -> TerritorialLink:
    """An ET associates a subsidiado código EPS in its territory (seed 002)."""
    _require_perm(actor, territory, "entities.manage_territory")
    if territory.entity_type != EntityType.ET:
        raise DomainError(ERRORS["not_et"], code="not_et")
    if payer_code.regime != Regime.SUBSIDIADO:
        raise DomainError(ERRORS["not_subsidiado"] % {"code": payer_code.code}, field="payer_code")
    if not payer_code.active:
        raise DomainError(ERRORS["code_inactive"] % {"code": payer_code.code}, field="payer_code")
    try:
        with transaction.atomic():
            link = TerritorialLink.objects.create(
                territory=territory, payer_code=payer_code, started_by=actor
            )
    except IntegrityError:
        raise DomainError(ERRORS["duplicate_link"], code="duplicate") from None
    audit.log(
        actor=actor,
        action="entities.territorial_link.activated",
        entity=territory,
        target=link,
        data={"payer_code": payer_code.code},
    )
    return link


def _check_network_link(payer: Entity, provider: Entity, payer_code, territory) -> None:
    if provider.entity_type not in PROVIDER_TYPES:
        raise DomainError(ERRORS["not_provider"], field="provider", code="not_provider")
    if provider.status != Entity.Status.VERIFIED:
        raise DomainError(
            ERRORS["provider_not_verified"] % {"name": provider.name}, field="provider"
        )
    if payer.entity_type == EntityType.ET:
        if payer_code is not None:
            raise DomainError(ERRORS["et_without_code"], field="payer_code")
        return
    if payer_code is None:
        raise DomainError(ERRORS["code_required"], field="payer_code")
    if payer_code.entity_id != payer.pk:
        raise DomainError(ERRORS["code_of_other_payer"], field="payer_code")
    if not payer_code.active:
        raise DomainError(ERRORS["code_inactive"] % {"code": payer_code.code}, field="payer_code")
    if payer_code.regime == Regime.SUBSIDIADO:
        if territory is None:
            raise DomainError(ERRORS["territory_required"], field="territory")
        linked = TerritorialLink.objects.active().filter(territory=territory, payer_code=payer_code)
        if not linked.exists():
            raise DomainError(
                ERRORS["territory_not_linked"]
                % {"territory": territory.name, "code": payer_code.code},
                field="territory",
            )
    elif territory is not None:
        raise DomainError(ERRORS["territory_not_allowed"], field="territory")


@transaction.atomic
def network_link_activate(
    *, actor, payer: Entity, provider: Entity, payer_code: PayerCode | None = None, territory=None
) -> NetworkLink:
    """Associate an IPS or proveedor to a payer's network (entities.manage_network).

    Contributivo codes associate directly; subsidiado codes per entidad territorial, only
    where that ET has associated the code; an ET associates without a code (seed 002).
    """
    _require_perm(actor, payer, "entities.manage_network")
    _check_network_link(payer, provider, payer_code, territory)
    try:
        with transaction.atomic():
            link = NetworkLink.objects.create(
                payer=payer,
                payer_code=payer_code,
                territory=territory,
                provider=provider,
                started_by=actor,
            )
    except IntegrityError:
        raise DomainError(ERRORS["duplicate_link"], code="duplicate") from None
    audit.log(
        actor=actor,
        action="entities.network_link.activated",
        entity=payer,
        target=link,
        data={
            "provider": provider.nit,
            "payer_code": payer_code.code if payer_code else None,
            "territory": territory.nit if territory else None,
        },
    )
    return link
