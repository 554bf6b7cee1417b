"""The national registries behind one boundary: RETHUS (licensed professionals) and REPS
(habilitated providers).

- `rules`: which MIPRES roles and technology types RETHUS professions allow.
- `adapters`: `rethus()` and `reps()`, the only way the rest of the system reads a
  registry; a deployment plugs the real services through the settings RETHUS_ADAPTER and
  REPS_ADAPTER.
- `imports`: the CSV import services behind `import_rethus` and `import_reps`, and the
  demo registries.
"""

from .adapters import (
    DEFAULT_REPS_ADAPTER,
    DEFAULT_RETHUS_ADAPTER,
    MirrorProviderRegistryAdapter,
    MirrorRethusAdapter,
    ProviderRegistryAdapter,
    RethusAdapter,
    reps,
    rethus,
)
from .imports import (
    REPS_COLUMNS,
    RETHUS_COLUMNS,
    import_professional_records,
    import_provider_records,
    missing_columns,
    seed_demo_registries,
)
from .rules import (
    ORDERER_PROFESSIONS,
    PRESCRIBER_PROFESSIONS,
    TECHNOLOGY_TYPES_BY_PROFESSION,
    active_professions,
    prescribing_role,
    roles_allowed_for,
    technology_types_for,
)

__all__ = [
    "DEFAULT_REPS_ADAPTER",
    "DEFAULT_RETHUS_ADAPTER",
    "ORDERER_PROFESSIONS",
    "PRESCRIBER_PROFESSIONS",
    "REPS_COLUMNS",
    "RETHUS_COLUMNS",
    "TECHNOLOGY_TYPES_BY_PROFESSION",
    "MirrorProviderRegistryAdapter",
    "MirrorRethusAdapter",
    "ProviderRegistryAdapter",
    "RethusAdapter",
    "active_professions",
    "import_professional_records",
    "import_provider_records",
    "missing_columns",
    "prescribing_role",
    "reps",
    "rethus",
    "roles_allowed_for",
    "seed_demo_registries",
    "technology_types_for",
]
