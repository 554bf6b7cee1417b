"""The adapter boundary: every read of a registry goes through `rethus()` or `reps()`.

They return an instance of the class named by the settings RETHUS_ADAPTER / REPS_ADAPTER
(dotted paths, instantiated without arguments). The defaults answer from the mirror tables
that `import_rethus` and `import_reps` fill. A deployment that can query the real
services writes a class with the same methods (subclassing the protocols is optional)
and points the setting at it; docs/registries.md has an example.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from ..models import ProfessionalRecord, ProviderRegistryRecord


class RethusAdapter(Protocol):
    """Answers about professionals. A record is anything with ProfessionalRecord's
    attributes: document_type, document_number, first_name, middle_name, first_surname,
    second_surname, profession (a Profession value), registration_number, active, source."""

    def records_for(self, document_type: str, document_number: str) -> Sequence[Any]:
        """Every profession record (active or not) of the person; empty when absent."""
        ...


class ProviderRegistryAdapter(Protocol):
    """Answers about providers. A record is anything with ProviderRegistryRecord's
    attributes: habilitation_code, nit, name, municipality_id (DIVIPOLA code),
    independent_professional, document_type, document_number, active, source."""

    def by_code(self, code: str) -> Any | None:
        """The provider with this habilitation code, or None."""
        ...

    def by_nit(self, nit: str) -> Sequence[Any]:
        """Every provider entry under this NIT (without check digit)."""
        ...


class MirrorRethusAdapter(RethusAdapter):
    """Answers from the ProfessionalRecord table (loaded by `import_rethus`)."""

    def records_for(self, document_type: str, document_number: str) -> list[ProfessionalRecord]:
        return list(
            ProfessionalRecord.objects.filter(
                document_type=document_type, document_number=document_number.strip().upper()
            )
        )


class MirrorProviderRegistryAdapter(ProviderRegistryAdapter):
    """Answers from the ProviderRegistryRecord table (loaded by `import_reps`)."""

    def by_code(self, code: str) -> ProviderRegistryRecord | None:
        return (
            ProviderRegistryRecord.objects.select_related("municipality")
            .filter(habilitation_code=code.strip())
            .first()
        )

    def by_nit(self, nit: str) -> list[ProviderRegistryRecord]:
        queryset = ProviderRegistryRecord.objects.select_related("municipality")
        return list(queryset.filter(nit=nit.strip()))


DEFAULT_RETHUS_ADAPTER = "accounts.registries.adapters.MirrorRethusAdapter"
DEFAULT_REPS_ADAPTER = "accounts.registries.adapters.MirrorProviderRegistryAdapter"


@cache
def _adapter_class(path: str) -> type:
    return import_string(path)


def rethus() -> RethusAdapter:
    """The configured RETHUS adapter (setting RETHUS_ADAPTER)."""
    return _adapter_class(getattr(settings, "RETHUS_ADAPTER", DEFAULT_RETHUS_ADAPTER))()


def reps() -> ProviderRegistryAdapter:
    """The configured REPS adapter (setting REPS_ADAPTER)."""
    return _adapter_class(getattr(settings, "REPS_ADAPTER", DEFAULT_REPS_ADAPTER))()
