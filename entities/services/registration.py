"""An entity's life: registration, confirmation by its legal representative, verification
by the Ministry, suspension, and the designation of its delegate (seeds 000 and 002)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mipres.lib.errors import DomainError
from mipres.lib.mail import absolute_url, send_on_commit

from .. import audit
from ..models import Entity, Membership, PayerCode
from ..permissions import Role
from .common import ERRORS, is_ministry, require_ministry
from .membership import open_membership


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
    legal_representative=None,
    pending_delegate=None,
    **fields,
) -> Entity:
    """Register an entity, pending verification, with its códigos EPS (code, régimen).

    The Ministry (or the system) registers directly and the registration counts as
    confirmed. A legal representative registers their own entity (`actor` is
    `legal_representative`): the registration waits for the confirmation link sent to them.
    Raises PermissionDenied, ValidationError (per-field messages).
    """
    self_registration = actor is not None and actor == legal_representative
    if not self_registration:
        require_ministry(actor)
    entity = Entity(
        entity_type=entity_type,
        nit=nit,
        dv=dv,
        name=name,
        municipality=municipality,
        legal_representative=legal_representative,
        pending_delegate=pending_delegate,
        registration_confirmed_at=None if self_registration else timezone.now(),
        **fields,
    )
    entity.full_clean()
    entity.save()
    for code, regime in payer_codes:
        payer_code = PayerCode(entity=entity, code=code, regime=regime)
        payer_code.full_clean()
        payer_code.save()
    audit.log(
        actor=actor,
        action="entities.entity.registered",
        entity=entity,
        target=entity,
        data={
            "nit": entity.nit_display,
            "type": entity_type,
            "payer_codes": list(payer_codes),
            "delegate": pending_delegate.username if pending_delegate else None,
        },
    )
    return entity


def entity_confirm_registration(*, actor, entity: Entity) -> Entity:
    """The legal representative confirms the registration (from the emailed link); the
    entity then appears among the registrations the Ministry verifies. Idempotent."""
    with transaction.atomic():
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        if actor is None or entity.legal_representative_id != actor.pk:
            raise PermissionDenied
        if entity.registration_confirmed_at is None:
            entity.registration_confirmed_at = timezone.now()
            entity.save(update_fields=["registration_confirmed_at"])
            audit.log(actor=actor, action="entities.entity.confirmed", entity=entity, target=entity)
    return entity


def _transition(*, actor, entity: Entity, target: str, action: str, reason: str) -> Entity:
    require_ministry(actor)
    with transaction.atomic():
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        if not entity.can_transition(target):
            raise DomainError(
                ERRORS["transition"]
                % {"status": entity.get_status_display(), "target": Entity.Status(target).label},
                code="invalid_transition",
            )
        if target == Entity.Status.VERIFIED and entity.awaiting_confirmation:
            raise DomainError(ERRORS["unconfirmed"], code="unconfirmed")
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
        if target == Entity.Status.VERIFIED and entity.pending_delegate_id:
            _install_delegate(actor=actor, entity=entity, user=entity.pending_delegate)
    return entity


def entity_verify(*, actor, entity: Entity) -> Entity:
    """Pending (or suspended) → verified, by the Ministry. The designated delegate gets the
    Delegado role and an email inviting PASO 2. Raises DomainError, PermissionDenied."""
    return _transition(
        actor=actor,
        entity=entity,
        target=Entity.Status.VERIFIED,
        action="entities.entity.verified",
        reason="",
    )


def entity_suspend(*, actor, entity: Entity, reason: str) -> Entity:
    """Verified → suspended: its members keep only read access. Ministry only."""
    return _transition(
        actor=actor,
        entity=entity,
        target=Entity.Status.SUSPENDED,
        action="entities.entity.suspended",
        reason=reason,
    )


def _install_delegate(*, actor, entity: Entity, user, notify: bool = True) -> Membership:
    """Close the current delegate's period (if any), open the new one, clear the pending
    designation, and invite the new delegate to PASO 2. Runs inside the caller's atomic."""
    for current in (
        Membership.objects.active().select_for_update().filter(entity=entity, role=Role.DELEGADO)
    ):
        current.ended_at, current.ended_by = timezone.now(), actor
        current.save(update_fields=["ended_at", "ended_by"])
        audit.log(
            actor=actor,
            action="entities.membership.inactivated",
            entity=entity,
            target=current,
            data={"user": current.user.username, "role": Role.DELEGADO, "reason": "redesignado"},
        )
    membership = open_membership(actor=actor, entity=entity, user=user, role=Role.DELEGADO)
    if entity.pending_delegate_id:
        entity.pending_delegate = None
        entity.save(update_fields=["pending_delegate"])
    if not notify:
        return membership
    send_on_commit(
        to=[user.email],
        template="entities/email/delegate_invitation",
        context={
            "user": user,
            "entity": entity,
            "paso2_url": absolute_url(reverse("accounts:credentials_request")),
        },
    )
    return membership


def delegate_designate(*, actor, entity: Entity, user, notify: bool = True) -> Entity:
    """The legal representative (or the Ministry) designates a new delegate.

    Before verification the designation waits on the entity; on a verified entity the new
    delegate takes the role at once, the previous one loses it, and the new one is emailed
    an invitation to PASO 2 (unless `notify` is off: the demo seeding). Raises
    PermissionDenied, DomainError.
    """
    with transaction.atomic():
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        if not (is_ministry(actor) or entity.legal_representative_id == actor.pk):
            raise PermissionDenied
        current = Membership.objects.active().filter(entity=entity, role=Role.DELEGADO)
        if current.filter(user=user).exists() or entity.pending_delegate_id == user.pk:
            raise DomainError(
                ERRORS["same_delegate"] % {"name": user.get_full_name()}, code="already_active"
            )
        audit.log(
            actor=actor,
            action="entities.entity.delegate_designated",
            entity=entity,
            target=entity,
            data={"delegate": user.username},
        )
        if entity.status == Entity.Status.VERIFIED:
            _install_delegate(actor=actor, entity=entity, user=user, notify=notify)
        else:
            entity.pending_delegate = user
            entity.save(update_fields=["pending_delegate"])
    return entity
