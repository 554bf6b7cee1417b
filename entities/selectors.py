"""Scoped reads for entities (STYLE R5): every query starts from what the user may see."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.http import Http404

from .models import (
    AuditEntry,
    Entity,
    Membership,
    Municipality,
    NetworkLink,
    Sede,
    TerritorialLink,
)
from .permissions import VIEW_ENTITY, Role, permissions_for_roles


@dataclass
class EntityAccess:
    """What one user may do in one entity, from their active memberships."""

    entity: Entity
    roles: list[str] = field(default_factory=list)
    # The sedes a dispensador delivers at (None: every sede, or not a dispensador there).
    dispensador_sedes: frozenset[int] | None = None

    @property
    def perms(self) -> frozenset[str]:
        perms = permissions_for_roles(self.roles, self.entity.entity_type)
        if self.entity.status != Entity.Status.VERIFIED:
            # Until the Ministry verifies it (or while suspended), an entity's members may
            # only look at it.
            return perms & {VIEW_ENTITY}
        return perms

    def role_labels(self) -> list[str]:
        labels = dict(Membership._meta.get_field("role").choices)
        return [labels[role] for role in self.roles]


def membership_list_active(*, user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    # Every logged-in page reads this (the navigation, the permission decorator): the entity
    # with its municipality (the home page shows it), not the department (only the entity's
    # own page shows it, with one query more there).
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("entity", "entity__municipality")
        .order_by("entity__name", "role")
    )


def entity_access_list(*, user) -> list[EntityAccess]:
    """The entities a user acts for, each with the user's active roles there."""
    by_entity: dict[int, EntityAccess] = {}
    roles = defaultdict(list)
    dispensing = {}  # dispensador membership → its entity
    for membership in membership_list_active(user=user):
        by_entity.setdefault(membership.entity_id, EntityAccess(entity=membership.entity))
        roles[membership.entity_id].append(membership.role)
        if membership.role == Role.DISPENSADOR:
            dispensing[membership.pk] = membership.entity_id
    for entity_id, access in by_entity.items():
        access.roles = roles[entity_id]
    if dispensing:  # one query more, only for a dispensador
        sedes = defaultdict(set)
        named = Membership.sedes.through.objects.filter(membership_id__in=dispensing)
        for membership_id, sede_id in named.values_list("membership_id", "sede_id"):
            sedes[dispensing[membership_id]].add(sede_id)
        for entity_id, sede_ids in sedes.items():
            by_entity[entity_id].dispensador_sedes = frozenset(sede_ids)
    return list(by_entity.values())


def user_with_accesses(user_id):
    """The user with primary key `user_id` (None if there is none), carrying in
    `entity_accesses` what `entity_access_list` answers for them: what the authentication
    backend caches for the requests of a session (`accounts.backends`)."""
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is not None:
        user.entity_accesses = entity_access_list(user=user)
    return user


def entity_accesses_for_request(request) -> list[EntityAccess]:
    """The request user's `entity_access_list`, read once per request and kept on it: the
    permission decorator, the navigation bar and the home page share one query, which the
    authentication backend (`user_with_accesses`) already made with the user's own."""
    accesses = getattr(request, "_entity_accesses", None)
    if accesses is None:
        accesses = getattr(request.user, "entity_accesses", None)
        if accesses is None:
            accesses = entity_access_list(user=request.user)
        request._entity_accesses = accesses
    return accesses


def entity_access_for_request(request, *, external_id) -> EntityAccess:
    """The request user's access to one entity, from the per-request list (no query of its
    own when the list is already read); 404 when the user has no active role in it."""
    for access in entity_accesses_for_request(request):
        if str(access.entity.external_id) == str(external_id):
            return access
    raise Http404


def entity_access_get(*, user, external_id) -> EntityAccess:
    """The user's access to one entity; 404 when the user has no active role in it."""
    memberships = list(
        Membership.objects.active()
        .filter(user=user, entity__external_id=external_id)
        .select_related("entity", "entity__municipality__department")
    )
    if not memberships:
        raise Http404
    return EntityAccess(entity=memberships[0].entity, roles=[m.role for m in memberships])


def user_entity_perms(*, user, entity: Entity) -> frozenset[str]:
    """Every permission the user's active roles grant in `entity`: from the roles the
    request's user was loaded with (`user_with_accesses`, read at the start of this request),
    else one query."""
    accesses = getattr(user, "entity_accesses", None)
    if accesses is not None:
        for access in accesses:
            if access.entity.pk == entity.pk:
                return access.perms
        return frozenset()
    roles = (
        Membership.objects.active().filter(user=user, entity=entity).values_list("role", flat=True)
    )
    return EntityAccess(entity=entity, roles=list(roles)).perms


def user_has_entity_perm(*, user, entity: Entity, perm: str) -> bool:
    return perm in user_entity_perms(user=user, entity=entity)


def sede_list(*, entity: Entity) -> list[Sede]:
    return list(entity.sedes.select_related("municipality").order_by("-active", "code"))


def network_list_as_payer(*, entity: Entity) -> list[NetworkLink]:
    return list(
        NetworkLink.objects.active()
        .filter(payer=entity)
        .select_related("payer_code", "territory", "provider")
        .order_by("payer_code__code", "provider__name")
    )


def network_list_as_provider(*, entity: Entity) -> list[NetworkLink]:
    return list(
        NetworkLink.objects.active()
        .filter(provider=entity)
        .select_related("payer", "payer_code", "territory")
        .order_by("payer__name")
    )


def territorial_link_list(*, entity: Entity) -> list[TerritorialLink]:
    return list(
        TerritorialLink.objects.active()
        .filter(territory=entity)
        .select_related("payer_code__entity")
        .order_by("payer_code__code")
    )


def member_list(*, entity: Entity) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(entity=entity)
        .select_related("user")
        .order_by("user__first_surname", "user__first_name", "role")
    )


def audit_list(*, entity: Entity):
    """The entity's audit entries, newest first (a queryset, for pagination)."""
    return AuditEntry.objects.filter(entity=entity).select_related("actor")


def municipality_get(*, code: str) -> Municipality | None:
    return Municipality.objects.select_related("department").filter(code=code).first()
