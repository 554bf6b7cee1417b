"""National-scale volume for the benchmarks (issue 4 item 12; DESIGN.md §7).

`generate(1_000_000)` bulk-loads a year of prescribing into PostgreSQL: about 333,000
patients with their BDUA affiliations, 1,000,000 prescriptions with 2,500,000 technology
lines of the five types, the active ingredients of the medicines, a novedad and an audit
entry for every annulment, and an audit entry for every issue. The rows go in with
`COPY … FROM STDIN` (psycopg 3's `cursor.copy()`) in chunks of about 100,000 rows, generated as
a stream (never a list of millions of objects) by the main thread while other threads feed
earlier chunks to PostgreSQL through two connections, so Python and the server work at the
same time. Every constraint, index and foreign key stays in place and is checked (see
`bench.copying.verify_references` for how the foreign keys are).

What it creates, and how it fits the rest of the data:

- **Who**: the demo world of `seed_demo` (it must be there) plus synthetic entities named
  "… (volumen)": 8 EPS with a contributivo and a subsidiado code each (`VOLC01`…,
  `VOLS01`…), IPS with one sede each, and médicos with a RETHUS record (source "volumen")
  and a Prescriptor membership, an Anulador per synthetic IPS. The two demo IPS take 5 %
  of the prescriptions each, and the demo Prescriptor of each 20 % of its IPS's, so the
  demo logins see worklists of national size.
- **Patients**: CC/TI/RC/CE/PE by age, documents from 2,900,000,000 up; an active
  affiliation over the demo codes EPS099, EPSS99, EAS099 and the synthetic ones (source
  "volumen"), some with an older closed one; 1 % without affiliation, in Antioquia, paid by
  the demo entidad territorial (as `payer_for` decides).
- **Prescriptions**: over the `days` (365) up to yesterday, weekdays busier than weekends,
  office hours busier than nights; a few patients get many (chronic), most one to three.
  Numbers are AAAAMMDD + a 12-digit consecutive, reserved per day from
  `PrescriptionNumberCounter` with one atomic upsert before the load, so a later
  `next_number` (or one running at the same time) never repeats them. 3 % are annulled
  (state 2, with the reason, the time, a novedad of type 2 and an audit entry).
- **Lines**: M 60 %, P 20 %, D 5 %, N 5 %, S 10 %, `EstJM` exactly as
  `prescriptions.services.prescribing.junta_status_for` gives it at issue (UNIRS
  medicines, ambulatory nutritional products and complementary services pending Junta).
- **Catalogs**: the enabled rows already in the database (the starter set of `seed_demo`,
  or the full official tables). A catalog with no enabled row is filled from the starter
  set; a catalog still empty gets a few rows flagged source "demo".

It refuses to run twice on the same database (`VolumeError`): the synthetic entities and
documents would collide, and two volumes would not be the size anyone asked for. Start
from a fresh database (bench/run.py does).

Run from the repository root:

    DATABASE_URL=postgres://… .venv/bin/python bench/volume.py --prescriptions 1000000

or through the load driver: `.venv/bin/python bench/run.py --volume 1000000`.

This module plans and runs the load (`generate`, the checks, the reserved ids and numbers,
the command line); bench/volume_world.py builds who prescribes and pays, and
bench/volume_writer.py generates the rows.
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
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __name__ == "__main__":  # run as a script: set Django up before importing the project
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mipres.settings")
    import django

    django.setup()

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench.copying import Clock, Copier, VolumeError, column, prepare_load, verify_references
from bench.volume_world import NIT_BASE, Catalogs, World, demo_entity, split
from bench.volume_writer import COPY_COLUMNS, LOADED_MODELS, Writer
from entities.models import Entity, PayerCode
from prescriptions.models import (
    Affiliation,
    Patient,
    Prescription,
    PrescriptionNumberCounter,
    TechnologyLine,
)

CHUNK_ROWS = 100_000
# Prescriptions per weekday (Monday first).
WEEKDAY_WEIGHTS = [1.0, 1.0, 1.0, 1.0, 0.95, 0.45, 0.15]


@dataclass
class Report:
    """What `generate` wrote and how long each phase took."""

    prescriptions: int
    lines_per_prescription: float
    seed: int
    first_day: str = ""
    last_day: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    database_bytes: int = 0
    foreign_keys: str = ""  # how they were checked: "set-based" or "per-row"
    connections: int = 1  # loading the prescriptions at once

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def load_seconds(self) -> float:
        """Setup, COPY, foreign-key checks and commits: the bulk load itself (ANALYZE and
        VACUUM afterwards are reported apart)."""
        return sum(v for k, v in self.seconds.items() if k not in ("analyze", "vacuum"))

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.load_seconds if self.load_seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "prescriptions": self.prescriptions,
            "lines_per_prescription": self.lines_per_prescription,
            "seed": self.seed,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "rows": self.rows,
            "total_rows": self.total_rows,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            "load_seconds": round(self.load_seconds, 2),
            "total_seconds": round(self.total_seconds, 2),
            "rows_per_second": round(self.rows_per_second),
            "database_bytes": self.database_bytes,
            "foreign_keys": self.foreign_keys,
            "connections": self.connections,
        }

    def summary(self) -> str:
        lines = [f"{name:<36} {count:>12,}" for name, count in self.rows.items()]
        lines.append(f"{'total rows':<36} {self.total_rows:>12,}")
        lines += [f"{name + ' (s)':<36} {value:>12.1f}" for name, value in self.seconds.items()]
        lines.append(
            f"load: {self.load_seconds:.1f} s, {self.rows_per_second:,.0f} rows/s "
            f"({self.connections} connection(s), foreign keys checked {self.foreign_keys}); "
            f"with ANALYZE and VACUUM {self.total_seconds:.1f} s; "
            f"database {self.database_bytes / 2**20:,.0f} MiB"
        )
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Public API


def generate(
    prescriptions: int,
    *,
    lines_per_prescription: float = 2.5,
    seed: int = 1,
    days: int = 365,
    end: date | None = None,
    annulled_share: float = 0.03,
    audit: bool = True,
    connections: int = 2,
    vacuum: bool = True,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Bulk-load `prescriptions` prescriptions (and their patients, lines, ingredients,
    novedades and audit entries) into the default PostgreSQL database; return the report.

    `lines_per_prescription` is the exact average (the total is rounded from it); `seed`
    makes the data reproducible; the prescriptions fall on the `days` days ending on `end`
    (default: yesterday, so today's numbers stay free for live submits).

    Called inside a transaction (a test), everything happens in it, on Django's
    connection. Otherwise the world and the patients are committed first, then the
    prescriptions load through `connections` new connections at once, each a transaction
    that checks its own rows' foreign keys before it commits: an error leaves at most a
    smaller volume, never a broken reference or a reused number or id. Then ANALYZE, and
    VACUUM when not inside a transaction (hint bits and visibility map, as autovacuum
    would leave a production database).

    Raises VolumeError when the database is not PostgreSQL, the demo world is missing, a
    volume is already loaded, or a table gained a required column this generator does not
    fill.
    """
    if prescriptions < 1 or lines_per_prescription < 1:
        raise VolumeError("at least one prescription, and at least one line each")
    if connection.vendor != "postgresql" or connection.Database.__name__ != "psycopg":
        raise VolumeError("the volume generator needs PostgreSQL through psycopg 3 (COPY)")
    say = progress or (lambda message: None)
    report = Report(prescriptions, lines_per_prescription, seed)
    clock = Clock(report)
    rng = random.Random(seed)
    end = end or timezone.localdate() - timedelta(days=1)
    parallel = 1 if connection.in_atomic_block else max(1, connections)
    report.connections = parallel

    with clock("setup"):
        _check_fresh()
        _check_columns()
        catalogs = Catalogs.load(rng)
        plan = _Plan(prescriptions, lines_per_prescription, days, end, rng)
        report.first_day, report.last_day = plan.days[0].isoformat(), plan.days[-1].isoformat()
    with transaction.atomic():
        with clock("setup"), connection.cursor() as cursor:
            world = World.build(prescriptions, rng, plan.days[0])
            say(
                f"world: {len(world.ips)} IPS, {world.prescriber_count} prescribers, "
                f"{len(world.payer_codes)} payer codes; {parallel} connection(s)"
            )
            set_based = _set_based_possible(cursor)
            report.foreign_keys = "set-based" if set_based else "per-row"
            before = _max_ids(cursor)
            first_ids = _reserve_ids(cursor, plan)
            plan.reserve_numbers(cursor)
            prepare_load(cursor, set_based)
        writer = Writer(rng, world, catalogs, plan, first_ids, annulled_share, audit, chunk_rows)
        writer.say = say
        main = Copier(connection.connection)
        try:
            with clock("patients"):
                writer.patients(main)
                main.finish()
            if parallel == 1:
                with clock("prescriptions"):
                    writer.prescriptions([main])
                    main.finish()
        finally:
            main.stop()
        with clock("foreign keys"), connection.cursor() as cursor:
            models = LOADED_MODELS if parallel == 1 else [Patient, Affiliation]
            verify_references(cursor, set_based, models, before)
        inside = time.monotonic()
    report.seconds["commit"] = time.monotonic() - inside
    if parallel > 1:
        with clock("prescriptions"):
            _load_in_parallel(writer, parallel, set_based, before)
    report.rows = writer.rows
    with clock("analyze"), connection.cursor() as cursor:
        for model in LOADED_MODELS:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    if vacuum and not connection.in_atomic_block:
        with clock("vacuum"), connection.cursor() as cursor:
            for model in LOADED_MODELS:
                cursor.execute(f"VACUUM {model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        report.database_bytes = cursor.fetchone()[0]
    return report


def _load_in_parallel(writer: Writer, count: int, set_based: bool, before: dict) -> None:
    """The prescriptions, chunk by chunk in turn, through `count` new connections; each
    checks the foreign keys of its rows (in parallel, each seeing only its own rows and the
    committed ones) and then commits. Closing a connection not committed rolls it back."""
    raws = [connection.get_new_connection(connection.get_connection_params()) for _ in range(count)]
    copiers = [Copier(raw) for raw in raws]
    models = [m for m in LOADED_MODELS if m not in (Patient, Affiliation)]
    try:
        for copier in copiers:
            copier.run(lambda cursor: prepare_load(cursor, set_based))
        writer.prescriptions(copiers)
        for copier in copiers:
            copier.run(lambda cursor: verify_references(cursor, set_based, models, before))
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
# Preconditions


def _check_fresh() -> None:
    if Entity.objects.filter(nit=str(NIT_BASE + 1)).exists():
        raise VolumeError(
            "a volume is already loaded in this database (entity NIT "
            f"{NIT_BASE + 1} exists); start from a fresh database"
        )
    missing = [key for key in ("ips1", "ips2") if not demo_entity(key)]
    if missing or not PayerCode.objects.filter(code__in=["EPS099", "EPSS99", "EAS099"]).exists():
        raise VolumeError("the demo world is missing: run `manage.py seed_demo` first")


# Every NOT NULL column without a database default, per table, must be in our COPY lists:
# a schema change elsewhere then fails here with a clear message, not half-way through.
def _check_columns() -> None:
    with connection.cursor() as cursor:
        for model, columns in COPY_COLUMNS.items():
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
                [model._meta.db_table],
            )
            required = {row[0] for row in cursor.fetchall()}
            missing = required - {column(model, name) for name in columns} - {"id"}
            if missing:
                raise VolumeError(
                    f"{model._meta.db_table} has required columns bench/volume.py does not "
                    f"fill: {', '.join(sorted(missing))}"
                )


# ---------------------------------------------------------------------------------------------
# The plan: days, numbers, lines per prescription


class _Plan:
    """How many prescriptions fall on each day and which numbers they take; how many
    lines each prescription has (exactly round(n × average) in all)."""

    def __init__(self, n: int, average: float, days: int, end: date, rng: random.Random):
        self.n = n
        self.days = [end - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
        self.per_day = split(n, [WEEKDAY_WEIGHTS[d.weekday()] for d in self.days])
        self.first_number: dict[date, int] = {}
        zone = ZoneInfo(settings.TIME_ZONE)
        self.offsets = {
            d: _offset(datetime(d.year, d.month, d.day, 12, tzinfo=zone)) for d in self.days
        }
        self.line_counts = self._line_counts(n, average, rng)
        self.lines = sum(self.line_counts)
        self.patients = max(1, round(n / 3))

    @staticmethod
    def _line_counts(n: int, average: float, rng: random.Random) -> bytearray:
        # 1 + Poisson(average - 1), capped at 12, then nudged to the exact total.
        extra = average - 1
        weights, term = [], pow(2.718281828459045, -extra)
        for k in range(12):
            weights.append(term)
            term *= extra / (k + 1)
        counts = bytearray(rng.choices(range(1, 13), weights=weights, k=n))
        difference = round(n * average) - sum(counts)
        step = 1 if difference > 0 else -1
        while difference:
            i = rng.randrange(n)
            if 1 <= counts[i] + step <= 12:
                counts[i] += step
                difference -= step
        return counts

    def reserve_numbers(self, cursor) -> None:
        """Take each day's block of consecutives with one atomic upsert per day, as
        `next_number` does one at a time: numbers handed out before, during or after the
        load never repeat."""
        table = PrescriptionNumberCounter._meta.db_table
        for day, count in zip(self.days, self.per_day, strict=True):
            if count:
                cursor.execute(
                    f"INSERT INTO {table} (day, last) VALUES (%s, %s) ON CONFLICT (day) "
                    f"DO UPDATE SET last = {table}.last + EXCLUDED.last RETURNING last",
                    [day, count],
                )
                self.first_number[day] = cursor.fetchone()[0] - count + 1


def _offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# ---------------------------------------------------------------------------------------------
# COPY


def _max_ids(cursor) -> dict:
    """max(id) of each table before the load: the foreign-key check looks at newer rows."""
    before = {}
    for model in LOADED_MODELS:
        cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {model._meta.db_table}")
        before[model] = cursor.fetchone()[0]
    return before


def _reserve_ids(cursor, plan: _Plan) -> dict:
    """The first of a block of ids for each table whose ids we write ourselves (rows of
    other tables point at them): under a short table lock (reads go on), take the next
    value of the table's sequence and move the sequence past the block, so no insert,
    during or after the load, takes one of them."""
    counts = {Patient: plan.patients, Prescription: plan.n, TechnologyLine: plan.lines}
    tables = ", ".join(model._meta.db_table for model in counts)
    cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    first = {}
    for model, count in counts.items():
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first[model] = cursor.fetchone()[0]
        if count > 1:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first[model] + count - 1])
    return first


# Foreign keys. Django declares them DEFERRABLE INITIALLY DEFERRED: PostgreSQL queues one
# check per row and reference and runs them at COMMIT, one indexed lookup each (about 30
# million for a million prescriptions, some 13 µs apiece here: minutes, and a queue in
# memory). As a superuser, and when no loaded table has a trigger of its own on INSERT, the
# loading sessions skip the triggers for their transaction (`session_replication_role =
# replica`, as `pg_restore --disable-triggers` does) and `verify_references` checks every reference
# of the new rows before the commit, in one scan per table with a hashed lookup per key:
# the same guarantee, set-based. Otherwise the checks run per row at the end of each COPY.


def _set_based_possible(cursor) -> bool:
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    superuser = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) "
        "AND NOT tgisinternal AND tgtype & 4 <> 0",  # 4: fires on INSERT
        [[model._meta.db_table for model in LOADED_MODELS]],
    )
    return superuser and not cursor.fetchone()[0]


# ---------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Bulk-load national-scale prescriptions into the database of "
        "DATABASE_URL (PostgreSQL; run seed_demo first).",
    )
    parser.add_argument("--prescriptions", type=int, required=True, help="how many (1000000)")
    parser.add_argument(
        "--lines-per-prescription", type=float, default=2.5, help="average lines (2.5)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--days", type=int, default=365, help="days of prescribing (365)")
    parser.add_argument(
        "--annulled", type=float, default=0.03, help="share of annulled prescriptions (0.03)"
    )
    parser.add_argument("--no-audit", action="store_true", help="no audit entries")
    parser.add_argument(
        "--connections", type=int, default=2, help="connections loading prescriptions (2)"
    )
    parser.add_argument("--no-vacuum", action="store_true", help="ANALYZE only, no VACUUM")
    parser.add_argument(
        "--catalog-dir",
        type=Path,
        help="import the official catalogs found in this directory first (not timed as load)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return parser.parse_args(argv)


JSON_MARKER = "@@VOLUME_JSON@@"


def import_catalogs(directory: Path) -> float:
    from prescriptions.catalogs import catalog_files, import_catalog_file

    started = time.monotonic()
    for name, path in catalog_files(directory):
        report = import_catalog_file(name, path, actor=None)
        print(f"catalog {name}: {report}", flush=True)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()

    def say(message: str) -> None:
        if not args.quiet:
            print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)

    try:
        catalog_seconds = import_catalogs(args.catalog_dir) if args.catalog_dir else None
        report = generate(
            args.prescriptions,
            lines_per_prescription=args.lines_per_prescription,
            seed=args.seed,
            days=args.days,
            annulled_share=args.annulled,
            audit=not args.no_audit,
            connections=args.connections,
            vacuum=not args.no_vacuum,
            progress=say,
        )
    except VolumeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    if args.json:
        data = report.as_dict()
        if catalog_seconds is not None:
            data["catalog_import_seconds"] = round(catalog_seconds, 2)
        print(JSON_MARKER + json.dumps(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
