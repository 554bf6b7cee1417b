"""Roles in an entity: periods opened and closed by the entity's delegate (seed 002)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from mipres.lib.errors import DomainError

from .. import audit
from ..models import Entity, Membership, Sede
from ..permissions import Role, role_applies
from .common import ERRORS, require_perm


def open_membership(
    *, actor, entity: Entity, user, role: str, sedes=(), reps_code: str = ""
) -> Membership:
    """Open a role period after the caller checked permission. Raises DomainError."""
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
    inactive = [sede.code for sede in sedes if not sede.active]
    if inactive:
        raise DomainError(
            ERRORS["sede_inactive"] % {"code": inactive[0]}, field="sedes", code="sede_inactive"
        )
    already = ERRORS["already_active"] % {"name": user.get_full_name(), "role": Role(role).label}
    if Membership.objects.active().filter(user=user, entity=entity, role=role).exists():
        raise DomainError(already, code="already_active")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, entity=entity, role=role, reps_code=reps_code, started_by=actor
            )
    except IntegrityError:
        # The partial unique index settles two activations racing past the check above.
        raise DomainError(already, code="already_active") from None
    membership.sedes.set(sedes)
    audit.log(
        actor=actor,
        action="entities.membership.activated",
        entity=entity,
        target=membership,
        data={
            "user": user.username,
            "role": role,
            "sedes": [s.code for s in sedes],
            "reps_code": reps_code,
        },
    )
    return membership


@transaction.atomic
def membership_activate(
    *, actor, entity: Entity, user, role: str, sedes: list[Sede] = (), reps_code: str = ""
) -> Membership:
    """The delegate gives `user` the `role` in `entity`, opening a new active period.

    The Delegado role is designated by the legal representative (`delegate_designate`),
    never granted here. Re-activating an active role is refused with code
    "already_active" (a no-op for the caller to report). Raises PermissionDenied,
    DomainError.
    """
    require_perm(actor, entity, "entities.manage_users")
    if role == Role.DELEGADO:
        raise DomainError(ERRORS["delegate_role"], field="role", code="delegate_role")
    return open_membership(
        actor=actor, entity=entity, user=user, role=role, sedes=sedes, reps_code=reps_code
    )


def membership_inactivate(*, actor, membership: Membership, reason: str) -> Membership:
    """The delegate closes a role period (the history stays). Not for the Delegado role,
    which changes only by a new designation. Raises PermissionDenied, DomainError."""
    require_perm(actor, membership.entity, "entities.manage_users")
    if membership.role == Role.DELEGADO:
        raise DomainError(ERRORS["delegate_role"], code="delegate_role")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if not membership.is_active:
            raise DomainError(ERRORS["already_inactive"], code="already_inactive")
        membership.ended_at, membership.ended_by = timezone.now(), actor
        membership.save(update_fields=["ended_at", "ended_by"])
        audit.log(
            actor=actor,
            action="entities.membership.inactivated",
            entity=membership.entity,
            target=membership,
            data={"user": membership.user.username, "role": membership.role, "reason": reason},
        )
    return membership
