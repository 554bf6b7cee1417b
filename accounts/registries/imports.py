"""Imports from the CSV formats documented in docs/registries.md: validate every row,
create or update (never delete), report rejected rows with a Spanish reason, write one
audit entry, all in one transaction. Large files are compared and written in batches."""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from stdnum.co import nit as stdnum_nit

from entities import audit
from entities.models import Municipality
from mipres.lib.csvfiles import ImportReport, read_rows

from ..models import (
    DEMO_SOURCE,
    DocumentType,
    Profession,
    ProfessionalRecord,
    ProviderRegistryRecord,
)

# Required columns; the others (segundo_nombre, activo…) are optional.
RETHUS_COLUMNS = (
    "tipo_documento",
    "numero_documento",
    "primer_nombre",
    "primer_apellido",
    "profesion",
    "registro_profesional",
)
REPS_COLUMNS = ("codigo_habilitacion", "nit", "nombre", "municipio")
BATCH_SIZE = 2000
DEMO_FILES = Path(__file__).resolve().parent.parent / "data"

DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9]{3,17}$")
HABILITATION_CODE = re.compile(r"^\d{10,12}$")
NIT_WITH_OPTIONAL_DV = re.compile(r"^(\d{5,15})(?:-(\d))?$")
TRUE_WORDS = {"1", "si", "s", "true", "verdadero", "activo", "activa"}
FALSE_WORDS = {"0", "no", "n", "false", "falso", "inactivo", "inactiva"}
# Names RETHUS and people use for a profession, besides its label and value.
PROFESSION_ALIASES = {
    "medico": Profession.MEDICINA,
    "odontologo": Profession.ODONTOLOGIA,
    "optometra": Profession.OPTOMETRIA,
    "nutricionista": Profession.NUTRICION_DIETETICA,
    "nutricionista dietista": Profession.NUTRICION_DIETETICA,
    "enfermero": Profession.ENFERMERIA,
    "auxiliar en enfermeria": Profession.AUXILIAR_ENFERMERIA,
    "tecnologia en regencia de farmacia": Profession.REGENCIA_FARMACIA,
    "regente de farmacia": Profession.REGENCIA_FARMACIA,
    "quimico farmaceutico": Profession.QUIMICA_FARMACEUTICA,
}

E_DOCUMENT_TYPE = _("tipo de documento «%(value)s» desconocido (use CC, CE, PA, TI…)")
E_DOCUMENT_NUMBER = _(
    "número de documento «%(value)s» no válido: de 3 a 17 letras o dígitos, sin puntos ni espacios"
)
E_REQUIRED = _("falta «%(column)s»")
E_TOO_LONG = _("«%(column)s» tiene más de %(max)s caracteres")
E_PROFESSION = _("profesión «%(value)s» desconocida")
E_BOOLEAN = _("«%(column)s» debe ser 1/0, sí/no, S/N o true/false, no «%(value)s»")
E_DUPLICATE = _("repite el registro de la línea %(line)s")
E_DEMO_OVER_OFFICIAL = _(
    "ya existe un registro de la fuente «%(source)s»; los datos de demostración no lo reemplazan"
)
E_HABILITATION_CODE = _("código de habilitación «%(value)s» no tiene de 10 a 12 dígitos")
E_NIT = _(
    "NIT «%(value)s» no válido: escriba de 5 a 15 dígitos, con o sin «-dígito de verificación»"
)
E_NIT_DV = _("el dígito de verificación de «%(value)s» no corresponde al NIT (sería %(dv)s)")
E_MUNICIPALITY = _("municipio «%(value)s» no existe en DIVIPOLA")
E_DOCUMENT_NOT_INDEPENDENT = _("solo un profesional independiente lleva tipo y número de documento")
E_SOURCE = _("La fuente debe tener de 1 a 30 caracteres.")


class RowError(Exception):
    """A row's rejection reason."""


def _fold(text: str) -> str:
    """Lower case, no accents, single spaces (so 'NUTRICIÓN  Y_Dietética' matches)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.split(r"[\s_]+", ascii_text.lower())).strip()


@cache
def _profession_names() -> dict[str, str]:
    names = {_fold(k): v.value for k, v in PROFESSION_ALIASES.items()}
    for profession in Profession:
        names[_fold(profession.value)] = profession.value
        names[_fold(str(profession.label))] = profession.value
    return names


def parse_profession(text: str) -> str:
    """A Profession value from its value or Spanish name, ignoring case and accents."""
    value = _profession_names().get(_fold(text))
    if value is None:
        raise RowError(E_PROFESSION % {"value": text})
    return value


def parse_bool(text: str, *, column: str, default: bool) -> bool:
    folded = _fold(text)
    if not folded:
        return default
    if folded in TRUE_WORDS or folded in FALSE_WORDS:
        return folded in TRUE_WORDS
    raise RowError(E_BOOLEAN % {"column": column, "value": text})


def parse_nit(text: str) -> str:
    """The NIT's digits without check digit; a given check digit must be right."""
    raw = re.sub(r"[\s.]", "", text)
    match = NIT_WITH_OPTIONAL_DV.match(raw)
    if not match:
        raise RowError(E_NIT % {"value": text})
    base, dv = match.groups()
    if dv is not None and stdnum_nit.calc_check_digit(base) != dv:
        raise RowError(E_NIT_DV % {"value": text, "dv": stdnum_nit.calc_check_digit(base)})
    return base


def _text(row: dict, column: str, max_length: int, *, required: bool = True) -> str:
    value = row.get(column, "")
    if required and not value:
        raise RowError(E_REQUIRED % {"column": column})
    if len(value) > max_length:
        raise RowError(E_TOO_LONG % {"column": column, "max": max_length})
    return value


def _document(row: dict) -> tuple[str, str]:
    document_type = row.get("tipo_documento", "").upper()
    for column in ("tipo_documento", "numero_documento"):
        if not row.get(column):
            raise RowError(E_REQUIRED % {"column": column})
    if document_type not in DocumentType.values:
        raise RowError(E_DOCUMENT_TYPE % {"value": document_type})
    number = row.get("numero_documento", "").upper()
    if not DOCUMENT_NUMBER.match(number):
        raise RowError(E_DOCUMENT_NUMBER % {"value": number})
    return document_type, number


@cache
def _column(header: str) -> str:
    return _fold(header).replace(" ", "_")


def normalized_rows(rows: Iterable[dict[str, str]]) -> Iterator[dict[str, str]]:
    """Rows keyed by folded header names ('Número_Documento' → 'numero_documento')."""
    for row in rows:
        yield {_column(k): (v or "").strip() for k, v in row.items() if k}


def missing_columns(rows: Sequence[dict[str, str]], required: Sequence[str]) -> list[str]:
    """The required columns absent from the file's header (judged on its first row)."""
    if not rows:
        return []
    present = next(normalized_rows(rows[:1])).keys()
    return [c for c in required if c not in present]


def _professional_row(row: dict) -> tuple[tuple, dict]:
    document_type, number = _document(row)
    values = {
        "document_type": document_type,
        "document_number": number,
        "first_name": _text(row, "primer_nombre", 60),
        "middle_name": _text(row, "segundo_nombre", 60, required=False),
        "first_surname": _text(row, "primer_apellido", 60),
        "second_surname": _text(row, "segundo_apellido", 60, required=False),
        "profession": parse_profession(row.get("profesion", "")),
        "registration_number": _text(row, "registro_profesional", 30),
        "active": parse_bool(row.get("activo", ""), column="activo", default=True),
    }
    return (document_type, number, values["profession"]), values


def _provider_row(row: dict, municipalities: set[str]) -> tuple[tuple, dict]:
    code = row.get("codigo_habilitacion", "")
    if not HABILITATION_CODE.match(code):
        raise RowError(E_HABILITATION_CODE % {"value": code})
    nit = parse_nit(row.get("nit", ""))
    name = _text(row, "nombre", 200)
    municipality = row.get("municipio", "")
    if municipality not in municipalities:
        raise RowError(E_MUNICIPALITY % {"value": municipality})
    independent = parse_bool(
        row.get("profesional_independiente", ""), column="profesional_independiente", default=False
    )
    if independent:
        document_type, number = _document(row)
    elif row.get("tipo_documento") or row.get("numero_documento"):
        raise RowError(E_DOCUMENT_NOT_INDEPENDENT)
    else:
        document_type = number = ""
    values = {
        "habilitation_code": code,
        "nit": nit,
        "name": name,
        "municipality_id": municipality,
        "independent_professional": independent,
        "document_type": document_type,
        "document_number": number,
        "active": parse_bool(row.get("activo", ""), column="activo", default=True),
    }
    return (code,), values


def _stored(model, key_fields, fields, lookup, keys) -> dict[tuple, dict]:
    """Current values of the stored rows whose key is among `keys`, fetched in batches
    by the indexed `lookup` column (never one query per row)."""
    position = key_fields.index(lookup)
    wanted = sorted({key[position] for key in keys})
    found = {}
    for start in range(0, len(wanted), BATCH_SIZE):
        chunk = wanted[start : start + BATCH_SIZE]
        for current in model.objects.filter(**{f"{lookup}__in": chunk}).values(*fields):
            found[tuple(current[f] for f in key_fields)] = current
    return found


def _import(rows, parse_row, model, key_fields, lookup, *, source) -> ImportReport:
    """Parse, compare with the stored rows, then create and update in batches."""
    if not 1 <= len(source) <= 30:
        raise ValueError(str(E_SOURCE))
    report = ImportReport()
    parsed: dict[tuple, tuple[int, dict]] = {}
    for line, row in enumerate(normalized_rows(rows), start=2):  # line 1 is the header
        try:
            key, values = parse_row(row)
        except RowError as error:
            report.rejected.append((line, str(error)))
            continue
        if key in parsed:
            report.rejected.append((line, str(E_DUPLICATE % {"line": parsed[key][0]})))
            continue
        parsed[key] = (line, {**values, "source": source})

    fields = [*next(iter(parsed.values()))[1]] if parsed else []
    stored = _stored(model, key_fields, fields, lookup, parsed.keys())
    to_create, to_update = [], []
    for key, (line, values) in parsed.items():
        current = stored.get(key)
        if current is None:
            to_create.append(model(**values))
        elif current == values:
            report.unchanged += 1
        elif source == DEMO_SOURCE and current["source"] != DEMO_SOURCE:
            # Demo data must never pass for, or overwrite, a registry's own data.
            report.rejected.append((line, str(E_DEMO_OVER_OFFICIAL % current)))
        else:
            to_update.append(model(**values))
    # One upsert (INSERT … ON CONFLICT DO UPDATE) for new and changed rows: bulk_update's
    # CASE expressions cost milliseconds per row in Python.
    # A row another import inserted meanwhile is updated rather than failing.
    update_fields = [model._meta.get_field(f).name for f in fields if f not in key_fields]
    model.objects.bulk_create(
        to_create + to_update,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=key_fields,
        update_fields=[*update_fields, "updated_at"],
    )
    report.created, report.updated = len(to_create), len(to_update)
    report.rejected.sort()
    return report


def _audit(*, actor, action: str, report: ImportReport, source: str) -> None:
    audit.log(
        actor=actor,
        action=action,
        data={
            "source": source,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
        },
    )


def import_professional_records(
    rows: Iterable[dict[str, str]], *, actor, source: str
) -> ImportReport:
    """Create or update RETHUS mirror records from rows of the documented CSV format
    (docs/registries.md). Records absent from the rows are kept: a registry withdraws a
    profession by marking it inactive.

    Rejects, with a Spanish reason per line: unknown document type, malformed number,
    missing names, unknown profession, missing registration number, bad `activo`, a key
    repeated in the file, and demo rows that would overwrite another source's record.
    Writes everything and one `accounts.rethus.imported` audit entry in one transaction.
    Raises ValueError for an empty or over-long `source`.
    """
    with transaction.atomic():
        report = _import(
            rows,
            _professional_row,
            ProfessionalRecord,
            ("document_type", "document_number", "profession"),
            "document_number",
            source=source,
        )
        _audit(actor=actor, action="accounts.rethus.imported", report=report, source=source)
    return report


def import_provider_records(rows: Iterable[dict[str, str]], *, actor, source: str) -> ImportReport:
    """Create or update REPS mirror records from rows of the documented CSV format
    (docs/registries.md), keyed by habilitation code; absent records are kept.

    Rejects, with a Spanish reason per line: a habilitation code without 10–12 digits, a
    malformed NIT or a wrong check digit (a trailing «-d» is checked and dropped), a
    missing name, a municipality not in DIVIPOLA, an independent professional without a
    valid document (or a document on a non-independent entry), bad booleans, a code
    repeated in the file, and demo rows over another source's record. Writes everything
    and one `accounts.reps.imported` audit entry in one transaction.
    Raises ValueError for an empty or over-long `source`.
    """
    with transaction.atomic():
        municipalities = set(Municipality.objects.values_list("code", flat=True))
        report = _import(
            rows,
            lambda row: _provider_row(row, municipalities),
            ProviderRegistryRecord,
            ("habilitation_code",),
            "habilitation_code",
            source=source,
        )
        _audit(actor=actor, action="accounts.reps.imported", report=report, source=source)
    return report


def seed_demo_registries() -> None:
    """Load the invented demo registries (accounts/data/demo_*.csv) with source 'demo'.
    Idempotent: a second run finds every row unchanged. Needs the shipped DIVIPOLA
    capitals (Medellín, Bogotá, Cali)."""
    import_professional_records(
        read_rows(DEMO_FILES / "demo_rethus.csv"), actor=None, source=DEMO_SOURCE
    )
    import_provider_records(read_rows(DEMO_FILES / "demo_reps.csv"), actor=None, source=DEMO_SOURCE)
