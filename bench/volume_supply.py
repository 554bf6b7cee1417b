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

This module runs the load (`generate_supply`, the checks, the reserved ids, the command
line); bench/volume_supply_world.py builds who supplies and finds the lines that can be
supplied, and bench/volume_supply_writer.py generates the rows.
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
from pathlib import Path

if __name__ == "__main__":  # run as a script: set Django up before importing the project
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mipres.settings")
    import django

    django.setup()

from django.db import connection, transaction

from bench.copying import Clock, Copier, VolumeError, column, prepare_load, verify_references
from bench.volume_supply_world import SUPPLY_NIT_BASE, World, count_candidates
from bench.volume_supply_writer import (
    CHUNK_DELIVERABLES,
    COPY_COLUMNS,
    MODELS,
    NO_DIRECT_CAUSES,
    TWICE,
    WITH_IDS,
    Writer,
)
from bench.volume_world import NIT_BASE
from entities.models import Entity
from prescriptions.models import NonDeliveryCause

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
            world = World.build(rng)
            say(
                f"world: {world.synthetic_providers} proveedores and "
                f"{world.synthetic_territories} entidades territoriales (volumen); "
                f"{parallel} connection(s)"
            )
            set_based = _set_based_possible(cursor)
            report.foreign_keys = "set-based" if set_based else "per-row"
            before = _max_ids(cursor)
            candidates, total_k = count_candidates(cursor, world)
            report.candidate_lines = candidates
            if total_k < deliverables:
                raise VolumeError(
                    f"only {total_k:,} deliverables fit in the {candidates:,} lines that can "
                    f"be supplied; load more prescriptions with bench/volume.py"
                )
            report.sampled_share = deliverables / total_k
            first_ids = _reserve_ids(cursor, deliverables)
        say(f"{candidates:,} lines can be supplied; sampling {report.sampled_share:.1%}")
        writer = Writer(rng, world, first_ids, deliverables, report.sampled_share, audit)
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
                verify_references(cursor, set_based, MODELS, before)
    if not inside:
        with clock("chains"):
            _load_in_parallel(writer, parallel, set_based, before)
    report.rows = writer.rows
    report.stages = writer.stages
    with clock("analyze"), connection.cursor() as cursor:
        for model in MODELS:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    if vacuum and not connection.in_atomic_block:
        with clock("vacuum"), connection.cursor() as cursor:
            for model in MODELS:
                cursor.execute(f"VACUUM {model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        report.database_bytes = cursor.fetchone()[0]
    return report


def _load_in_parallel(writer: Writer, count: int, set_based: bool, before: dict) -> None:
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
            copier.run(lambda cursor: verify_references(cursor, set_based, MODELS, before))
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
        for model, names in COPY_COLUMNS.items():
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


def _set_based_possible(cursor) -> bool:
    """As bench/volume.py: superuser, and no trigger of our own on these tables."""
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    superuser = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) "
        "AND NOT tgisinternal AND tgtype & 4 <> 0",
        [[model._meta.db_table for model in MODELS]],
    )
    return superuser and not cursor.fetchone()[0]


def _max_ids(cursor) -> dict:
    before = {}
    for model in MODELS:
        cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {model._meta.db_table}")
        before[model] = cursor.fetchone()[0]
    return before


def _reserve_ids(cursor, deliverables: int) -> dict:
    """A block of ids for each table whose ids we write: `deliverables` for each (at most
    one deliverable, datos facturados, suministro or no direccionamiento per deliverable
    made), twice that for the steps that can be annulled and made again; taken from the
    sequence under a short lock as bench/volume.py does."""
    tables = ", ".join(model._meta.db_table for model in WITH_IDS)
    cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    first = {}
    for model in WITH_IDS:
        count = 2 * deliverables if model in TWICE else deliverables
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first[model] = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first[model] + count - 1])
    return first


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
