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
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
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
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from stdnum.co import nit as stdnum_nit

from accounts.demo import BY_KEY
from accounts.models import DocumentType, User
from accounts.models.registries import Profession, ProfessionalRecord
from bench.copying import (
    Clock,
    Copier,
    Picker,
    VolumeError,
    column,
    copy_escape,
    prepare_load,
    verify_references,
)
from entities.models import (
    AuditEntry,
    Entity,
    Membership,
    Municipality,
    PayerCode,
    Regime,
    Sede,
)
from entities.permissions import EntityType, Role
from prescriptions.enums import (
    CareSetting,
    MedicineType,
    NoveltyType,
    NutritionalRoute,
    PrescriptionStatus,
    SpecialIndication,
    SupplyType,
    TimeUnit,
)
from prescriptions.models import (
    Affiliation,
    LineActiveIngredient,
    Novelty,
    Patient,
    Prescription,
    PrescriptionNumberCounter,
    TechnologyLine,
)
from prescriptions.models.catalogs import (
    ActiveIngredient,
    AdministrationRoute,
    CatalogSource,
    ComplementaryService,
    CupsProcedure,
    DeviceType,
    Diagnosis,
    DoseUnit,
    MeasurementUnit,
    NutritionalForm,
    NutritionalProduct,
    NutritionalProductType,
    OrphanDisease,
    PharmaceuticalForm,
    PresentationUnit,
)
from prescriptions.services.prescribing import junta_status_for

VOLUME_SOURCE = "volumen"  # Affiliation.source and ProfessionalRecord.source of these rows
SUFFIX = "(volumen)"
NIT_BASE = 999_900_000  # synthetic entities: NIT 999900001, 999900002, …
PATIENT_DOCUMENT_BASE = 2_900_000_000
PRESCRIBER_DOCUMENT_BASE = 2_800_000_000
N_EPS = 8
DEMO_IPS_SHARE = 0.05  # of all prescriptions, for each demo IPS
DEMO_PRESCRIBER_SHARE = 0.20  # of its IPS's prescriptions, for each demo Prescriptor
WITHOUT_AFFILIATION = 0.01  # patients paid by the entidad territorial
PREVIOUS_AFFILIATION = 0.10  # patients with a closed affiliation before the active one
CHUNK_ROWS = 100_000
POOL = 4096  # ready-made variants of each line type (see _Writer._line_variants)


def _words(text: str) -> list[str]:
    return text.split()


# Shares of the line types (issue 4 item 12) and of the care settings.
LINE_TYPES = {"M": 0.60, "P": 0.20, "D": 0.05, "N": 0.05, "S": 0.10}
CARE_SETTINGS = {
    CareSetting.AMBULATORIO_PRIORIZADO: 0.15,
    CareSetting.AMBULATORIO_NO_PRIORIZADO: 0.58,
    CareSetting.HOSPITALARIO_DOMICILIARIO: 0.05,
    CareSetting.HOSPITALARIO_INTERNACION: 0.14,
    CareSetting.URGENCIAS: 0.08,
}
MEDICINE_TYPES = {
    MedicineType.MEDICAMENTO: 0.90,
    MedicineType.VITAL_NO_DISPONIBLE: 0.02,
    MedicineType.PREPARACION_MAGISTRAL: 0.03,
    MedicineType.UNIRS: 0.05,
}
# Prescriptions per hour of the day (local time) and per weekday (Monday first).
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 9, 12, 12, 12, 11, 7, 8, 11, 11, 10, 8, 5, 3, 2, 2, 1, 1]
WEEKDAY_WEIGHTS = [1.0, 1.0, 1.0, 1.0, 0.95, 0.45, 0.15]

GIVEN_NAMES = _words(
    "María José Luis Carlos Ana Juan Luz Jorge Rosa Andrés Diana Camilo Paula Fernando Sandra "
    "Alejandro Gloria Santiago Valentina Daniel Martha Felipe Claudia Sebastián Adriana Mateo "
    "Yolanda Julián Natalia Hernán Isabel Óscar Carolina Jhon Marcela Esteban Lucía Samuel "
    "Mariana Nicolás Alba Ricardo Ángela Wilson Sofía Diego Leidy Édgar Daniela Gustavo"
)
SURNAMES = _words(
    "Rodríguez Gómez González Martínez García López Hernández Sánchez Ramírez Pérez Díaz "
    "Muñoz Rojas Moreno Jiménez Vargas Castro Gutiérrez Ortiz Restrepo Osorio Cardona Ospina "
    "Vélez Zapata Mejía Arango Giraldo Quintero Valencia Mosquera Palacios Córdoba Mina "
    "Ocoró Suárez Rincón Pardo Cárdenas Londoño Henao Castaño Betancur Salazar Agudelo "
    "Montoya Toro Echeverri Ríos Acosta Benítez Cuesta"
)
STREETS = ("Calle", "Carrera", "Avenida", "Diagonal", "Transversal")
JUSTIFICATIONS = [
    "Paciente con diagnóstico confirmado que requiere la tecnología para control de su "
    "enfermedad; se han agotado las alternativas disponibles sin respuesta adecuada.",
    "Continuidad del tratamiento instaurado por especialista; buena adherencia y respuesta "
    "clínica documentada en la historia.",
    "Intolerancia documentada a la alternativa terapéutica; se formula según guía de práctica "
    "clínica vigente.",
    "Enfermedad crónica en seguimiento; la tecnología mejora la calidad de vida y evita "
    "hospitalizaciones.",
    "Indicación según concepto de la junta médica institucional y la evidencia disponible.",
    "Paciente polimedicado con comorbilidades; se requiere para evitar complicaciones agudas.",
    "Falla terapéutica con el esquema anterior tras tres meses de tratamiento a dosis plenas.",
    "Condición clínica que impide el desplazamiento; se requiere para garantizar la atención.",
    "Control posoperatorio según protocolo del servicio; riesgo de complicación sin la tecnología.",
    "Requerimiento nutricional no cubierto por la dieta habitual; pérdida de peso documentada.",
    "Tratamiento de segunda línea según protocolo; contraindicación de la primera línea.",
    "Seguimiento de paciente oncológico en tratamiento activo, según esquema institucional.",
]
RECOMMENDATIONS = [
    "",
    "",
    "",
    "Tomar con los alimentos.",
    "Control en un mes con resultados.",
    "Vigilar signos de alarma y consultar por urgencias si aparecen.",
    "No suspender sin indicación médica.",
    "Aplicar en la mañana.",
]
ANNULMENT_REASONS = [
    "Error en la dosis formulada.",
    "Se formuló al paciente equivocado.",
    "Cambio de conducta médica tras nuevos resultados.",
    "Duplicada por error del sistema.",
    "La tecnología no corresponde al diagnóstico registrado.",
]

_UUID_MASK = ((1 << 128) - 1) ^ ((0xF << 76) | (0x3 << 62))
_UUID_V4 = (0x4 << 76) | (0x2 << 62)


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
        catalogs = _Catalogs.load(rng)
        plan = _Plan(prescriptions, lines_per_prescription, days, end, rng)
        report.first_day, report.last_day = plan.days[0].isoformat(), plan.days[-1].isoformat()
    with transaction.atomic():
        with clock("setup"), connection.cursor() as cursor:
            world = _World.build(prescriptions, rng, plan.days[0])
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
        writer = _Writer(rng, world, catalogs, plan, first_ids, annulled_share, audit, chunk_rows)
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
            models = _LOADED_MODELS if parallel == 1 else [Patient, Affiliation]
            verify_references(cursor, set_based, models, before)
        inside = time.monotonic()
    report.seconds["commit"] = time.monotonic() - inside
    if parallel > 1:
        with clock("prescriptions"):
            _load_in_parallel(writer, parallel, set_based, before)
    report.rows = writer.rows
    with clock("analyze"), connection.cursor() as cursor:
        for model in _LOADED_MODELS:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    if vacuum and not connection.in_atomic_block:
        with clock("vacuum"), connection.cursor() as cursor:
            for model in _LOADED_MODELS:
                cursor.execute(f"VACUUM {model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        report.database_bytes = cursor.fetchone()[0]
    return report


def _load_in_parallel(writer: _Writer, count: int, set_based: bool, before: dict) -> None:
    """The prescriptions, chunk by chunk in turn, through `count` new connections; each
    checks the foreign keys of its rows (in parallel, each seeing only its own rows and the
    committed ones) and then commits. Closing a connection not committed rolls it back."""
    raws = [connection.get_new_connection(connection.get_connection_params()) for _ in range(count)]
    copiers = [Copier(raw) for raw in raws]
    models = [m for m in _LOADED_MODELS if m not in (Patient, Affiliation)]
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
    missing = [key for key in ("ips1", "ips2") if not _demo_entity(key)]
    if missing or not PayerCode.objects.filter(code__in=["EPS099", "EPSS99", "EAS099"]).exists():
        raise VolumeError("the demo world is missing: run `manage.py seed_demo` first")


def _demo_entity(key: str) -> Entity | None:
    return Entity.objects.filter(nit=BY_KEY[key].nit).first()


# Every NOT NULL column without a database default, per table, must be in our COPY lists:
# a schema change elsewhere then fails here with a clear message, not half-way through.
def _check_columns() -> None:
    with connection.cursor() as cursor:
        for model, columns in _COPY_COLUMNS.items():
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


_COPY_COLUMNS = {
    Patient: _words(
        "id external_id document_type document_number first_name middle_name first_surname "
        "second_surname birth_date sex municipality address phone email mother_document_type "
        "mother_document_number registered_by_entity created_at updated_at"
    ),
    Affiliation: _words(
        "external_id patient payer_code regime active start_date end_date source created_at "
        "updated_at"
    ),
    Prescription: _words(
        "id external_id number prescribed_at status entity sede habilitation_code prescriber "
        "prescriber_registration recorded_by patient payer payer_code care_setting referral "
        "diagnosis related_diagnosis_1 related_diagnosis_2 orphan_disease original_reference "
        "annulled_at annulment_reason confirmed_cautions"
    ),
    # The common fields, then the per-type ones in the order the line builders write them.
    TechnologyLine: _words(
        "id prescription technology_type order supply_type justification recommendations "
        "junta_status description "
        "dose dose_unit quantity_per_use frequency_every frequency_unit duration_amount "
        "duration_unit total_quantity presentation_unit special_indication medicine_type "
        "pharmaceutical_form route procedure device_type complementary_service nutritional_type "
        "nutritional_product nutritional_form nutritional_route"
    ),
    LineActiveIngredient: _words("line order ingredient concentration concentration_unit"),
    Novelty: _words(
        "novelty_type prescription original_number resulting_number created_at actor reason"
    ),
    AuditEntry: _words("created_at actor entity action content_type object_id data"),
}
_LOADED_MODELS = list(_COPY_COLUMNS)
# Position of each per-type field among the last columns of a TechnologyLine row.
_TYPE_FIELDS = {name: i for i, name in enumerate(_COPY_COLUMNS[TechnologyLine][9:])}


def _copy_sql(model) -> str:
    columns = ", ".join(connection.ops.quote_name(column(model, n)) for n in _COPY_COLUMNS[model])
    return f"COPY {model._meta.db_table} ({columns}) FROM STDIN"


# ---------------------------------------------------------------------------------------------
# Drawing values fast


def _zipf(rng: random.Random, values: Sequence, exponent: float = 1.0) -> Picker:
    """A few values common, most rare, as codes are in real prescribing: weights
    1/rank^exponent over a seeded shuffle of `values`."""
    shuffled = list(values)
    rng.shuffle(shuffled)
    return Picker(rng, shuffled, [1 / (rank**exponent) for rank in range(1, len(shuffled) + 1)])


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, exactly (largest remainders)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# Catalogs


# Rows to create when a catalog is empty even after the starter set (it should never be).
_DEMO_ROWS = {
    Diagnosis: [("U991", "DIAGNÓSTICO DE VOLUMEN 1"), ("U992", "DIAGNÓSTICO DE VOLUMEN 2")],
    CupsProcedure: [("V99001", "PROCEDIMIENTO DE VOLUMEN")],
    ActiveIngredient: [("99901", "PRINCIPIO ACTIVO DE VOLUMEN")],
    PharmaceuticalForm: [("COLFF999", "FORMA DE VOLUMEN")],
    AdministrationRoute: [("999", "VÍA DE VOLUMEN")],
    MeasurementUnit: [("9999", "unidad de volumen")],
    DoseUnit: [("9999", "unidad de dosis de volumen")],
    PresentationUnit: [("99", "PRESENTACIÓN DE VOLUMEN")],
    DeviceType: [("999", "DISPOSITIVO DE VOLUMEN")],
    NutritionalProductType: [("9999", "PRODUCTO NUTRICIONAL DE VOLUMEN")],
    NutritionalForm: [("99", "FORMA NUTRICIONAL DE VOLUMEN")],
    ComplementaryService: [("999", "SERVICIO COMPLEMENTARIO DE VOLUMEN")],
}


@dataclass
class _Catalogs:
    diagnosis: Picker
    related_diagnosis: Picker
    orphan: Picker | None
    procedure: Picker
    ingredient: Picker
    form: Picker
    route: Picker
    unit: Picker
    dose_unit: Picker
    presentation: Picker
    device: Picker
    nutritional_type: Picker
    nutritional_products: dict[int, Picker]
    nutritional_form: Picker
    service: Picker
    names: dict[type, dict[int, str]]

    @classmethod
    def load(cls, rng: random.Random) -> _Catalogs:
        cls._ensure_rows()
        rows = {model: cls._enabled(model) for model in (*_DEMO_ROWS, OrphanDisease)}
        names = {
            model: {pk: copy_escape(name[:200]) for pk, name in r} for model, r in rows.items()
        }
        ids = {model: [pk for pk, _name in r] for model, r in rows.items()}
        services = list(
            ComplementaryService.objects.filter(enabled=True)
            .exclude(code_period=ComplementaryService.CodePeriod.BEFORE_2019_10)
            .values_list("pk", flat=True)
        )
        products: dict[int, list[int]] = {}
        for pk, type_id, name in NutritionalProduct.objects.filter(enabled=True).values_list(
            "pk", "product_type_id", "name"
        ):
            products.setdefault(type_id, []).append(pk)
            names.setdefault(NutritionalProduct, {})[pk] = copy_escape(name[:200])
        for pk, symbol in MeasurementUnit.objects.exclude(symbol="").values_list("pk", "symbol"):
            names[MeasurementUnit][pk] = copy_escape(symbol)
        return cls(
            diagnosis=_zipf(rng, ids[Diagnosis], 1.1),
            related_diagnosis=_zipf(rng, ids[Diagnosis], 0.9),
            orphan=_zipf(rng, ids[OrphanDisease]) if ids[OrphanDisease] else None,
            procedure=_zipf(rng, ids[CupsProcedure]),
            ingredient=_zipf(rng, ids[ActiveIngredient]),
            form=_zipf(rng, ids[PharmaceuticalForm], 1.5),
            route=_zipf(rng, ids[AdministrationRoute], 1.5),
            unit=_zipf(rng, ids[MeasurementUnit], 1.5),
            dose_unit=_zipf(rng, ids[DoseUnit], 1.5),
            presentation=_zipf(rng, ids[PresentationUnit], 1.2),
            device=_zipf(rng, ids[DeviceType], 0.8),
            nutritional_type=_zipf(rng, ids[NutritionalProductType], 0.8),
            nutritional_products={t: Picker(rng, p) for t, p in products.items()},
            nutritional_form=Picker(rng, ids[NutritionalForm]),
            service=_zipf(rng, services or ids[ComplementaryService], 0.8),
            names=names,
        )

    @staticmethod
    def _enabled(model) -> list[tuple[int, str]]:
        return list(model.objects.filter(enabled=True).order_by("pk").values_list("pk", "name"))

    @staticmethod
    def _ensure_rows() -> None:
        empty = [m for m in _DEMO_ROWS if not m.objects.filter(enabled=True).exists()]
        if not empty:
            return
        from prescriptions.catalogs import load_starter_catalogs

        load_starter_catalogs()
        for model in _DEMO_ROWS:
            if not model.objects.filter(enabled=True).exists():
                for code, name in _DEMO_ROWS[model]:
                    model.objects.update_or_create(
                        code=code,
                        defaults={"name": name, "enabled": True, "source": CatalogSource.DEMO},
                    )


# ---------------------------------------------------------------------------------------------
# Entities, payers and prescribers


@dataclass
class _Ips:
    pk: int
    reps_code: str
    sedes: list[int]
    municipality: str
    weight: float
    prescribers: list[tuple[int, str]] = field(default_factory=list)  # (user id, registration)
    prescriber_weights: list[float] = field(default_factory=list)
    annuller: int = 0
    pick_prescriber: Picker | None = None


@dataclass
class _World:
    """Who prescribes and who pays: the demo world plus the synthetic "(volumen)" one."""

    ips: list[_Ips]
    payer_codes: list[tuple[int, int, str]]  # (payer code id, entity id, régimen)
    payer_code_weights: list[float]
    territory: int | None  # the demo ET, paying for patients without affiliation
    territory_municipalities: list[str]
    municipalities: list[str]
    prescriber_count: int

    @classmethod
    def build(cls, prescriptions: int, rng: random.Random, since: date) -> _World:
        """Create the synthetic entities, sedes, users, RETHUS records and memberships."""
        municipalities = list(Municipality.objects.order_by("code").values_list("pk", flat=True))
        started = timezone.make_aware(
            datetime.combine(since - timedelta(days=400), datetime.min.time())
        )
        n_ips = max(2, min(400, prescriptions // 20_000))
        n_prescribers = max(4, min(5_000, prescriptions // 2_000))
        nits = iter(range(NIT_BASE + 1, NIT_BASE + 10_000))

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

        # Payers: the demo codes and N_EPS synthetic EPS with both régimens.
        eps = Entity.objects.bulk_create(
            entity(EntityType.EPS, f"EPS Nacional {i:02d}", rng.choice(municipalities))
            for i in range(1, N_EPS + 1)
        )
        PayerCode.objects.bulk_create(
            PayerCode(entity=e, code=f"VOL{letter}{i:02d}", regime=regime)
            for i, e in enumerate(eps, start=1)
            for letter, regime in (("C", Regime.CONTRIBUTIVO), ("S", Regime.SUBSIDIADO))
        )
        demo_shares = {"EPS099": 0.15, "EPSS99": 0.15, "EAS099": 0.03}
        codes = list(
            PayerCode.objects.filter(code__in=[*demo_shares, *_synthetic_codes()])
            .order_by("code")
            .values_list("pk", "entity_id", "regime", "code")
        )
        synthetic_share = (1 - sum(demo_shares.values())) / (2 * N_EPS)
        weights = [demo_shares.get(code, synthetic_share) for *_rest, code in codes]

        # Providers: the demo IPS and n_ips synthetic ones, each with one sede.
        clinics = []
        for i in range(1, n_ips + 1):
            town = rng.choice(municipalities)
            clinics.append(
                entity(EntityType.IPS, f"IPS Regional {i:03d}", town, reps_code=f"{town}9{i:06d}")
            )
        synthetic = Entity.objects.bulk_create(clinics)
        Sede.objects.bulk_create(
            Sede(
                entity=e,
                code="01",
                name=f"Sede principal {SUFFIX}",
                address=street_address(rng),
                municipality_id=e.municipality_id,
            )
            for e in synthetic
        )
        demo_ips = [_demo_entity("ips1"), _demo_entity("ips2")]
        rest = 1 - DEMO_IPS_SHARE * len(demo_ips)
        rank_weights = [1 / (rank**0.8) for rank in range(1, n_ips + 1)]
        ips = [_Ips(e.pk, e.reps_code, [], e.municipality_id, DEMO_IPS_SHARE) for e in demo_ips]
        ips += [
            _Ips(e.pk, e.reps_code, [], e.municipality_id, rest * w / sum(rank_weights))
            for e, w in zip(synthetic, rank_weights, strict=True)
        ]
        for sede_pk, entity_pk in Sede.objects.filter(
            entity_id__in=[i.pk for i in ips], active=True
        ).values_list("pk", "entity_id"):
            next(i for i in ips if i.pk == entity_pk).sedes.append(sede_pk)

        # Prescribers: the demo Prescriptores and Anuladores keep their share; synthetic
        # médicos are spread over every IPS in proportion to its prescriptions.
        by_pk = {i.pk: i for i in ips}
        for user_pk, entity_pk, role, document_type, number in (
            Membership.objects.active()
            .filter(entity__in=demo_ips, role__in=[Role.PRESCRIPTOR, Role.ANULADOR])
            .order_by("pk")
            .values_list(
                "user_id", "entity_id", "role", "user__document_type", "user__document_number"
            )
        ):
            clinic = by_pk[entity_pk]
            if role == Role.ANULADOR:
                clinic.annuller = clinic.annuller or user_pk
            else:
                clinic.prescribers.append((user_pk, _registration(document_type, number)))
        for clinic in ips:
            # The demo Prescriptores share DEMO_PRESCRIBER_SHARE of their IPS's prescriptions.
            count = len(clinic.prescribers)
            if count:
                clinic.prescriber_weights = [DEMO_PRESCRIBER_SHARE / count] * count
        per_ips = _split(n_prescribers, [i.weight for i in ips])
        people = []
        for clinic, count in zip(ips, per_ips, strict=True):
            if not clinic.prescribers:
                count = max(count, 1)
            people += [(clinic, Role.PRESCRIPTOR)] * count
            if not clinic.annuller:
                people.append((clinic, Role.ANULADOR))
        users = _create_people(rng, people, started)
        for (clinic, role), (user, registration) in zip(people, users, strict=True):
            if role == Role.ANULADOR:
                clinic.annuller = user.pk
            else:
                clinic.prescribers.append((user.pk, registration))
        for clinic in ips:
            demo_weight = sum(clinic.prescriber_weights)
            others = len(clinic.prescribers) - len(clinic.prescriber_weights)
            if others:
                each = (1 - demo_weight) / others
                clinic.prescriber_weights += [each] * others
            clinic.pick_prescriber = Picker(rng, clinic.prescribers, clinic.prescriber_weights)

        territory = _demo_entity("et")
        territory_municipalities = [m for m in municipalities if m.startswith("05")]
        return cls(
            ips=ips,
            payer_codes=[(pk, entity_pk, regime) for pk, entity_pk, regime, _code in codes],
            payer_code_weights=weights,
            territory=territory.pk if territory and territory_municipalities else None,
            territory_municipalities=territory_municipalities,
            municipalities=municipalities,
            prescriber_count=sum(len(i.prescribers) for i in ips),
        )


def _synthetic_codes() -> list[str]:
    return [f"VOL{letter}{i:02d}" for i in range(1, N_EPS + 1) for letter in "CS"]


def _registration(document_type: str, number: str) -> str:
    record = (
        ProfessionalRecord.objects.filter(
            document_type=document_type, document_number=number, active=True
        )
        .order_by("pk")
        .first()
    )
    return copy_escape(record.registration_number) if record else ""


def _create_people(rng: random.Random, people: list, started: datetime) -> list[tuple[User, str]]:
    """Users (no usable password: nobody logs in as them), their RETHUS record and their
    membership, in three bulk inserts."""
    unusable = make_password(None)
    users, records, registrations = [], [], []
    for index, (_clinic, role) in enumerate(people, start=1):
        number = str(PRESCRIBER_DOCUMENT_BASE + index)
        names = {
            "first_name": rng.choice(GIVEN_NAMES),
            "first_surname": rng.choice(SURNAMES),
            "second_surname": rng.choice(SURNAMES),
        }
        users.append(
            User(
                document_type=DocumentType.CC,
                document_number=number,
                username=f"{DocumentType.CC} {number}",
                email=f"cc{number}@volumen.mipres.local",
                password=unusable,
                date_joined=started,
                **names,
            )
        )
        registration = f"VOL-MED-{index:05d}" if role == Role.PRESCRIPTOR else ""
        registrations.append(registration)
        if registration:
            records.append(
                ProfessionalRecord(
                    document_type=DocumentType.CC,
                    document_number=number,
                    profession=Profession.MEDICINA,
                    registration_number=registration,
                    source=VOLUME_SOURCE,
                    **names,
                )
            )
    users = User.objects.bulk_create(users)
    ProfessionalRecord.objects.bulk_create(records)
    Membership.objects.bulk_create(
        Membership(user=user, entity_id=clinic.pk, role=role, started_at=started)
        for user, (clinic, role) in zip(users, people, strict=True)
    )
    return list(zip(users, registrations, strict=True))


def street_address(rng: random.Random) -> str:
    street = rng.choice(STREETS)
    return f"{street} {rng.randint(1, 150)} # {rng.randint(1, 120)}-{rng.randint(1, 99)}"


# ---------------------------------------------------------------------------------------------
# The plan: days, numbers, lines per prescription


class _Plan:
    """How many prescriptions fall on each day and which numbers they take; how many
    lines each prescription has (exactly round(n × average) in all)."""

    def __init__(self, n: int, average: float, days: int, end: date, rng: random.Random):
        self.n = n
        self.days = [end - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
        self.per_day = _split(n, [WEEKDAY_WEIGHTS[d.weekday()] for d in self.days])
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
    for model in _LOADED_MODELS:
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
        [[model._meta.db_table for model in _LOADED_MODELS]],
    )
    return superuser and not cursor.fetchone()[0]


# ---------------------------------------------------------------------------------------------
# Rows


class _Writer:
    """Generates the rows as text for COPY and hands them to the loader chunk by chunk."""

    def __init__(self, rng, world, catalogs, plan, first_ids, annulled, audit, chunk):
        self.rng, self.world, self.cat, self.plan = rng, world, catalogs, plan
        self.first_ids, self.annulled_share, self.audit, self.chunk = (
            first_ids,
            annulled,
            audit,
            chunk,
        )
        self.say: Callable[[str], None] = lambda message: None
        self.rows = {model._meta.db_table: 0 for model in _LOADED_MODELS}
        self.n_patients = plan.patients
        # Per patient, filled by patients(): its payer code and payer entity (0: none) and
        # its document, for the prescriptions.
        self.patient_code = [0] * self.n_patients
        self.patient_payer = [0] * self.n_patients
        self.patient_document = bytearray(self.n_patients)  # index in DOCUMENT_TYPES
        self.zone = ZoneInfo(settings.TIME_ZONE)

    def _uuid(self) -> str:
        return f"{self.rng.getrandbits(128) & _UUID_MASK | _UUID_V4:032x}"

    def _flush(self, buffers: dict, copier: Copier) -> None:
        for model, rows in buffers.items():
            copier.copy(_copy_sql(model), rows)
            self.rows[model._meta.db_table] += len(rows)
            rows.clear()

    # -- patients and affiliations ------------------------------------------------------

    DOCUMENT_TYPES = ("CC", "TI", "RC", "CE", "PE", "PA")

    def patients(self, copier: Copier) -> None:
        rng, world = self.rng, self.world
        first_id = self.first_ids[Patient]
        start = self.plan.days[0]
        today_ordinal = start.toordinal()
        stamp = f"{start - timedelta(days=1)} 06:00:00{self.plan.offsets[start]}"
        age = Picker(rng, range(0, 95), [_age_weight(a) for a in range(0, 95)])
        code_index = Picker(rng, range(len(world.payer_codes)), world.payer_code_weights)
        municipality = Picker(rng, world.municipalities)
        registered_by = Picker(rng, [str(i.pk) for i in world.ips] + ["\\N"] * len(world.ips))
        given, surname = Picker(rng, GIVEN_NAMES), Picker(rng, SURNAMES)
        buffers: dict = {Patient: [], Affiliation: []}
        for index in range(self.n_patients):
            pk = first_id + index
            years = age()
            birth = date.fromordinal(today_ordinal - years * 365 - rng.randrange(365))
            if years < 7:
                kind = 2
            elif years < 18:
                kind = 1
            else:
                draw = rng.random()
                kind = 0 if draw < 0.95 else 3 if draw < 0.97 else 4 if draw < 0.99 else 5
            self.patient_document[index] = kind
            uninsured = world.territory and rng.random() < WITHOUT_AFFILIATION
            town = rng.choice(world.territory_municipalities) if uninsured else municipality()
            middle = given() if rng.random() < 0.5 else ""
            phone = f"3{rng.randrange(100_000_000, 999_999_999)}" if rng.random() < 0.6 else ""
            buffers[Patient].append(
                f"{pk}\t{self._uuid()}\t{self.DOCUMENT_TYPES[kind]}\t"
                f"{PATIENT_DOCUMENT_BASE + index}\t{given()}\t{middle}\t{surname()}\t"
                f"{surname()}\t{birth}\t{'F' if rng.random() < 0.52 else 'M'}\t{town}\t"
                f"{street_address(rng)}\t{phone}\t\t\t\t{registered_by()}\t{stamp}\t{stamp}\n"
            )
            if uninsured:
                self.patient_payer[index] = world.territory
            else:
                code = code_index()
                code_pk, payer_pk, regime = world.payer_codes[code]
                self.patient_code[index], self.patient_payer[index] = code_pk, payer_pk
                since = date.fromordinal(
                    max(birth.toordinal(), today_ordinal - rng.randrange(30, 7_300))
                )
                if rng.random() < PREVIOUS_AFFILIATION:
                    old_pk, _payer, old_regime = world.payer_codes[code_index()]
                    old_since = date.fromordinal(since.toordinal() - rng.randrange(200, 3_000))
                    buffers[Affiliation].append(
                        f"{self._uuid()}\t{pk}\t{old_pk}\t{old_regime}\tf\t{old_since}\t"
                        f"{since - timedelta(days=1)}\t{VOLUME_SOURCE}\t{stamp}\t{stamp}\n"
                    )
                buffers[Affiliation].append(
                    f"{self._uuid()}\t{pk}\t{code_pk}\t{regime}\tt\t{since}\t\\N\t"
                    f"{VOLUME_SOURCE}\t{stamp}\t{stamp}\n"
                )
            if len(buffers[Patient]) >= self.chunk:
                self._flush(buffers, copier)
                self.say(f"patients {index + 1:,}/{self.n_patients:,}")
        self._flush(buffers, copier)

    # -- prescriptions and what hangs from them ----------------------------------------

    def prescriptions(self, copiers: list[Copier]) -> None:
        """Prescriptions with everything that hangs from them, a chunk (of about `chunk`
        lines) to each copier in turn: each chunk is whole, so a connection's rows only
        point at its own rows and at committed ones."""
        rng, world, cat, plan = self.rng, self.world, self.cat, self.plan
        pid = self.first_ids[Prescription] - 1
        lid = self.first_ids[TechnologyLine] - 1
        first_patient = self.first_ids[Patient]
        pick_ips = Picker(rng, world.ips, [i.weight for i in world.ips])
        pick_setting = Picker(rng, [s.value for s in CARE_SETTINGS], CARE_SETTINGS.values())
        pick_hour = Picker(rng, range(24), HOUR_WEIGHTS)
        pick_reason = Picker(rng, [copy_escape(r) for r in ANNULMENT_REASONS])
        pick_types = self._type_sets()
        variants = self._line_variants()
        texts = Picker(rng, [f"{copy_escape(j)}\t{copy_escape(r)}" for j in JUSTIFICATIONS
                              for r in RECOMMENDATIONS])  # fmt: skip
        # EstJM by (type, ámbito, TipoMed): `junta_status_for` itself, once per combination.
        junta = {
            (technology, setting.value, medicine): junta_status_for(technology, setting, medicine)
            for technology in LINE_TYPES
            for setting in CareSetting
            for medicine in (None, *MedicineType)
        }
        content_type = ContentType.objects.get_for_model(Prescription).pk
        tables = (Prescription, TechnologyLine, LineActiveIngredient, Novelty, AuditEntry)
        buffers: dict = {model: [] for model in tables}
        headers, lines, ingredients = (buffers[m] for m in tables[:3])
        novelties, audits = buffers[Novelty], buffers[AuditEntry]
        n_patients, documents = self.n_patients, self.DOCUMENT_TYPES
        active, annulled = PrescriptionStatus.ACTIVA.value, PrescriptionStatus.ANULADA.value
        latest = timezone.now() - timedelta(minutes=1)
        index = chunks = 0
        for day, count in zip(plan.days, plan.per_day, strict=True):
            if not count:
                continue
            prefix, offset = f"{day:%Y%m%d}", plan.offsets[day]
            first = plan.first_number[day]
            seconds = sorted(pick_hour() * 3600 + rng.randrange(3600) for _ in range(count))
            for k, second in enumerate(seconds):
                pid += 1
                number = f"{prefix}{first + k:012d}"
                moment = f"{day} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
                moment += offset
                clinic = pick_ips()
                prescriber, registration = clinic.pick_prescriber()
                sede = rng.choice(clinic.sedes) if clinic.sedes and rng.random() < 0.8 else "\\N"
                patient = int(n_patients * rng.random() ** 1.6)  # a few patients get many
                setting = pick_setting()
                draw = rng.random()  # one draw decides the optional diagnoses
                related_1 = cat.related_diagnosis() if draw < 0.4 else "\\N"
                related_2 = cat.related_diagnosis() if draw < 0.15 else "\\N"
                orphan = cat.orphan() if cat.orphan and draw < 0.01 else "\\N"
                if rng.random() < self.annulled_share:
                    when = datetime.fromisoformat(moment)
                    when += timedelta(seconds=rng.randrange(600, 3 * 86_400))
                    annulled_at = min(when, latest).astimezone(self.zone).isoformat()
                    reason, status = pick_reason(), annulled
                else:
                    annulled_at, reason, status = "\\N", "", active
                headers.append(
                    f"{pid}\t{self._uuid()}\t{number}\t{moment}\t{status}\t{clinic.pk}\t{sede}\t"
                    f"{clinic.reps_code}\t{prescriber}\t{registration}\t{prescriber}\t"
                    f"{first_patient + patient}\t{self.patient_payer[patient]}\t"
                    f"{self.patient_code[patient] or '\\N'}\t{setting}\t"
                    f"{'t' if draw > 0.9 else 'f'}\t{cat.diagnosis()}\t{related_1}\t{related_2}\t"
                    f"{orphan}\t\t{annulled_at}\t{reason}\t[]\n"
                )
                # ConOrden counts per type within the prescription.
                types, types_json = pick_types[plan.line_counts[index]]()
                orders = dict.fromkeys(LINE_TYPES, 0)
                for technology in types:
                    lid += 1
                    orders[technology] += 1
                    supply, kind, description, tail, parts = variants[technology]()
                    lines.append(
                        f"{lid}\t{pid}\t{technology}\t{orders[technology]}\t{supply}\t{texts()}\t"
                        f"{junta[technology, setting, kind]}\t{description}\t{tail}\n"
                    )
                    for part in parts:
                        ingredients.append(f"{lid}\t{part}")
                if self.audit:
                    document = documents[self.patient_document[patient]]
                    audits.append(
                        f"{moment}\t{prescriber}\t{clinic.pk}\t"
                        f"prescriptions.prescription.issued\t{content_type}\t{pid}\t"
                        f'{{"number": "{number}", "patient": "{document} '
                        f'{PATIENT_DOCUMENT_BASE + patient}", "lines": {types_json}}}\n'
                    )
                if status == annulled:
                    actor = clinic.annuller
                    novelties.append(
                        f"{NoveltyType.ANULACION.value}\t{pid}\t{number}\t\t{annulled_at}\t"
                        f"{actor}\t{reason}\n"
                    )
                    if self.audit:
                        data = json.dumps({"number": number, "reason": reason}, ensure_ascii=False)
                        audits.append(
                            f"{annulled_at}\t{actor}\t{clinic.pk}\t"
                            f"prescriptions.prescription.annulled\t{content_type}\t{pid}\t"
                            f"{copy_escape(data)}\n"
                        )
                index += 1
                if len(lines) >= self.chunk:
                    self._flush(buffers, copiers[chunks % len(copiers)])
                    chunks += 1
                    self.say(f"prescriptions {index:,}/{plan.n:,} ({day})")
        self._flush(buffers, copiers[chunks % len(copiers)])

    def _type_sets(self) -> dict[int, Picker]:
        """For each number of lines, a picker of sorted line types (and their JSON for the
        audit entry), drawn with the shares of LINE_TYPES."""
        pick = Picker(self.rng, list(LINE_TYPES), LINE_TYPES.values())
        sets = {}
        for count in range(1, max(self.plan.line_counts, default=1) + 1):
            drawn = [tuple(sorted(pick() for _ in range(count))) for _ in range(POOL)]
            sets[count] = Picker(self.rng, [(types, json.dumps(types)) for types in drawn])
        return sets

    def _line_variants(self) -> dict[str, Picker]:
        """For each technology type, a picker of POOL ready-made lines: (TipoPrest, TipoMed,
        description, the type's columns as COPY text, active ingredients as COPY text
        without the line id). Drawing whole lines from a pool keeps the per-line cost to a
        few operations; the codes in the pool follow the catalogs' skewed shares."""
        rng, cat, names = self.rng, self.cat, self.cat.names
        medicine_type = Picker(rng, list(MEDICINE_TYPES), MEDICINE_TYPES.values())
        hour, day, week, month = (
            TimeUnit.HORA.value,
            TimeUnit.DIA.value,
            TimeUnit.SEMANA.value,
            TimeUnit.MES.value,
        )
        # (every, unit, doses a day) and (amount, unit, days) of common regimens.
        frequencies = [(8, hour, 3), (12, hour, 2), (24, hour, 1), (6, hour, 4)]
        durations = Picker(
            rng,
            [(5, day, 5), (7, day, 7), (10, day, 10), (30, day, 30), (1, month, 30),
             (2, month, 60), (3, month, 90), (90, day, 90)],
            [1, 2, 1, 5, 4, 1, 3, 1],
        )  # fmt: skip
        doses = ["0.5", "1", "1", "2", "5", "10", "20", "50", "100", "500", "1000"]
        strengths = ["5", "10", "20", "25", "40", "50", "100", "250", "500", "850", "1000", "2.5"]
        unica, sucesiva = SupplyType.UNICA.value, SupplyType.SUCESIVA.value
        choice, nothing = rng.choice, "\\N"

        def medicine():
            kind = medicine_type()
            every, frequency_unit, per_day = choice(frequencies)
            amount, duration_unit, days = durations()
            use = choice((1, 1, 1, 1, 2))
            unit, ingredient, strength = cat.unit(), cat.ingredient(), choice(strengths)
            parts = [f"1\t{ingredient}\t{strength}\t{unit}\n"]
            if rng.random() < 0.15:
                parts.append(f"2\t{cat.ingredient()}\t{choice(strengths)}\t{unit}\n")
            tail = _type_columns(
                dose=choice(doses),
                dose_unit=cat.dose_unit(),
                quantity_per_use=use,
                frequency_every=every,
                frequency_unit=frequency_unit,
                duration_amount=amount,
                duration_unit=duration_unit,
                total_quantity=per_day * days * use,
                presentation_unit=cat.presentation(),
                special_indication=choice([SpecialIndication.SIN_INDICACION.value] * 9 + [2]),
                medicine_type=kind.value,
                pharmaceutical_form=cat.form(),
                route=cat.route(),
            )
            supply = sucesiva if days >= 60 and rng.random() < 0.6 else unica
            description = (
                f"{names[ActiveIngredient][ingredient]} {strength} {names[MeasurementUnit][unit]}"
            )
            return supply, kind, description, tail, tuple(parts)

        def procedure():
            code = cat.procedure()
            sessions = choice((1, 1, 1, 1, 2, 3, 5, 10, 12, 20, 30))
            unit = week if sessions > 3 else day
            tail = _type_columns(
                quantity_per_use=1,
                frequency_every=1,
                frequency_unit=unit,
                duration_amount=sessions,
                duration_unit=unit,
                total_quantity=sessions,
                procedure=code,
            )
            return unica, None, names[CupsProcedure][code], tail, ()

        def device():
            code = cat.device()
            tail = _type_columns(
                quantity_per_use=1, total_quantity=rng.randint(1, 5), device_type=code
            )
            return unica, None, names[DeviceType][code], tail, ()

        def nutrition():
            kind = cat.nutritional_type()
            products = cat.nutritional_products.get(kind)
            product = products() if products else None
            every, frequency_unit, per_day = choice(frequencies)
            amount, duration_unit, days = durations()
            tail = _type_columns(
                dose=1,
                dose_unit=cat.dose_unit(),
                quantity_per_use=1,
                frequency_every=every,
                frequency_unit=frequency_unit,
                duration_amount=amount,
                duration_unit=duration_unit,
                total_quantity=per_day * days,
                presentation_unit=cat.presentation(),
                nutritional_type=kind,
                nutritional_product=product or nothing,
                nutritional_form=cat.nutritional_form(),
                nutritional_route=choice([NutritionalRoute.ORAL.value] * 6 + [2]),
            )
            description = (
                names[NutritionalProduct][product]
                if product
                else names[NutritionalProductType][kind]
            )
            return sucesiva if days >= 60 else unica, None, description, tail, ()

        def service():
            code = cat.service()
            months = choice((1, 1, 2, 3, 6))
            tail = _type_columns(
                quantity_per_use=1,
                frequency_every=1,
                frequency_unit=month,
                duration_amount=months,
                duration_unit=month,
                total_quantity=choice((1, 4, 8, 30)) * months,
                complementary_service=code,
            )
            supply = sucesiva if months > 1 else unica
            return supply, None, names[ComplementaryService][code], tail, ()

        makers = {"M": medicine, "P": procedure, "D": device, "N": nutrition, "S": service}
        return {t: Picker(rng, [make() for _ in range(POOL)]) for t, make in makers.items()}


def _type_columns(**values) -> str:
    """The per-type columns of a TechnologyLine row as COPY text: the given ones, the
    others NULL."""
    cells = ["\\N"] * len(_TYPE_FIELDS)
    for name, value in values.items():
        cells[_TYPE_FIELDS[name]] = str(value)
    return "\t".join(cells)


def _age_weight(age: int) -> float:
    """People who get prescriptions: many children under 5, most over 45."""
    if age < 5:
        return 1.2
    if age < 18:
        return 0.6
    if age < 45:
        return 0.9
    if age < 80:
        return 1.6
    return 0.8


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
