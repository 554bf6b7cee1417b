"""Profession rules (DESIGN.md §4): which MIPRES roles and technology types a set of
RETHUS professions allows. Pure functions, except `active_professions`, which asks the
configured RETHUS adapter."""

from collections.abc import Iterable

from entities.permissions import Role

from ..models import Profession
from .adapters import rethus

PRESCRIBER_PROFESSIONS = frozenset(
    {Profession.MEDICINA, Profession.ODONTOLOGIA, Profession.OPTOMETRIA}
)
ORDERER_PROFESSIONS = frozenset({Profession.NUTRICION_DIETETICA})
ALL_TECHNOLOGY_TYPES = frozenset("MPDNS")
# Médicos prescribe all five types; odontólogos and optómetras everything but nutritional
# products (within their scope, which the prescription module checks); nutricionistas
# order nutritional products only.
TECHNOLOGY_TYPES_BY_PROFESSION: dict[str, frozenset[str]] = {
    Profession.MEDICINA: ALL_TECHNOLOGY_TYPES,
    Profession.ODONTOLOGIA: frozenset("MPDS"),
    Profession.OPTOMETRIA: frozenset("MPDS"),
    Profession.NUTRICION_DIETETICA: frozenset("N"),
}


def prescribing_role(profession: str) -> str | None:
    """The role a profession may hold in MIPRES: 'prescriptor', 'ordenador' or None."""
    if profession in PRESCRIBER_PROFESSIONS:
        return Role.PRESCRIPTOR.value
    if profession in ORDERER_PROFESSIONS:
        return Role.ORDENADOR.value
    return None


def roles_allowed_for(professions: Iterable[str]) -> set[str]:
    """The prescribing roles ('prescriptor', 'ordenador') a set of professions allows.
    Pass only the *active* professions (see `active_professions`)."""
    return {role for p in professions if (role := prescribing_role(p))}


def technology_types_for(professions: Iterable[str]) -> set[str]:
    """The technology type letters (M, P, D, N, S) a set of professions may prescribe."""
    return set().union(*(TECHNOLOGY_TYPES_BY_PROFESSION.get(p, ()) for p in professions))


def active_professions(document_type: str, document_number: str) -> set[str]:
    """The person's active professions according to the configured RETHUS adapter."""
    return {r.profession for r in rethus().records_for(document_type, document_number) if r.active}
