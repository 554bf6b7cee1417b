"""The catalog registry and the import service.

`CATALOGS` names every catalog table after its file in the shared layout of the MIPRES
reference tables (../shared/data/README.md): `cie10` is `cie10.csv`, loaded into
`Diagnosis`. Every file starts with `code,name,enabled,version,valid_from`; the extra
columns of each table are mapped in its `CatalogSpec`.

`import_catalog` validates every row, upserts in batches, never deletes, and writes one
audit entry. Sources rank official > starter > demo: a load replaces rows of its own rank
or lower and leaves higher ones alone, so demo codes never pass as official and the
shipped starter set never overwrites an imported official file.
"""

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities import audit
from mipres.lib.csvfiles import ImportReport, read_rows
from mipres.lib.errors import DomainError

from .models import (
    ActiveIngredient,
    AdministrationRoute,
    CompanionRelationship,
    ComplementaryService,
    CupsProcedure,
    DeviceType,
    Diagnosis,
    DoseUnit,
    MeasurementUnit,
    NonDeliveryCause,
    NutritionalForm,
    NutritionalProduct,
    NutritionalProductType,
    OrphanDisease,
    PharmaceuticalForm,
    PresentationUnit,
    TransportType,
    UnirsIndication,
)
from .models.catalogs import SOURCE_RANK, CatalogSource, fold

BATCH_SIZE = 2000
STARTER_DIR = Path(__file__).resolve().parent / "data"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DMY_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")

E_UNKNOWN_CATALOG = _("Catálogo «%(name)s» desconocido. Los catálogos son: %(names)s.")
E_MISSING_COLUMNS = _("Al archivo le faltan las columnas: %(columns)s.")
E_SOURCE = _("Fuente «%(source)s» desconocida: use official, starter o demo.")
E_CODE = _("código «%(value)s» no válido: %(hint)s")
E_REQUIRED = _("falta «%(column)s»")
E_TOO_LONG = _("«%(column)s» tiene más de %(max)s caracteres")
E_ENABLED = _("«enabled» debe ser 1, 0 o vacío, no «%(value)s»")
E_FLAG = _("«%(column)s» debe ser 1 o 0, no «%(value)s»")
E_DATE = _("fecha «%(value)s» no válida en «valid_from»: use AAAA-MM-DD")
E_DECIMAL = _("«%(column)s» debe ser un número, no «%(value)s»")
E_CHOICE = _("«%(column)s» no admite «%(value)s»: use %(choices)s")
E_REFERENCE = _("«%(column)s»: %(label)s «%(value)s» no existe")
E_DUPLICATE = _("repite el código %(code)s de la línea %(line)s")


class CatalogError(DomainError):
    """A whole file refused: unknown catalog or source, missing columns."""


class RowError(Exception):
    """A row's rejection reason."""


# Column parsers: (text, lookups) -> value, raising RowError with the column's name.
Parser = Callable[[str, dict], object]


def text(max_length: int, *, required: bool = False) -> Callable[[str], Parser]:
    def make(column: str) -> Parser:
        def parse(value: str, lookups: dict) -> str:
            if required and not value:
                raise RowError(E_REQUIRED % {"column": column})
            if len(value) > max_length:
                raise RowError(E_TOO_LONG % {"column": column, "max": max_length})
            return value

        return parse

    return make


def decimal_or_none(column: str) -> Parser:
    def parse(value: str, lookups: dict) -> Decimal | None:
        if not value:
            return None
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or number >= 10**7:
            raise RowError(E_DECIMAL % {"column": column, "value": value})
        return number

    return parse


def flag(column: str) -> Parser:
    def parse(value: str, lookups: dict) -> bool:
        if value not in ("0", "1"):
            raise RowError(E_FLAG % {"column": column, "value": value})
        return value == "1"

    return parse


def choice(values: Iterable[str]) -> Callable[[str], Parser]:
    allowed = ["", *values]

    def make(column: str) -> Parser:
        def parse(value: str, lookups: dict) -> str:
            if value not in allowed:
                choices = ", ".join(v for v in allowed if v)
                raise RowError(E_CHOICE % {"column": column, "value": value, "choices": choices})
            return value

        return parse

    return make


def reference(model: type[models.Model]) -> Callable[[str], Parser]:
    """The id of the `model` row with this code; `lookups[model]` maps code → id."""

    def make(column: str) -> Parser:
        def parse(value: str, lookups: dict) -> int:
            pk = lookups[model].get(value.upper())
            if pk is None:
                label = model._meta.verbose_name
                raise RowError(E_REFERENCE % {"column": column, "label": label, "value": value})
            return pk

        return parse

    return make


@dataclass(frozen=True)
class CatalogSpec:
    """One catalog: its model, its file in the shared layout, the shape of its codes, and
    its extra columns as {column: (model field, parser factory)}."""

    model: type[models.Model]
    file_name: str
    code_pattern: str
    code_hint: str
    extra_columns: dict[str, tuple[str, Callable[[str], Parser]]] = field(default_factory=dict)

    @property
    def references(self) -> list[type[models.Model]]:
        return [
            self.model._meta.get_field(name.removesuffix("_id")).related_model
            for name, _parser in self.extra_columns.values()
            if name.endswith("_id")
        ]

    def required_columns(self) -> list[str]:
        return ["code", "name"]


def _spec(model, file_name, pattern, hint, **extra) -> CatalogSpec:
    return CatalogSpec(model, file_name, pattern, hint, extra)


NUMBER_1_3 = (r"\d{1,3}", _("de 1 a 3 dígitos"))
FLAGS = ("m", "p", "d", "n", "s")

# NAME → spec, in load order: a table comes after the tables its rows refer to.
CATALOGS: dict[str, CatalogSpec] = {
    "cie10": _spec(
        Diagnosis,
        "cie10.csv",
        r"[A-Z]\d{2}[0-9A-Z]",
        _("4 caracteres sin punto: letra, dos dígitos y dígito o X (E119, I10X)"),
    ),
    "cups": _spec(CupsProcedure, "cups.csv", r"[0-9A-Z]{6}", _("6 dígitos o letras")),
    "dci": _spec(ActiveIngredient, "dci.csv", r"\d{5}", _("5 dígitos")),
    "enfermedades_huerfanas": _spec(
        OrphanDisease, "enfermedades_huerfanas.csv", r"\d{4}", _("4 dígitos")
    ),
    "formas_farmaceuticas": _spec(
        PharmaceuticalForm,
        "formas_farmaceuticas.csv",
        r"C\d{5}|COLFF\d{3}",
        _("«C» y 5 dígitos, o «COLFF» y 3 dígitos"),
    ),
    "vias_administracion": _spec(
        AdministrationRoute, "vias_administracion.csv", r"\d{3}", _("3 dígitos")
    ),
    "unidades_medida": _spec(
        MeasurementUnit,
        "unidades_medida.csv",
        r"\d{4}",
        _("4 dígitos"),
        symbol=("symbol", text(40)),
    ),
    "unidades_medida_dosis": _spec(
        DoseUnit, "unidades_medida_dosis.csv", r"\d{4}", _("4 dígitos"), symbol=("symbol", text(40))
    ),
    "presentaciones": _spec(PresentationUnit, "presentaciones.csv", r"\d{2}", _("2 dígitos")),
    "tipos_dispositivo_medico": _spec(
        DeviceType, "tipos_dispositivo_medico.csv", r"\d{3}", _("3 dígitos")
    ),
    "tipos_producto_nutricional": _spec(
        NutritionalProductType, "tipos_producto_nutricional.csv", r"\d{4}", _("4 dígitos")
    ),
    "formas_producto_nutricional": _spec(
        NutritionalForm, "formas_producto_nutricional.csv", r"\d{1,2}", _("1 o 2 dígitos")
    ),
    "productos_nutricionales": _spec(
        NutritionalProduct,
        "productos_nutricionales.csv",
        r"\d{6}",
        _("6 dígitos"),
        product_type_code=("product_type_id", reference(NutritionalProductType)),
        physical_state=("physical_state", text(20)),
        form_name=("form_name", text(40)),
        form_code=("form_code", text(10)),
        package_quantity=("package_quantity", decimal_or_none),
        package_unit=("package_unit", text(10)),
    ),
    "servicios_complementarios": _spec(
        ComplementaryService,
        "servicios_complementarios.csv",
        *NUMBER_1_3,
        code_period=("code_period", choice(ComplementaryService.CodePeriod.values)),
        equivalent_code=("equivalent_code", text(20)),
    ),
    "indicaciones_unirs": _spec(UnirsIndication, "indicaciones_unirs.csv", *NUMBER_1_3),
    "tipos_transporte": _spec(TransportType, "tipos_transporte.csv", r"\d", _("1 dígito")),
    "parentescos_acompanante": _spec(
        CompanionRelationship, "parentescos_acompanante.csv", r"\d", _("1 dígito")
    ),
    # Not a file of the shared layout: the team's table (prescriptions/data).
    "causas_no_entrega": _spec(
        NonDeliveryCause,
        "causas_no_entrega.csv",
        r"\d{1,2}",
        _("1 o 2 dígitos"),
        applies_m=("applies_to_medicine", flag),
        applies_p=("applies_to_procedure", flag),
        applies_d=("applies_to_device", flag),
        applies_n=("applies_to_nutritional", flag),
        applies_s=("applies_to_service", flag),
        no_direccionamiento=("for_no_direccionamiento", flag),
        entrega_parcial=("for_partial_delivery", flag),
        prescripcion_asociada=("needs_associated_prescription", flag),
    ),
}


def get_spec(name: str) -> CatalogSpec:
    try:
        return CATALOGS[name]
    except KeyError:
        raise CatalogError(
            E_UNKNOWN_CATALOG % {"name": name, "names": ", ".join(CATALOGS)}, code="unknown_catalog"
        ) from None


def _enabled(value: str) -> bool:
    # Empty: the source table gives no flag (the small enumerations); the code is in use.
    if value not in ("", "0", "1"):
        raise RowError(E_ENABLED % {"value": value})
    return value != "0"


def _date(value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        if ISO_DATE.fullmatch(value):
            return datetime.date.fromisoformat(value)  # 10x faster than strptime
        if DMY_DATE.fullmatch(value):
            return datetime.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        pass
    raise RowError(E_DATE % {"value": value})


class _RowParser:
    """Turns a CSV row into the model's field values, or raises RowError."""

    def __init__(self, spec: CatalogSpec, source: str, lookups: dict) -> None:
        self.spec = spec
        self.source = source
        self.lookups = lookups
        self.code = re.compile(spec.code_pattern)
        name_field = spec.model._meta.get_field("name")
        self.name_max = getattr(name_field, "max_length", None)
        self.extra = [
            (column, field_name, make_parser(column))
            for column, (field_name, make_parser) in spec.extra_columns.items()
        ]

    def __call__(self, row: dict[str, str]) -> tuple[str, dict]:
        code = row.get("code", "").upper()
        if not self.code.fullmatch(code):
            raise RowError(E_CODE % {"value": code, "hint": self.spec.code_hint})
        name = " ".join(row.get("name", "").split())
        if not name:
            raise RowError(E_REQUIRED % {"column": "name"})
        if self.name_max and len(name) > self.name_max:
            raise RowError(E_TOO_LONG % {"column": "name", "max": self.name_max})
        version = row.get("version", "")
        if len(version) > 10:
            raise RowError(E_TOO_LONG % {"column": "version", "max": 10})
        values = {
            "code": code,
            "name": name,
            "search_name": fold(name),
            "enabled": _enabled(row.get("enabled", "")),
            "version": version,
            "valid_from": _date(row.get("valid_from", "")),
            "source": self.source,
        }
        for column, field_name, parse in self.extra:
            values[field_name] = parse(row.get(column, ""), self.lookups)
        return code, values


def _check_columns(spec: CatalogSpec, rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    present = rows[0].keys()
    required = spec.required_columns() + [
        column for column, (_f, parser) in spec.extra_columns.items() if parser is flag
    ]
    required += [c for c, (f, _p) in spec.extra_columns.items() if f.endswith("_id")]
    missing = [column for column in required if column not in present]
    if missing:
        raise CatalogError(
            E_MISSING_COLUMNS % {"columns": ", ".join(missing)}, code="missing_columns"
        )


def import_catalog(
    name: str,
    rows: Iterable[dict[str, str]],
    *,
    actor,
    source: str = CatalogSource.OFFICIAL,
    disable_missing: bool = False,
    origin: str = "",
) -> ImportReport:
    """Create or update the entries of catalog `name` from `rows` (dicts keyed by the
    lower-case column names of the shared layout, as `read_rows` gives them).

    Each row is validated (code shape of the catalog, a name, `enabled` 1/0/empty, a
    date in `valid_from`, the extra columns) and a rejected row is reported with its line
    and a Spanish reason while the others load. A code the file repeats is rejected. Rows
    are never deleted; with `disable_missing`, the enabled rows of `source` absent from
    the file are disabled. A row of a higher-ranking source (official over starter over
    demo) is left as it is and counted unchanged.

    Everything, with one `prescriptions.catalog.imported` audit entry (`origin` names the
    file), runs in one transaction. Raises CatalogError for an unknown catalog or source
    or a file without the required columns.
    """
    spec = get_spec(name)
    if source not in SOURCE_RANK:
        raise CatalogError(E_SOURCE % {"source": source}, code="unknown_source")
    rows = list(rows)
    _check_columns(spec, rows)
    model = spec.model
    with transaction.atomic():
        lookups = {
            ref: {code: pk for pk, code in ref.objects.values_list("pk", "code")}
            for ref in spec.references
        }
        report = ImportReport()
        parse = _RowParser(spec, source, lookups)
        parsed: dict[str, tuple[int, dict]] = {}
        for line, row in enumerate(rows, start=2):  # line 1 is the header
            try:
                code, values = parse(row)
            except RowError as error:
                report.rejected.append((line, str(error)))
                continue
            if code in parsed:
                duplicate = {"code": code, "line": parsed[code][0]}
                report.rejected.append((line, str(E_DUPLICATE % duplicate)))
                continue
            parsed[code] = (line, values)

        fields = ["code", "name", "search_name", "enabled", "version", "valid_from", "source"]
        fields += [field_name for field_name, _parser in spec.extra_columns.values()]
        stored = {row["code"]: row for row in model.objects.values(*fields)}
        rank = SOURCE_RANK[source]
        to_write, created = [], 0
        for code, (_line, values) in parsed.items():
            current = stored.get(code)
            if current is None:
                created += 1
            elif current == values or SOURCE_RANK[current["source"]] > rank:
                report.unchanged += 1
                continue
            to_write.append(model(**values))
        # One INSERT … ON CONFLICT DO UPDATE per batch, for new and changed rows alike:
        # bulk_update's CASE expressions cost far more per row.
        model.objects.bulk_create(
            to_write,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[f for f in fields if f != "code"] + ["updated_at"],
        )
        report.created, report.updated = created, len(to_write) - created
        if disable_missing:
            report.disabled = _disable_missing(model, stored, parsed, source)
        audit.log(
            actor=actor,
            action="prescriptions.catalog.imported",
            data={
                "catalog": name,
                "source": str(source),
                "origin": origin,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "disabled": report.disabled,
                "rejected": len(report.rejected),
            },
        )
    return report


def _disable_missing(model, stored: dict, parsed: dict, source: str) -> int:
    """Disable (never delete) the enabled rows of `source` the file no longer lists."""
    missing = [
        code
        for code, row in stored.items()
        if row["source"] == source and row["enabled"] and code not in parsed
    ]
    now = timezone.now()
    for start in range(0, len(missing), BATCH_SIZE):
        chunk = missing[start : start + BATCH_SIZE]
        model.objects.filter(code__in=chunk).update(enabled=False, updated_at=now)
    return len(missing)


def import_catalog_file(
    name: str, path: Path | str, *, actor, source: str = CatalogSource.OFFICIAL, **options
) -> ImportReport:
    """`import_catalog` on a CSV file (UTF-8 or Latin-1, comma or semicolon)."""
    rows = read_rows(path)
    return import_catalog(name, rows, actor=actor, source=source, origin=str(path), **options)


def catalog_files(directory: Path | str) -> list[tuple[str, Path]]:
    """(name, path) of every known catalog file present in `directory`, in load order."""
    folder = Path(directory)
    found = [(name, folder / spec.file_name) for name, spec in CATALOGS.items()]
    return [(name, path) for name, path in found if path.is_file()]


def load_starter_catalogs(*, actor=None) -> dict[str, ImportReport]:
    """Load the shipped starter set (prescriptions/data, source «starter»).

    Idempotent: a second run finds every row unchanged. Rows already loaded from an
    official file stay as they are. Called by `seed_demo` and by tests that need codes.
    """
    return {
        name: import_catalog_file(name, path, actor=actor, source=CatalogSource.STARTER)
        for name, path in catalog_files(STARTER_DIR)
    }
