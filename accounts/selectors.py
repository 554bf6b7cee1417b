"""Scoped reads for the delegate's module, "Módulo de Administración de Usuarios" (STYLE R5).

Every query about an entity's own objects starts from the entity the decorator resolved
(`request.entity`), so another entity's membership, sede or link is simply not found (404).
Lookups across entities (a provider by NIT, a código EPS by code, a person by document)
return only what the module needs to show.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Model, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404

from entities.models import (
    AuditEntry,
    Entity,
    Membership,
    NetworkLink,
    PayerCode,
    Regime,
    Sede,
    TerritorialLink,
)
from entities.permissions import PROVIDER_TYPES, EntityType, Role
from mipres.lib.nit import normalize_nit
from mipres.lib.search import fold, folded

from .models import Profession, User
from .registries import prescribing_role, rethus
from .registries.names import check_name

# Filter values for "Estado" in every list of the module.
STATE_ACTIVE, STATE_INACTIVE, STATE_ALL = "activo", "inactivo", "todos"


def _with_state(queryset: QuerySet, state: str) -> QuerySet:
    if state == STATE_ACTIVE:
        return queryset.filter(ended_at__isnull=True)
    if state == STATE_INACTIVE:
        return queryset.filter(ended_at__isnull=False)
    return queryset


def audit_list_for(*, entity: Entity, objects: Iterable[Model]) -> QuerySet[AuditEntry]:
    """The entity's audit entries about `objects` (all of one model), newest first."""
    objects = list(objects)
    if not objects:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(
        entity=entity,
        content_type=ContentType.objects.get_for_model(objects[0]),
        object_id__in=[str(obj.pk) for obj in objects],
    ).select_related("actor")


# Users ---------------------------------------------------------------------------------


def membership_list(
    *, entity: Entity, role: str = "", state: str = STATE_ACTIVE, document: str = "", name: str = ""
) -> QuerySet[Membership]:
    """The entity's role periods for "Consulta de usuarios", filtered.

    `name` matches every word against any of the person's names, ignoring case and accents;
    `document` matches part of the document number.
    """
    queryset = _with_state(Membership.objects.filter(entity=entity), state)
    if role:
        queryset = queryset.filter(role=role)
    if document:
        queryset = queryset.filter(user__document_number__icontains=document.strip())
    words = fold(name).split()
    if words:
        full_name = folded(
            Concat(
                "user__first_name",
                Value(" "),
                "user__middle_name",
                Value(" "),
                "user__first_surname",
                Value(" "),
                "user__second_surname",
            )
        )
        queryset = queryset.alias(folded_name=full_name)
        for word in words:
            queryset = queryset.filter(folded_name__contains=word)
    return (
        queryset.select_related("user", "started_by", "ended_by")
        .prefetch_related("sedes")
        .order_by(
            F("ended_at").desc(nulls_first=True),
            "user__first_surname",
            "user__first_name",
            "role",
            "-started_at",
        )
    )


def membership_get(*, entity: Entity, external_id) -> Membership:
    """One of the entity's role periods; 404 for another entity's."""
    try:
        return Membership.objects.select_related("user", "entity").get(
            entity=entity, external_id=external_id
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def membership_history(*, entity: Entity, user) -> list[Membership]:
    """Every role period of the person in the entity, newest first."""
    return list(
        Membership.objects.filter(entity=entity, user=user)
        .select_related("started_by", "ended_by")
        .prefetch_related("sedes")
        .order_by("-started_at", "-pk")
    )


def member_counts(*, entity: Entity) -> dict[str, int]:
    members = Membership.objects.filter(entity=entity)
    return {
        "active": members.filter(ended_at__isnull=True).count(),
        "people": members.filter(ended_at__isnull=True).values("user").distinct().count(),
    }


@dataclass(frozen=True)
class ProfessionRow:
    profession: str
    registration_number: str
    active: bool
    role: str


@dataclass(frozen=True)
class PersonPreview:
    """What the delegate sees before activating someone. For an unregistered document
    nothing else is looked up or shown."""

    document: str
    registered: bool
    full_name: str = ""
    active: bool = False
    has_credentials: bool = False
    professions: tuple[ProfessionRow, ...] = ()
    roles_here: tuple[str, ...] = ()
    # RETHUS's name for the document, beside the registered one (empty: not in RETHUS).
    rethus_name: str = ""
    rethus_name_matches: bool = True


def person_preview(
    document_type: str, document_number: str, *, entity: Entity | None = None
) -> PersonPreview:
    """The person registered (PASO 1) with this document, their RETHUS professions and
    their active roles in `entity`; never their password or contact data."""
    number = document_number.strip().upper()
    document = f"{document_type} {number}"
    user = User.objects.filter(document_type=document_type, document_number=number).first()
    if user is None:
        return PersonPreview(document=document, registered=False)
    rows = []
    records = rethus().records_for(document_type, number)
    name = check_name(user, records)
    for record in records:
        role = prescribing_role(record.profession)
        label = (
            Profession(record.profession).label
            if record.profession in Profession.values
            else record.profession
        )
        rows.append(
            ProfessionRow(
                profession=str(label),
                registration_number=record.registration_number,
                active=record.active,
                role=str(Role(role).label) if role else "",
            )
        )
    roles_here: tuple[str, ...] = ()
    if entity is not None:
        active_roles = Membership.objects.active().filter(user=user, entity=entity)
        roles_here = tuple(
            str(Role(r).label) for r in active_roles.values_list("role", flat=True).order_by("role")
        )
    return PersonPreview(
        document=document,
        registered=True,
        full_name=user.get_full_name(),
        active=user.is_active,
        has_credentials=user.has_usable_password(),
        professions=tuple(rows),
        roles_here=roles_here,
        rethus_name=name.rethus_name,
        rethus_name_matches=name.matches,
    )


# Sedes ---------------------------------------------------------------------------------


def sede_list(*, entity: Entity) -> list[Sede]:
    """Every sede of the entity, active first."""
    return list(
        Sede.objects.filter(entity=entity)
        .select_related("municipality__department")
        .order_by("-active", "code")
    )


def sede_list_active(*, entity: Entity) -> QuerySet[Sede]:
    return Sede.objects.filter(entity=entity, active=True).order_by("code")


def sede_get(*, entity: Entity, external_id) -> Sede:
    """One of the entity's sedes by its public id; 404 for another entity's."""
    try:
        return Sede.objects.select_related("entity", "municipality").get(
            entity=entity, external_id=external_id
        )
    except Sede.DoesNotExist:
        raise Http404 from None


# Network (payer side) ------------------------------------------------------------------


def payer_code_list(*, entity: Entity, active_only: bool = False) -> QuerySet[PayerCode]:
    queryset = PayerCode.objects.filter(entity=entity).order_by("code")
    return queryset.filter(active=True) if active_only else queryset


def network_territory_choices(*, payer: Entity) -> QuerySet[Entity]:
    """The entidades territoriales that have associated one of the payer's active
    subsidiado codes: where the payer may build a subsidiado network."""
    return (
        Entity.objects.filter(
            entity_type=EntityType.ET,
            territorial_links__ended_at__isnull=True,
            territorial_links__payer_code__entity=payer,
            territorial_links__payer_code__regime=Regime.SUBSIDIADO,
            territorial_links__payer_code__active=True,
        )
        .distinct()
        .order_by("name")
    )


def territory_list() -> QuerySet[Entity]:
    """Every entidad territorial (to validate a posted choice; the service decides)."""
    return Entity.objects.filter(entity_type=EntityType.ET)


def network_filter_territories(*, payer: Entity) -> QuerySet[Entity]:
    """The territories named by any of the payer's links (for the list's filter)."""
    return Entity.objects.filter(
        entity_type=EntityType.ET, pk__in=payer.network_links.values("territory")
    ).order_by("name")


def network_link_list(
    *,
    payer: Entity,
    state: str = STATE_ACTIVE,
    payer_code: PayerCode | None = None,
    territory: Entity | None = None,
    provider_type: str = "",
    query: str = "",
) -> QuerySet[NetworkLink]:
    """The payer's network links for "Consulta de entidades", filtered. `query` matches
    part of the provider's NIT or name."""
    queryset = _with_state(NetworkLink.objects.filter(payer=payer), state)
    if payer_code is not None:
        queryset = queryset.filter(payer_code=payer_code)
    if territory is not None:
        queryset = queryset.filter(territory=territory)
    if provider_type:
        queryset = queryset.filter(provider__entity_type=provider_type)
    query = query.strip()
    if query:
        nit = normalize_nit(query)
        by_nit = Q(provider__nit__contains=nit) if nit.isdigit() else Q()
        queryset = queryset.filter(by_nit | Q(provider__name__icontains=query))
    return queryset.select_related(
        "payer_code", "territory", "provider__municipality", "started_by", "ended_by"
    ).order_by(
        F("ended_at").desc(nulls_first=True),
        "payer_code__code",
        "territory__name",
        "provider__name",
        "-started_at",
    )


def network_link_get(*, payer: Entity, external_id) -> NetworkLink:
    """One of the payer's network links; 404 for another payer's."""
    try:
        return NetworkLink.objects.select_related(
            "payer", "payer_code", "territory", "provider", "started_by", "ended_by"
        ).get(payer=payer, external_id=external_id)
    except NetworkLink.DoesNotExist:
        raise Http404 from None


def provider_get_by_nit(nit: str) -> Entity | None:
    """The verified IPS or proveedor with this NIT (without check digit), if any."""
    return Entity.objects.filter(
        nit=nit, entity_type__in=PROVIDER_TYPES, status=Entity.Status.VERIFIED
    ).first()


def network_counts(*, payer: Entity) -> dict[str, int]:
    return {"active": NetworkLink.objects.active().filter(payer=payer).count()}


# Territory (entidad territorial) -------------------------------------------------------


def territorial_link_list(
    *, territory: Entity, state: str = STATE_ACTIVE
) -> QuerySet[TerritorialLink]:
    queryset = _with_state(TerritorialLink.objects.filter(territory=territory), state)
    return queryset.select_related("payer_code__entity", "started_by", "ended_by").order_by(
        F("ended_at").desc(nulls_first=True), "payer_code__code", "-started_at"
    )


def territorial_link_get(*, territory: Entity, external_id) -> TerritorialLink:
    """One of the ET's territorial links; 404 for another ET's."""
    try:
        return TerritorialLink.objects.select_related(
            "territory", "payer_code__entity", "started_by", "ended_by"
        ).get(territory=territory, external_id=external_id)
    except TerritorialLink.DoesNotExist:
        raise Http404 from None


def territorial_dependent_links(*, link: TerritorialLink) -> list[NetworkLink]:
    """The EPS's active network links in the territory, which end with the association."""
    return list(
        NetworkLink.objects.active()
        .filter(payer_code=link.payer_code, territory=link.territory)
        .select_related("provider")
        .order_by("provider__name")
    )


def payer_code_get(code: str) -> PayerCode | None:
    """A código EPS by its six characters, of any EPS or EOC."""
    return PayerCode.objects.select_related("entity").filter(code=code.strip().upper()).first()
