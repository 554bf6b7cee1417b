"""Supply-chain volume for the benchmarks (issue 5 item 11; DESIGN.md §7).

After bench/volume.py has loaded its prescriptions, `generate_supply(1_000_000)` bulk-loads
a million deliverables (`ID`) with their chains, the way bench/volume.py loads
prescriptions (and with its helpers: `COPY … FROM STDIN` in chunks, fed by threads through
new connections, foreign keys checked set-based before each commit, then ANALYZE):

- **Which lines**: lines of active generated prescriptions that can be supplied (`EstJM`
  1 or 3, so no line pending or rejected by the Junta), sampled evenly over the year, the
  same share of every day, so the newest prescriptions are as likely to have a chain as
  the oldest. Única lines get one delivery; sucesiva ones two or three monthly deliveries
  (`NoEntrega` 1…3) whose quantities add up to the prescribed total. About 1 % of the
  sampled lines get a no direccionamiento instead (causes 6, 7, 8, 9, 18).
- **Who**: the payer is the prescription's; the proveedor is drawn from the payer's active
  network for the prescription's código EPS (for a subsidiado code, in the patient's
  territory), exactly as `supply.selectors.network.network_providers` reads it. The demo
  proveedores and IPS weigh more, so the demo logins see worklists of national size; the
  synthetic EPS of bench/volume.py get networks of synthetic proveedores "(volumen)" with
  two sedes each (the demo proveedores are in their contributivo networks too) and, for
  their subsidiado codes, an entidad territorial "(volumen)" per department without one.
  Lines whose payer has no provider in reach (EPSS99 outside Antioquia) stay undirected.
- **How far**: every deliverable is directed (or delivered en ámbito: about a third of
  the lines of hospital and urgencias prescriptions, by the prescribing IPS); then
  programmed 85 %, delivered 70 %, reported 60 %, invoiced 50 % (cuota moderadora or
  copago, never both), datos facturados on half of the invoices, the payer's suministro on
  a third of the entregas, each step a few hours to days after the one before; a step
  that would fall after now is not there yet, so recent deliverables are less advanced.
  10 % of entregas are partial, with a cause valid for partial deliveries. About 3 % of
  deliverables have one step annulled (with date, actor and reason) and made again.
  States are consistent (2 procesado exactly when a later step is in force); every
  partial unique index holds (PostgreSQL checks them during the COPY).
- **Actors**: the demo users of each step for the demo entities (channel "web"); the
  synthetic entities act through the web services (channel "ws", no user). With `audit`
  (default) each record gets its AuditEntry, as the services write them.

Run from the repository root, after bench/volume.py:

    DATABASE_URL=postgres://… .venv/bin/python bench/volume_supply.py --deliverables 1000000

It refuses to run twice on the same database, and before bench/volume.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __name__ == "__main__":  # run as a script: set Django up before importing the project
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mipres.settings")
    import django

    django.setup()

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from stdnum.co import nit as stdnum_nit

from accounts.demo import BY_KEY, demo_users
from bench.copying import (
    Clock,
    Copier,
    Picker,
    VolumeError,
    column,
    copy_escape,
    copy_in,
    prepare_load,
    verify_references,
)
from bench.volume_world import NIT_BASE, PATIENT_DOCUMENT_BASE, SUFFIX, street_address
from entities.models import (
    AuditEntry,
    Department,
    Entity,
    Municipality,
    NetworkLink,
    PayerCode,
    Regime,
    Sede,
    TerritorialLink,
)
from entities.permissions import EntityType, Role
from prescriptions.enums import CareSetting, JuntaStatus, PrescriptionStatus, SupplyType
from prescriptions.models import NonDeliveryCause
from supply.models import (
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    Programacion,
    ReporteEntrega,
    Suministro,
)

SUPPLY_NIT_BASE = 999_950_000  # proveedores and entidades territoriales "(volumen)"
CHUNK_DELIVERABLES = 20_000  # about 100,000 rows a chunk, as bench/volume.py's
# Conditional shares: of the directed, 85 % programmed; of those, 70/85 delivered…
PROGRAMMED, DELIVERED, REPORTED, INVOICED = 0.85, 0.70, 0.60, 0.50
DATOS_SHARE, SUMINISTRO_SHARE = 0.5, 0.3  # of the invoiced / of the delivered
PARTIAL_SHARE = 0.10  # of the entregas
ANNULLED_SHARE = 0.03  # deliverables with one step annulled and made again
AMBITO_SHARE = 0.35  # of the lines of hospital and urgencias prescriptions
NO_DIRECT_MODULUS = 97  # line id % 97 == 0: a no direccionamiento instead (~1 %)
NO_DIRECT_CAUSES = ("6", "7", "8", "9", "18")
AMBITO_SETTINGS = (
    CareSetting.HOSPITALARIO_DOMICILIARIO,
    CareSetting.HOSPITALARIO_INTERNACION,
    CareSetting.URGENCIAS,
)
# How much more often the demo providers are drawn than a synthetic one.
DEMO_PROVIDER_WEIGHTS = {"prov1": 4.0, "prov2": 3.0, "ips1": 1.5, "ips2": 1.5}
ANNULMENT_REASONS = [
    "Registrado con un dato equivocado.",
    "Cambio de proveedor a solicitud del paciente.",
    "Duplicado por reintento del servicio web.",
    "La cantidad no correspondía a lo prescrito.",
    "Se registró en la sede equivocada.",
]
PRICES = [150, 320, 480, 950, 1_800, 2_500, 4_200, 9_800, 15_000, 38_000, 120_000, 250_000]
CUOTAS = [4_500, 18_000, 47_100]
DAY = 86_400.0

# Columns each table gets (field names; `column` turns them into columns). Every table but
# the audit entries gets its ids from a block reserved before the load: later steps and the
# audit entries point at them.
_RECORD = "status entity created_at created_by channel annulled_at annulled_by annulment_reason"
_COPY_COLUMNS = {
    Deliverable: "id line prescription delivery_number sub_number payer created_at",
    Direccionamiento: f"id deliverable {_RECORD} payer_code provider municipality "
    "max_delivery_date quantity patient_address technology_code",
    Programacion: f"id deliverable direccionamiento {_RECORD} sede max_delivery_date "
    "technology_code quantity",
    Entrega: f"id deliverable programacion {_RECORD} sede in_ambito technology_code quantity "
    "pending_quantity total cause delivered_on batch receiver_document_type "
    "receiver_document_number",
    ReporteEntrega: f"id deliverable entrega {_RECORD} delivered cause value",
    Facturacion: f"id deliverable entrega reporte {_RECORD} invoice_number payer_nit "
    "payer_code technology_code units unit_value total_value cuota_moderadora copago",
    DatosFacturados: f"id deliverable facturacion {_RECORD} comparator comparator_code "
    "homologous_code comparator_units homologous_units min_unit_value total_delivered "
    "comparator_total homologous_total",
    Suministro: f"id deliverable entrega {_RECORD} last_delivery complete cause "
    "associated_number associated_order quantity batch value",
    NoDireccionamiento: f"id line prescription {_RECORD} payer_code cause associated_number "
    "associated_order",
    AuditEntry: "created_at actor entity action content_type object_id data",
}
_COPY_COLUMNS = {model: columns.split() for model, columns in _COPY_COLUMNS.items()}
_MODELS = list(_COPY_COLUMNS)
_WITH_IDS = _MODELS[:-1]  # all but the audit entries
_TWICE = (Direccionamiento, Programacion, Entrega, ReporteEntrega, Facturacion)  # made again
JSON_MARKER = "@@VOLUME_SUPPLY_JSON@@"


@dataclass
class SupplyReport:
    """What `generate_supply` wrote and how long each phase took."""

    deliverables: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)  # deliverables per furthest step
    candidate_lines: int = 0
    sampled_share: float = 0.0
    database_bytes: int = 0
    foreign_keys: str = ""
    connections: int = 1

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def load_seconds(self) -> float:
        return sum(v for k, v in self.seconds.items() if k not in ("analyze", "vacuum"))

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def as_dict(self) -> dict:
        load = self.load_seconds
        return {
            "deliverables": self.deliverables,
            "seed": self.seed,
            "rows": self.rows,
            "total_rows": self.total_rows,
            "stages": self.stages,
            "candidate_lines": self.candidate_lines,
            "sampled_share": round(self.sampled_share, 4),
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            "load_seconds": round(load, 2),
            "total_seconds": round(self.total_seconds, 2),
            "rows_per_second": round(self.total_rows / load) if load else 0,
            "database_bytes": self.database_bytes,
            "foreign_keys": self.foreign_keys,
            "connections": self.connections,
        }

    def summary(self) -> str:
        lines = [f"{name:<36} {count:>12,}" for name, count in self.rows.items()]
        lines.append(f"{'total rows':<36} {self.total_rows:>12,}")
        lines += [f"deliverables {name:<23} {n:>12,}" for name, n in self.stages.items()]
        lines += [f"{name + ' (s)':<36} {value:>12.1f}" for name, value in self.seconds.items()]
        load = self.load_seconds
        lines.append(
            f"load: {load:.1f} s, {self.total_rows / load if load else 0:,.0f} rows/s "
            f"({self.connections} connection(s), foreign keys checked {self.foreign_keys}); "
            f"with ANALYZE and VACUUM {self.total_seconds:.1f} s; "
            f"database {self.database_bytes / 2**20:,.0f} MiB"
        )
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Public API


def generate_supply(
    deliverables: int = 1_000_000,
    *,
    seed: int = 1,
    connections: int = 2,
    audit: bool = True,
    vacuum: bool = True,
    chunk_deliverables: int = CHUNK_DELIVERABLES,
    progress: Callable[[str], None] | None = None,
) -> SupplyReport:
    """Bulk-load `deliverables` deliverables with their supply chains over the lines
    bench/volume.py loaded; return the report.

    Inside a transaction (a test) everything happens in it, on Django's connection.
    Otherwise the synthetic proveedores, territories and networks are committed first,
    then the chains load through `connections` new connections, each a transaction that
    checks its rows' foreign keys before it commits; then ANALYZE (and VACUUM).

    Raises VolumeError when the database is not PostgreSQL through psycopg 3, bench/volume.py
    has not run, this has already run, or there are too few lines for `deliverables`.
    """
    if deliverables < 1:
        raise VolumeError("at least one deliverable")
    if connection.vendor != "postgresql" or connection.Database.__name__ != "psycopg":
        raise VolumeError("the volume generator needs PostgreSQL through psycopg 3 (COPY)")
    say = progress or (lambda message: None)
    report = SupplyReport(deliverables, seed)
    clock = Clock(report)
    rng = random.Random(seed)
    inside = connection.in_atomic_block
    parallel = 1 if inside else max(1, connections)
    report.connections = parallel

    with clock("setup"):
        _check_ready()
        _check_columns()
    with transaction.atomic():
        with clock("setup"), connection.cursor() as cursor:
            world = _World.build(rng)
            say(
                f"world: {world.synthetic_providers} proveedores and "
                f"{world.synthetic_territories} entidades territoriales (volumen); "
                f"{parallel} connection(s)"
            )
            set_based = _set_based_possible(cursor)
            report.foreign_keys = "set-based" if set_based else "per-row"
            before = _max_ids(cursor)
            candidates, total_k = _count_candidates(cursor, world)
            report.candidate_lines = candidates
            if total_k < deliverables:
                raise VolumeError(
                    f"only {total_k:,} deliverables fit in the {candidates:,} lines that can "
                    f"be supplied; load more prescriptions with bench/volume.py"
                )
            report.sampled_share = deliverables / total_k
            first_ids = _reserve_ids(cursor, deliverables)
        say(f"{candidates:,} lines can be supplied; sampling {report.sampled_share:.1%}")
        writer = _Writer(rng, world, first_ids, deliverables, report.sampled_share, audit)
        writer.say, writer.chunk = say, chunk_deliverables
        if inside:
            main = Copier(connection.connection)
            try:
                with clock("chains"):
                    writer.run([main], connection.cursor())
                    main.finish()
            finally:
                main.stop()
            with clock("foreign keys"), connection.cursor() as cursor:
                verify_references(cursor, set_based, _MODELS, before)
    if not inside:
        with clock("chains"):
            _load_in_parallel(writer, parallel, set_based, before)
    report.rows = writer.rows
    report.stages = writer.stages
    with clock("analyze"), connection.cursor() as cursor:
        for model in _MODELS:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    if vacuum and not connection.in_atomic_block:
        with clock("vacuum"), connection.cursor() as cursor:
            for model in _MODELS:
                cursor.execute(f"VACUUM {model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        report.database_bytes = cursor.fetchone()[0]
    return report


def _load_in_parallel(writer: _Writer, count: int, set_based: bool, before: dict) -> None:
    """The chains, chunk by chunk in turn, through `count` new connections, each checking
    its own rows' foreign keys before it commits; the lines are read through Django's
    connection with a server-side cursor."""
    raws = [connection.get_new_connection(connection.get_connection_params()) for _ in range(count)]
    copiers = [Copier(raw) for raw in raws]
    try:
        for copier in copiers:
            copier.run(lambda cursor: prepare_load(cursor, set_based))
        with transaction.atomic():
            reader = connection.connection.cursor(name="volume_supply_lines")
            reader.itersize = 20_000
            writer.run(copiers, reader)
            reader.close()
        for copier in copiers:
            copier.run(lambda cursor: verify_references(cursor, set_based, _MODELS, before))
        for copier in copiers:
            copier.finish()
        for raw in raws:
            raw.commit()
    finally:
        for copier in copiers:
            copier.stop()
        for raw in raws:
            raw.close()


# ---------------------------------------------------------------------------------------------
# Preconditions and setup


def _check_ready() -> None:
    if not Entity.objects.filter(nit=str(NIT_BASE + 1)).exists():
        raise VolumeError("no prescription volume here: run bench/volume.py first")
    if Entity.objects.filter(nit=str(SUPPLY_NIT_BASE + 1)).exists():
        raise VolumeError(
            f"a supply volume is already loaded in this database (entity NIT "
            f"{SUPPLY_NIT_BASE + 1} exists); start from a fresh database"
        )
    if not NonDeliveryCause.objects.filter(code__in=NO_DIRECT_CAUSES).exists():
        raise VolumeError("the causes of non-delivery are missing: run `manage.py seed_demo`")


def _check_columns() -> None:
    """Every NOT NULL column without a default is in our COPY lists (a schema change fails
    here, clearly, not half-way through the load)."""
    with connection.cursor() as cursor:
        for model, names in _COPY_COLUMNS.items():
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
                [model._meta.db_table],
            )
            required = {row[0] for row in cursor.fetchall()}
            missing = required - {column(model, name) for name in names} - {"id"}
            if missing:
                raise VolumeError(
                    f"{model._meta.db_table} has required columns bench/volume_supply.py "
                    f"does not fill: {', '.join(sorted(missing))}"
                )


def _copy_sql(model) -> str:
    columns = ", ".join(connection.ops.quote_name(column(model, n)) for n in _COPY_COLUMNS[model])
    return f"COPY {model._meta.db_table} ({columns}) FROM STDIN"


def _set_based_possible(cursor) -> bool:
    """As bench/volume.py: superuser, and no trigger of our own on these tables."""
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    superuser = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) "
        "AND NOT tgisinternal AND tgtype & 4 <> 0",
        [[model._meta.db_table for model in _MODELS]],
    )
    return superuser and not cursor.fetchone()[0]


def _max_ids(cursor) -> dict:
    before = {}
    for model in _MODELS:
        cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {model._meta.db_table}")
        before[model] = cursor.fetchone()[0]
    return before


def _reserve_ids(cursor, deliverables: int) -> dict:
    """A block of ids for each table whose ids we write: `deliverables` for each (at most
    one deliverable, datos facturados, suministro or no direccionamiento per deliverable
    made), twice that for the steps that can be annulled and made again; taken from the
    sequence under a short lock as bench/volume.py does."""
    tables = ", ".join(model._meta.db_table for model in _WITH_IDS)
    cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    first = {}
    for model in _WITH_IDS:
        count = 2 * deliverables if model in _TWICE else deliverables
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first[model] = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first[model] + count - 1])
    return first


@dataclass
class _World:
    """Who supplies: the network routes of every payer and code, sedes, demo actors."""

    # (payer id, code id or 0) → [(territory DANE code or "", provider id)]
    links: dict[tuple[int, int], list[tuple[str, int]]]
    subsidiado: set[int]  # código EPS ids of the subsidiado régimen
    codes: dict[int, str]  # código EPS id → code
    nits: dict[int, str]  # payer entity id → NIT
    sedes: dict[int, list[int]]  # provider → active sede ids
    weights: dict[int, float]  # provider → how often it is drawn
    admins: dict[int, int]  # entity → its demo Administrativo's user id
    dispensadores: dict[int, int]  # entity → its demo Dispensador's user id
    synthetic_providers: int = 0
    synthetic_territories: int = 0
    _routes: dict = field(default_factory=dict)

    @classmethod
    def build(cls, rng: random.Random) -> _World:
        """Create the synthetic proveedores (two sedes each), an entidad territorial per
        department that has none, and the synthetic EPS's networks; read every route."""
        started = timezone.now() - timedelta(days=400)
        municipalities = list(Municipality.objects.order_by("code").values_list("pk", flat=True))
        nits = iter(range(SUPPLY_NIT_BASE + 1, SUPPLY_NIT_BASE + 100_000))

        def entity(entity_type: str, name: str, municipality: str, **extra) -> Entity:
            nit = str(next(nits))
            return Entity(
                entity_type=entity_type,
                nit=nit,
                dv=stdnum_nit.calc_check_digit(nit),
                name=f"{name} {SUFFIX}",
                municipality_id=municipality,
                status=Entity.Status.VERIFIED,
                created_at=started,
                registration_confirmed_at=started,
                verified_at=started,
                **extra,
            )

        synthetic_eps = list(
            Entity.objects.filter(entity_type=EntityType.EPS, name__endswith=SUFFIX).order_by("pk")
        )
        count = max(4, min(60, 5 * len(synthetic_eps)))
        providers = Entity.objects.bulk_create(
            entity(EntityType.PROVEEDOR, f"Proveedor Regional {i:03d}", rng.choice(municipalities))
            for i in range(1, count + 1)
        )
        Sede.objects.bulk_create(
            Sede(
                entity=p,
                code=code,
                name=f"Punto de dispensación {code} {SUFFIX}",
                address=street_address(rng),
                municipality_id=p.municipality_id if code == "01" else rng.choice(municipalities),
            )
            for p in providers
            for code in ("01", "02")
        )
        # Subsidiado networks exist per territory: an ET for each department without one.
        covered = set(
            Entity.objects.filter(
                entity_type=EntityType.ET, status=Entity.Status.VERIFIED
            ).values_list("dane_code", flat=True)
        )
        capitals = {}
        for code in municipalities:
            capitals.setdefault(code[:2], code)
        territories = Entity.objects.bulk_create(
            entity(
                EntityType.ET, f"Secretaría de Salud {d.code}", capitals[d.code], dane_code=d.code
            )
            for d in Department.objects.order_by("code")
            if d.code not in covered and d.code in capitals
        )
        all_territories = list(
            Entity.objects.filter(entity_type=EntityType.ET, status=Entity.Status.VERIFIED)
        )
        demo = {key: Entity.objects.get(nit=BY_KEY[key].nit) for key in BY_KEY}
        territorial, network = [], []
        for eps in synthetic_eps:
            for payer_code in PayerCode.objects.filter(entity=eps).order_by("code"):
                if payer_code.regime == Regime.SUBSIDIADO:
                    for territory in all_territories:
                        territorial.append(
                            TerritorialLink(
                                territory=territory, payer_code=payer_code, started_at=started
                            )
                        )
                        for provider in rng.sample(providers, min(3, len(providers))):
                            network.append(
                                NetworkLink(
                                    payer=eps,
                                    payer_code=payer_code,
                                    territory=territory,
                                    provider=provider,
                                    started_at=started,
                                )
                            )
                else:
                    chosen = [demo["prov1"], demo["prov2"]]
                    chosen += rng.sample(providers, min(6, len(providers)))
                    network += [
                        NetworkLink(
                            payer=eps, payer_code=payer_code, provider=p, started_at=started
                        )
                        for p in chosen
                    ]
        TerritorialLink.objects.bulk_create(territorial)
        NetworkLink.objects.bulk_create(network)

        links: dict[tuple[int, int], list[tuple[str, int]]] = {}
        for payer, code, dane, provider in (
            NetworkLink.objects.active()
            .filter(provider__status=Entity.Status.VERIFIED)
            .values_list("payer_id", "payer_code_id", "territory__dane_code", "provider_id")
        ):
            links.setdefault((payer, code or 0), []).append((dane or "", provider))
        sedes: dict[int, list[int]] = {}
        for sede, owner in (
            Sede.objects.filter(active=True).order_by("pk").values_list("pk", "entity_id")
        ):
            sedes.setdefault(owner, []).append(sede)
        weights = {demo[key].pk: weight for key, weight in DEMO_PROVIDER_WEIGHTS.items()}
        admins, dispensadores = {}, {}
        numbers = {u.document_number: u for u in demo_users()}
        from accounts.models import User

        for pk, number in User.objects.filter(document_number__in=numbers).values_list(
            "pk", "document_number"
        ):
            spec = numbers[number]
            entity_pk = demo[spec.entity.key].pk
            if spec.role == Role.ADMINISTRATIVO:
                admins[entity_pk] = pk
            elif spec.role == Role.DISPENSADOR:
                dispensadores[entity_pk] = pk
        codes = dict(PayerCode.objects.values_list("pk", "code"))
        subsidiado = set(
            PayerCode.objects.filter(regime=Regime.SUBSIDIADO).values_list("pk", flat=True)
        )
        payer_nits = dict(
            Entity.objects.filter(
                entity_type__in=[EntityType.EPS, EntityType.EOC, EntityType.ET]
            ).values_list("pk", "nit")
        )
        return cls(
            links=links,
            subsidiado=subsidiado,
            codes=codes,
            nits=payer_nits,
            sedes=sedes,
            weights=weights,
            admins=admins,
            dispensadores=dispensadores,
            synthetic_providers=len(providers),
            synthetic_territories=len(territories),
        )

    def route(self, rng: random.Random, payer: int, code: int, municipality: str):
        """A picker of the providers `network_providers` gives for this payer, code and
        patient's municipality (None: nobody in reach), memoised."""
        subsidiado = code in self.subsidiado
        key = (payer, code, municipality if subsidiado else "")
        if key not in self._routes:
            places = (municipality, municipality[:2])
            providers = sorted(
                {
                    provider
                    for dane, provider in self.links.get((payer, code), ())
                    if not subsidiado or dane in places
                }
            )
            providers = [p for p in providers if self.sedes.get(p)]
            self._routes[key] = (
                Picker(rng, providers, [self.weights.get(p, 1.0) for p in providers])
                if providers
                else None
            )
        return self._routes[key]


# ---------------------------------------------------------------------------------------------
# The lines


_CANDIDATES = """
    SELECT l.id, l.prescription_id, l.technology_type, l."order", l.supply_type,
           l.total_quantity::bigint, p.number, p.prescribed_at, p.payer_id,
           COALESCE(p.payer_code_id, 0), p.care_setting, p.entity_id, pat.municipality_id,
           pat.address, pat.document_type, pat.document_number,
           COALESCE(cups.code, device.code, service.code, nutrition.code, '')
    FROM {line} l
    JOIN {prescription} p ON p.id = l.prescription_id
    JOIN {patient} pat ON pat.id = p.patient_id
    LEFT JOIN {cups} cups ON cups.id = l.procedure_id
    LEFT JOIN {device} device ON device.id = l.device_type_id
    LEFT JOIN {service} service ON service.id = l.complementary_service_id
    LEFT JOIN {nutrition} nutrition ON nutrition.id = l.nutritional_type_id
    WHERE p.status = %s AND l.junta_status IN (%s, %s)
      AND length(pat.document_number) = 10 AND pat.document_number >= %s
"""


def _tables() -> dict[str, str]:
    from prescriptions.models import (
        ComplementaryService,
        CupsProcedure,
        DeviceType,
        NutritionalProductType,
        Patient,
        Prescription,
        TechnologyLine,
    )

    return {
        "line": TechnologyLine._meta.db_table,
        "prescription": Prescription._meta.db_table,
        "patient": Patient._meta.db_table,
        "cups": CupsProcedure._meta.db_table,
        "device": DeviceType._meta.db_table,
        "service": ComplementaryService._meta.db_table,
        "nutrition": NutritionalProductType._meta.db_table,
    }


def _params() -> list:
    return [
        PrescriptionStatus.ACTIVA.value,
        JuntaStatus.NO_REQUIERE.value,
        JuntaStatus.APROBADA.value,
        str(PATIENT_DOCUMENT_BASE),
    ]


def _deliveries(supply_type: int, total: int) -> int:
    """How many deliveries a line gets: one, or two to three monthly for a sucesiva."""
    if supply_type != SupplyType.SUCESIVA:
        return 1
    return max(1, min(3 if total >= 90 else 2, total))


def _count_candidates(cursor, world: _World) -> tuple[int, int]:
    """(lines that can be supplied, deliverables they would give if all were): one scan
    grouped by payer, code and municipality, the routes applied in Python."""
    t = _tables()
    cursor.execute(
        f"""
        SELECT p.payer_id, COALESCE(p.payer_code_id, 0), pat.municipality_id, count(*),
               sum(CASE WHEN l.supply_type = %s THEN
                   GREATEST(1, LEAST(CASE WHEN l.total_quantity >= 90 THEN 3 ELSE 2 END,
                                     l.total_quantity::bigint))
                   ELSE 1 END)
        FROM {t["line"]} l
        JOIN {t["prescription"]} p ON p.id = l.prescription_id
        JOIN {t["patient"]} pat ON pat.id = p.patient_id
        WHERE p.status = %s AND l.junta_status IN (%s, %s)
          AND length(pat.document_number) = 10 AND pat.document_number >= %s
          AND l.id %% {NO_DIRECT_MODULUS} <> 0
        GROUP BY 1, 2, 3
        """,
        [SupplyType.SUCESIVA.value, *_params()],
    )
    lines = total = 0
    probe = random.Random(0)
    for payer, code, municipality, count, deliverables in cursor.fetchall():
        if world.route(probe, payer, code, municipality) is not None:
            lines += count
            total += deliverables
    world._routes.clear()  # drawn again with the load's own generator
    return lines, int(total)


# ---------------------------------------------------------------------------------------------
# Rows


class _Writer:
    """Streams the candidate lines, samples them evenly and writes each chosen line's
    deliverables with their chains as COPY text, a chunk to each copier in turn."""

    def __init__(self, rng, world, first_ids, target, share, audit) -> None:
        self.rng, self.world, self.target, self.share, self.audit = (
            rng,
            world,
            target,
            share,
            audit,
        )
        self.next_id = dict(first_ids)
        self.say: Callable[[str], None] = lambda message: None
        self.chunk = CHUNK_DELIVERABLES
        self.rows = {model._meta.db_table: 0 for model in _MODELS}
        self.stages = dict.fromkeys(
            ("directed", "ambito", "programmed", "delivered", "reported", "invoiced"), 0
        )
        self.stages.update(datos_facturados=0, suministro=0, annulled_redone=0, no_direct=0)
        self.buffers = {model: [] for model in _MODELS}
        self.now = time.time() - 60
        self.zone_offset = (
            timezone.now().astimezone(timezone.get_default_timezone()).utcoffset().total_seconds()
        )
        self.content_types = {
            model: ContentType.objects.get_for_model(model).pk for model in _MODELS
        }
        causes = list(NonDeliveryCause.objects.all())
        self.no_direct_causes = [c.pk for c in causes if c.code in NO_DIRECT_CAUSES]
        self.partial_causes = {
            kind: [
                c.pk
                for c in causes
                if c.for_partial_delivery
                and c.applies_to(kind)
                and not c.needs_associated_prescription
            ]
            for kind in "MPDNS"
        }

    # -- helpers ------------------------------------------------------------------------

    def _id(self, model) -> int:
        pk = self.next_id[model]
        self.next_id[model] = pk + 1
        return pk

    def _stamp(self, t: float) -> str:
        return datetime.fromtimestamp(t, UTC).isoformat()

    def _local_date(self, t: float) -> str:
        return datetime.fromtimestamp(t + self.zone_offset, UTC).date().isoformat()

    def _later(self, t: float, low_days: float, high_days: float) -> float:
        return t + self.rng.uniform(low_days, high_days) * DAY

    def _audit(self, t, actor, entity, action, model, pk, data: str) -> None:
        if self.audit:
            self.buffers[AuditEntry].append(
                f"{self._stamp(t)}\t{actor}\t{entity}\t{action}\t{self.content_types[model]}\t"
                f"{pk}\t{data}\n"
            )

    def _record(self, t, entity, actor, status=1, annulled=None) -> str:
        """The Record columns: state, who, when, channel, annulment."""
        user = actor if actor else "\\N"
        channel = "web" if actor else "ws"
        if annulled is None:
            return f"{status}\t{entity}\t{self._stamp(t)}\t{user}\t{channel}\t\\N\t\\N\t"
        at, reason = annulled
        return (
            f"0\t{entity}\t{self._stamp(t)}\t{user}\t{channel}\t{self._stamp(at)}\t{user}\t{reason}"
        )

    def _flush(self, copiers, turn: int) -> None:
        copier = copiers[turn % len(copiers)]
        for model, rows in self.buffers.items():
            if rows:
                data = "".join(rows).encode()
                sql = _copy_sql(model)
                copier.run(lambda cursor, sql=sql, data=data: copy_in(cursor, sql, data))
                self.rows[model._meta.db_table] += len(rows)
                rows.clear()

    # -- the stream ---------------------------------------------------------------------

    def run(self, copiers, reader) -> None:
        reader.execute(_CANDIDATES.format(**_tables()) + " ORDER BY l.id", _params())
        rng, share = self.rng, self.share
        made = pending = turn = 0
        credit = 3.0  # starts full: the last lines still reach the target
        while made < self.target:
            batch = reader.fetchmany(20_000)
            if not batch:
                break
            for row in batch:
                line_id, supply_type, total = row[0], row[4], row[5]
                if line_id % NO_DIRECT_MODULUS == 0:
                    if rng.random() < share:
                        self._no_direccionamiento(row)
                    continue
                route = self.world.route(rng, row[8], row[9], row[12])
                if route is None:
                    continue
                k = _deliveries(supply_type, total)
                credit += share * k
                if credit < k:
                    continue
                credit -= k
                k = min(k, self.target - made)
                self._line(row, route, k)
                made += k
                pending += k
                if pending >= self.chunk:
                    self._flush(copiers, turn)
                    turn += 1
                    pending = 0
                    self.say(f"deliverables {made:,}/{self.target:,}")
                if made >= self.target:
                    break
        self._flush(copiers, turn)
        if made < self.target:
            raise VolumeError(f"only {made:,} deliverables could be made of {self.target:,}")

    def _no_direccionamiento(self, row) -> None:
        line_id, prescription, prescribed = row[0], row[1], row[7].timestamp()
        payer, code = row[8], row[9]
        t = min(self._later(prescribed, 0.1, 5), self.now)
        actor = self.world.admins.get(payer)
        cause = self.rng.choice(self.no_direct_causes)
        pk = self._id(NoDireccionamiento)
        self.buffers[NoDireccionamiento].append(
            f"{pk}\t{line_id}\t{prescription}\t{self._record(t, payer, actor)}\t{code or '\\N'}\t"
            f"{cause}\t\t\\N\n"
        )
        self.stages["no_direct"] += 1
        data = json.dumps({"id": pk, "number": row[6], "line": f"{row[2]}{row[3]}"})
        self._audit(
            t, actor or "\\N", payer, "supply.no_direccionamiento.created",
            NoDireccionamiento, pk, copy_escape(data),
        )  # fmt: skip

    def _line(self, row, route, k: int) -> None:
        (line_id, prescription, kind, order, _supply, total, number, prescribed_at, payer,
         code, setting, prescriber, municipality, address, doc_type, doc_number,
         catalog_code) = row  # fmt: skip
        rng = self.rng
        prescribed = prescribed_at.timestamp()
        technology = catalog_code or f"{(line_id * 7919) % 90_000_000 + 10_000_000}-01"
        base, extra = divmod(total, k)
        ambito = setting in AMBITO_SETTINGS and rng.random() < AMBITO_SHARE
        price = rng.choice(PRICES)
        line = {
            "id": line_id,
            "prescription": prescription,
            "key": f"{kind}{order}",
            "kind": kind,
            "number": number,
            "payer": payer,
            "code": code,
            "prescriber": prescriber,
            "municipality": municipality,
            "address": copy_escape((address or "Sin dirección")[:200]),
            "receiver": (doc_type, doc_number),
            "technology": technology,
            "price": price,
            "prescribed": prescribed,
        }
        # The payer directs the whole schedule at once, a few hours to days after issue.
        directed = min(max(self._later(prescribed, 0.05, 4), prescribed + 60), self.now)
        provider = route()
        for delivery in range(1, k + 1):
            quantity = base + (extra if delivery == 1 else 0)
            if ambito:
                self._ambito(line, delivery, quantity, prescribed, k)
            else:
                self._chain(line, delivery, quantity, directed, provider, k)

    def _deliverable(self, line, delivery: int, t: float) -> int:
        pk = self._id(Deliverable)
        self.buffers[Deliverable].append(
            f"{pk}\t{line['id']}\t{line['prescription']}\t{delivery}\t0\t{line['payer']}\t"
            f"{self._stamp(t)}\n"
        )
        return pk

    def _chain(self, line, delivery, quantity, directed, provider, k) -> None:
        """direccionamiento → programación → entrega → reporte → facturación → datos
        facturados, and the payer's suministro; each step only if its time has come."""
        rng, now, world = self.rng, self.now, self.world
        payer, code = line["payer"], line["code"]
        deliverable = self._deliverable(line, delivery, directed)
        # Each month's delivery is due a month after the previous one.
        month = (delivery - 1) * 30
        due = self._local_date(directed + (rng.uniform(5, 30) + month) * DAY)
        times = {"direccionamiento": directed}
        t = self._later(directed, 0.04, 3) + max(0, month - 10) * DAY
        for step, share, low, high in (
            ("programacion", PROGRAMMED, 0.04, 3),
            ("entrega", DELIVERED / PROGRAMMED, 0.1, 6),
            ("reporte", REPORTED / DELIVERED, 0.04, 10),
            ("facturacion", INVOICED / REPORTED, 1, 30),
        ):
            if t > now or rng.random() >= share:
                break
            times[step] = t
            t = self._later(t, low, high)
        self._payer_steps(times)
        redo = None
        if rng.random() < ANNULLED_SHARE:
            redo = rng.choice([s for s in _REDO if s in times])
            self.stages["annulled_redone"] += 1
        step = _Step(self, line, deliverable, delivery, times, redo)
        sede = rng.choice(world.sedes[provider])
        provider_admin = world.admins.get(provider)
        directed_id = step.emit(
            Direccionamiento,
            payer,
            world.admins.get(payer),
            f"{deliverable}\t",
            f"{code or '\\N'}\t{provider}\t{line['municipality']}\t{due}\t{quantity}\t"
            f"{line['address']}\t{line['technology']}",
        )
        self.stages["directed"] += 1
        if "programacion" not in times:
            return
        programmed_id = step.emit(
            Programacion,
            provider,
            provider_admin,
            f"{deliverable}\t{directed_id}\t",
            f"{sede}\t{due}\t{line['technology']}\t{quantity}",
        )
        self.stages["programmed"] += 1
        if "entrega" not in times:
            return
        delivered, cause, columns = self._entrega_columns(line, quantity, times["entrega"], sede)
        entrega = step.emit(
            Entrega,
            provider,
            world.dispensadores.get(provider),
            f"{deliverable}\t{programmed_id}\t",
            columns,
        )
        self.stages["delivered"] += 1
        self._after_entrega(step, entrega, delivered, cause, provider, provider_admin, k)

    def _payer_steps(self, times: dict) -> None:
        """The payer's datos facturados and suministro, when their time has come."""
        if "facturacion" in times and self.rng.random() < DATOS_SHARE:
            t = self._later(times["facturacion"], 1, 20)
            if t <= self.now:
                times["datos"] = t
        if "entrega" in times and self.rng.random() < SUMINISTRO_SHARE:
            t = self._later(times["entrega"], 1, 30)
            if t <= self.now:
                times["suministro"] = t

    def _entrega_columns(self, line, quantity: int, t: float, sede) -> tuple[int, str, str]:
        """(quantity delivered, its cause when partial, the Entrega columns from sede to the
        receiver's document). En ámbito (`sede` None here) nothing is left pending, as
        `entrega_ambito_create` records it."""
        rng = self.rng
        delivered, total, cause = quantity, "t", "\\N"
        causes = self.partial_causes[line["kind"]]
        if quantity >= 2 and causes and rng.random() < PARTIAL_SHARE:
            delivered, total, cause = rng.randint(1, quantity - 1), "f", rng.choice(causes)
        batch = f"L{rng.randrange(10_000, 99_999)}" if line["kind"] == "M" else ""
        doc_type, doc_number = line["receiver"]
        ambito = "f" if sede is not None else "t"
        pending = quantity - delivered if sede is not None else 0
        return (
            delivered,
            cause,
            f"{sede if sede is not None else '\\N'}\t{ambito}\t{line['technology']}\t"
            f"{delivered}\t{pending}\t{total}\t{cause}\t{self._local_date(t)}\t"
            f"{batch}\t{doc_type}\t{doc_number}",
        )

    def _after_entrega(self, step, entrega, delivered, cause, provider, admin, k) -> None:
        """Reporte, facturación, datos facturados and suministro of an entrega."""
        line, times, deliverable = step.line, step.times, step.deliverable
        payer, code, price = line["payer"], line["code"], line["price"]
        gross = delivered * price * 100
        value = _money(gross)
        if "reporte" in times:
            reporte = step.emit(
                ReporteEntrega, provider, admin, f"{deliverable}\t{entrega}\t", f"t\t\\N\t{value}"
            )
            self.stages["reported"] += 1
        if "facturacion" in times:
            cuota = copago = 0
            if code in self.world.subsidiado:
                copago = gross // 10 if self.rng.random() < 0.3 else 0
            elif code and self.rng.random() < 0.4:
                cuota = min(self.rng.choice(CUOTAS) * 100, gross)
            factura = step.emit(
                Facturacion,
                provider,
                admin,
                f"{deliverable}\t{entrega}\t{reporte}\t",
                f"FE{provider}-{deliverable}\t{self.world.nits[payer]}\t"
                f"{self.world.codes.get(code, '')}\t{line['technology']}\t{delivered}\t"
                f"{_money(price * 100)}\t{_money(gross - cuota - copago)}\t{_money(cuota)}\t"
                f"{_money(copago)}",
            )
            self.stages["invoiced"] += 1
        payer_admin = self.world.admins.get(payer)
        if "datos" in times:
            step.emit(
                DatosFacturados,
                payer,
                payer_admin,
                f"{deliverable}\t{factura}\t",
                f"3\t\t\t0\t0\t0\t{delivered}\t0\t0",
                key="datos",
            )
            self.stages["datos_facturados"] += 1
        if "suministro" in times:
            # Complete unless the entrega was partial, which then gives the cause.
            last, complete = ("t" if step.delivery == k else "f"), ("t" if cause == "\\N" else "f")
            step.emit(
                Suministro,
                payer,
                payer_admin,
                f"{deliverable}\t{entrega}\t",
                f"{last}\t{complete}\t{cause}\t\t\\N\t{delivered}\t\t{value}",
            )
            self.stages["suministro"] += 1

    def _ambito(self, line, delivery, quantity, prescribed, k) -> None:
        """An entrega en ámbito by the prescribing IPS (no direccionamiento), then its
        reporte and facturación by the same IPS."""
        ips, rng = line["prescriber"], self.rng
        t = min(self._later(prescribed, 0.01, 2) + (delivery - 1) * 30 * DAY, self.now)
        deliverable = self._deliverable(line, delivery, t)
        times = {"entrega": t}
        for step, share, low, high in (
            ("reporte", REPORTED / DELIVERED, 0.04, 10),
            ("facturacion", INVOICED / REPORTED, 1, 30),
        ):
            t = self._later(t, low, high)
            if t > self.now or rng.random() >= share:
                break
            times[step] = t
        step = _Step(self, line, deliverable, delivery, times, None)
        delivered, cause, columns = self._entrega_columns(line, quantity, times["entrega"], None)
        sede = rng.choice(self.world.sedes.get(ips) or [None])
        columns = (f"{sede}" if sede else "\\N") + columns[columns.index("\t") :]
        entrega = step.emit(
            Entrega,
            ips,
            self.world.dispensadores.get(ips),
            f"{deliverable}\t\\N\t",
            columns,
            action="entrega_ambito",
        )
        self.stages["ambito"] += 1
        self.stages["delivered"] += 1
        self._after_entrega(step, entrega, delivered, cause, ips, self.world.admins.get(ips), k)


# Each step: its key in `times`, the step that consumes it (procesado), its audit action.
_STEPS = {
    Direccionamiento: ("direccionamiento", "programacion", "direccionamiento"),
    Programacion: ("programacion", "entrega", "programacion"),
    Entrega: ("entrega", "reporte", "entrega"),
    ReporteEntrega: ("reporte", "facturacion", "reporte_entrega"),
    Facturacion: ("facturacion", "datos", "facturacion"),
    DatosFacturados: ("datos", None, "datos_facturados"),
    Suministro: ("suministro", None, "suministro"),
}
_REDO = ("direccionamiento", "programacion", "entrega", "reporte", "facturacion")


class _Step:
    """Writes the steps of one deliverable: each record with its state and audit entry,
    and, for the step drawn to have been annulled and made again, the annulled twin."""

    def __init__(self, writer: _Writer, line, deliverable, delivery, times, redo) -> None:
        self.writer, self.line, self.deliverable, self.delivery = (
            writer,
            line,
            deliverable,
            delivery,
        )
        self.times, self.redo = times, redo

    def emit(self, model, entity, actor, head: str, tail: str, *, key=None, action=None) -> int:
        writer = self.writer
        name, consumer, default_action = _STEPS[model]
        t = self.times[key or name]
        if self.redo == name:
            self._twin(model, t, entity, actor, head, tail, default_action)
        pk = writer._id(model)
        status = 2 if consumer in self.times else 1
        writer.buffers[model].append(
            f"{pk}\t{head}{writer._record(t, entity, actor, status)}\t{tail}\n"
        )
        data = self._data(pk)
        writer._audit(t, actor or "\\N", entity, f"supply.{action or default_action}.created",
                      model, pk, data)  # fmt: skip
        return pk

    def _data(self, pk) -> str:
        return (
            f'{{"id": {pk}, "ID": {self.deliverable}, "number": "{self.line["number"]}", '
            f'"line": "{self.line["key"]}", "delivery": "{self.delivery}"}}'
        )

    def _twin(self, model, t_next, entity, actor, head, tail, action) -> None:
        """Made between the step before and this one, annulled before this one was made
        (the step before was active again in between)."""
        writer = self.writer
        before = max(
            (v for v in self.times.values() if v < t_next), default=self.line["prescribed"]
        )
        made = before + (t_next - before) * 0.3
        annulled = before + (t_next - before) * 0.6
        reason = writer.rng.choice(ANNULMENT_REASONS)
        pk = writer._id(model)
        record = writer._record(made, entity, actor, annulled=(annulled, reason))
        writer.buffers[model].append(f"{pk}\t{head}{record}\t{tail}\n")
        data = self._data(pk)
        actor = actor or "\\N"
        writer._audit(made, actor, entity, f"supply.{action}.created", model, pk, data)
        annul = copy_escape(json.dumps({**json.loads(data), "reason": reason}, ensure_ascii=False))
        writer._audit(annulled, actor, entity, f"supply.{model._meta.model_name}.annulled",
                      model, pk, annul)  # fmt: skip


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# ---------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Bulk-load national-scale supply chains (deliverables, direccionamientos, "
        "programaciones, entregas, reportes, facturaciones…) into the database of "
        "DATABASE_URL, over the prescriptions bench/volume.py loaded.",
    )
    parser.add_argument("--deliverables", type=int, default=1_000_000, help="how many (1000000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--no-audit", action="store_true", help="no audit entries")
    parser.add_argument(
        "--connections", type=int, default=2, help="connections loading the chains (2)"
    )
    parser.add_argument("--no-vacuum", action="store_true", help="ANALYZE only, no VACUUM")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()

    def say(message: str) -> None:
        if not args.quiet:
            print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)

    try:
        report = generate_supply(
            args.deliverables,
            seed=args.seed,
            connections=args.connections,
            audit=not args.no_audit,
            vacuum=not args.no_vacuum,
            progress=say,
        )
    except VolumeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    if args.json:
        print(JSON_MARKER + json.dumps(report.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
