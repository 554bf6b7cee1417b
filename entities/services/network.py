"""Sedes of providers, territorial links of ETs and the networks of payers (seed 002)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mipres.lib.errors import DomainError

from .. import audit
from ..models import Entity, NetworkLink, PayerCode, Regime, Sede, TerritorialLink
from ..permissions import PROVIDER_TYPES, EntityType
from .common import ERRORS, require_perm

SEDE_FIELDS = ("code", "name", "address", "municipality", "phone")


def _save_sede(sede: Sede, update_fields=None) -> None:
    """Validate and save. A code already used by another of the entity's sedes is reported
    beside the code (the unique constraint spans entity and code, and the entity is not
    something the delegate types); the database index settles a race."""
    duplicate = ERRORS["sede_duplicate_code"]
    if Sede.objects.filter(entity=sede.entity_id, code=sede.code).exclude(pk=sede.pk).exists():
        raise ValidationError({"code": duplicate})
    sede.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            sede.save(update_fields=update_fields)
    except IntegrityError:
        raise ValidationError({"code": duplicate}) from None


@transaction.atomic
def sede_create(*, actor, entity: Entity, **fields) -> Sede:
    """Create a sede of an IPS or proveedor (entities.manage_sedes). Raises ValidationError
    (per-field messages), DomainError, PermissionDenied."""
    require_perm(actor, entity, "entities.manage_sedes")
    if entity.entity_type not in PROVIDER_TYPES:
        raise DomainError(ERRORS["no_sedes"], code="no_sedes")
    sede = Sede(entity=entity, **fields)
    _save_sede(sede)
    audit.log(
        actor=actor,
        action="entities.sede.created",
        entity=entity,
        target=sede,
        data={"code": sede.code, "name": sede.name, "municipality": sede.municipality_id},
    )
    return sede


def sede_update(*, actor, sede: Sede, **fields) -> Sede:
    """Edit a sede's code, name, address, municipality or phone. Raises ValidationError."""
    require_perm(actor, sede.entity, "entities.manage_sedes")
    with transaction.atomic():
        sede = Sede.objects.select_for_update().get(pk=sede.pk)
        changes = {}
        for name, value in fields.items():
            if name not in SEDE_FIELDS:
                raise TypeError(f"Not a sede field: {name}")
            before = getattr(sede, name)
            if before != value:
                changes[name] = [str(before), str(value)]
                setattr(sede, name, value)
        if not changes:
            return sede
        _save_sede(sede, update_fields=list(changes))
        audit.log(
            actor=actor,
            action="entities.sede.updated",
            entity=sede.entity,
            target=sede,
            data={"changes": changes},
        )
    return sede


def sede_set_active(*, actor, sede: Sede, active: bool, reason: str = "") -> Sede:
    """Inactivate or reactivate a sede. Raises DomainError when nothing would change."""
    require_perm(actor, sede.entity, "entities.manage_sedes")
    with transaction.atomic():
        sede = Sede.objects.select_for_update().get(pk=sede.pk)
        if sede.active == active:
            message = ERRORS["sede_already_active" if active else "sede_already_inactive"]
            raise DomainError(message % {"code": sede.code}, code="no_change")
        sede.active = active
        sede.save(update_fields=["active"])
        audit.log(
            actor=actor,
            action="entities.sede.reactivated" if active else "entities.sede.inactivated",
            entity=sede.entity,
            target=sede,
            data={"code": sede.code, "reason": reason},
        )
    return sede


def _create_link(model, *, actor, entity: Entity, action: str, data: dict, **fields):
    try:
        with transaction.atomic():
            link = model.objects.create(started_by=actor, **fields)
    except IntegrityError:
        # The partial unique index is the guard against two concurrent associations.
        raise DomainError(ERRORS["link_already_active"], code="already_active") from None
    audit.log(actor=actor, action=action, entity=entity, target=link, data=data)
    return link


def _close_link(link, *, actor, entity: Entity, action: str, reason: str, data: dict):
    link.ended_at, link.ended_by = timezone.now(), actor
    link.save(update_fields=["ended_at", "ended_by"])
    audit.log(
        actor=actor, action=action, entity=entity, target=link, data={**data, "reason": reason}
    )


@transaction.atomic
def territorial_link_activate(
    *, actor, territory: Entity, payer_code: PayerCode
) -> TerritorialLink:
    """An ET associates a subsidiado código EPS in its territory."""
    require_perm(actor, territory, "entities.manage_territory")
    if territory.entity_type != EntityType.ET:
        raise DomainError(ERRORS["not_et"], code="not_et")
    if payer_code.regime != Regime.SUBSIDIADO:
        raise DomainError(ERRORS["not_subsidiado"] % {"code": payer_code.code}, field="payer_code")
    if not payer_code.active:
        raise DomainError(ERRORS["code_inactive"] % {"code": payer_code.code}, field="payer_code")
    if TerritorialLink.objects.active().filter(territory=territory, payer_code=payer_code).exists():
        raise DomainError(ERRORS["link_already_active"], code="already_active")
    return _create_link(
        TerritorialLink,
        actor=actor,
        entity=territory,
        action="entities.territorial_link.activated",
        data={"payer_code": payer_code.code},
        territory=territory,
        payer_code=payer_code,
    )


def territorial_link_inactivate(*, actor, link: TerritorialLink, reason: str) -> TerritorialLink:
    """The ET ends the association. The EPS's network links in that territory end with it:
    a subsidiado network exists only where the ET has associated the EPS."""
    require_perm(actor, link.territory, "entities.manage_territory")
    with transaction.atomic():
        link = TerritorialLink.objects.select_for_update().get(pk=link.pk)
        if not link.is_active:
            raise DomainError(ERRORS["already_inactive"], code="already_inactive")
        _close_link(
            link,
            actor=actor,
            entity=link.territory,
            action="entities.territorial_link.inactivated",
            reason=reason,
            data={"payer_code": link.payer_code.code},
        )
        dependents = NetworkLink.objects.active().select_for_update()
        for network_link in dependents.filter(payer_code=link.payer_code, territory=link.territory):
            _close_link(
                network_link,
                actor=actor,
                entity=network_link.payer,
                action="entities.network_link.inactivated",
                reason=reason,
                data={"provider": network_link.provider.nit, "cause": "territorial_link"},
            )
    return link


def _check_network_link(payer: Entity, provider: Entity, payer_code, territory) -> None:
    if provider.entity_type not in PROVIDER_TYPES:
        raise DomainError(ERRORS["not_provider"], field="provider", code="not_provider")
    if provider.status != Entity.Status.VERIFIED:
        raise DomainError(
            ERRORS["provider_not_verified"] % {"name": provider.name},
            field="provider",
            code="provider_not_verified",
        )
    if payer.entity_type == EntityType.ET:
        if payer_code is not None:
            raise DomainError(ERRORS["et_without_code"], field="payer_code")
        if territory is not None:
            raise DomainError(ERRORS["territory_not_allowed"], field="territory")
        return
    if payer_code is None:
        raise DomainError(ERRORS["code_required"], field="payer_code")
    if payer_code.entity_id != payer.pk:
        raise DomainError(ERRORS["code_of_other_payer"], field="payer_code")
    if not payer_code.active:
        raise DomainError(ERRORS["code_inactive"] % {"code": payer_code.code}, field="payer_code")
    if payer_code.regime != Regime.SUBSIDIADO:
        if territory is not None:
            raise DomainError(ERRORS["territory_not_allowed"], field="territory")
        return
    if territory is None:
        raise DomainError(ERRORS["territory_required"], field="territory")
    if not TerritorialLink.objects.active().filter(territory=territory, payer_code=payer_code):
        raise DomainError(
            ERRORS["territory_not_linked"] % {"territory": territory.name, "code": payer_code.code},
            field="territory",
        )


@transaction.atomic
def network_link_activate(
    *, actor, payer: Entity, provider: Entity, payer_code: PayerCode | None = None, territory=None
) -> NetworkLink:
    """Associate an IPS or proveedor to a payer's network (entities.manage_network).

    Contributivo codes associate directly; subsidiado codes per entidad territorial, only
    where that ET has associated the code; an ET associates without a code (seed 002).
    Re-associating an active link is refused with code "already_active".
    """
    require_perm(actor, payer, "entities.manage_network")
    _check_network_link(payer, provider, payer_code, territory)
    active = NetworkLink.objects.active().filter(
        payer=payer, provider=provider, payer_code=payer_code, territory=territory
    )
    if active.exists():
        raise DomainError(ERRORS["link_already_active"], code="already_active")
    return _create_link(
        NetworkLink,
        actor=actor,
        entity=payer,
        action="entities.network_link.activated",
        data={
            "provider": provider.nit,
            "payer_code": payer_code.code if payer_code else None,
            "territory": territory.nit if territory else None,
        },
        payer=payer,
        provider=provider,
        payer_code=payer_code,
        territory=territory,
    )


def network_link_inactivate(*, actor, link: NetworkLink, reason: str) -> NetworkLink:
    """The payer takes an IPS or proveedor out of its network (the history stays)."""
    require_perm(actor, link.payer, "entities.manage_network")
    with transaction.atomic():
        link = NetworkLink.objects.select_for_update().get(pk=link.pk)
        if not link.is_active:
            raise DomainError(ERRORS["already_inactive"], code="already_inactive")
        _close_link(
            link,
            actor=actor,
            entity=link.payer,
            action="entities.network_link.inactivated",
            reason=reason,
            data={"provider": link.provider.nit},
        )
    return link
