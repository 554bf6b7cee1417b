"""The statement plumbing of the payer's reads (`supply.selectors.payer`): the models'
tables in hand-written SQL, with the payer and the page size written in (psycopg prepares a
statement once it runs often, `prepare_threshold`), chunked reads for the exports and keyset
pages."""

import re
from functools import cache, lru_cache

from django.db import connection
from django.db.models import (
    Exists,
    Prefetch,
)

from entities.models import Entity, NetworkLink, PayerCode
from prescriptions.enums import PrescriptionStatus, TechnologyType
from prescriptions.models import (
    LineActiveIngredient,
    NonDeliveryCause,
    Patient,
    Prescription,
    TechnologyLine,
)
from prescriptions.selectors.prescriptions import LINE_CATALOG_FIELDS

from ..models import (
    IN_FORCE,
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    ProcedureSupply,
    ReporteEntrega,
    StepStatus,
    Suministro,
)

# What `technology_label` reads of a line without a description.
LABEL_RELATIONS = (
    *LINE_CATALOG_FIELDS,
    Prefetch("ingredients", queryset=LineActiveIngredient.objects.select_related("ingredient")),
)


# ---------------------------------------------------------------------------------------
# SQL from the models' tables


class _Table:
    """A model's table in hand-written SQL: `{T}` is its quoted name, `{T.field}` the quoted
    column of one of its fields."""

    def __init__(self, model):
        self._model = model

    def __format__(self, spec: str) -> str:
        return connection.ops.quote_name(self._model._meta.db_table)

    def __getattr__(self, name: str) -> str:
        return connection.ops.quote_name(self._model._meta.get_field(name).column)


TABLES = {
    "P": _Table(Prescription),
    "L": _Table(TechnologyLine),
    "PT": _Table(Patient),
    "D": _Table(Deliverable),
    "DIR": _Table(Direccionamiento),
    "NOD": _Table(NoDireccionamiento),
    "PS": _Table(ProcedureSupply),
    "ENT": _Table(Entrega),
    "REP": _Table(ReporteEntrega),
    "FAC": _Table(Facturacion),
    "SUM": _Table(Suministro),
    "DAT": _Table(DatosFacturados),
    "E": _Table(Entity),
    "C": _Table(NonDeliveryCause),
    "PC": _Table(PayerCode),
    "NL": _Table(NetworkLink),
}
# Constants written into the SQL (the partial indexes of in-force records match on them).
CONSTANTS = {
    "in_force": f"({', '.join(str(int(s)) for s in IN_FORCE)})",
    "device": f"'{TechnologyType.DISPOSITIVO.value}'",
    "procedure": f"'{TechnologyType.PROCEDIMIENTO.value}'",
    "active": int(StepStatus.ACTIVO),
    "prescription_active": int(PrescriptionStatus.ACTIVA),
}
# The PostgreSQL type of each parameter the statements take.
PARAM_TYPES = {
    "entity": "bigint",
    "ids": "bigint[]",
    "date_from": "timestamptz",
    "date_to": "timestamptz",
    "care_setting": "integer",
    "technology_type": "varchar",
    "payer_code": "bigint",
    "number": "varchar",
    "document": "varchar",
    "document_type": "varchar",
    "document_number": "varchar",
    "status": "integer",
    "provider": "bigint",
    "due_from": "date",
    "due_to": "date",
    "after_at": "timestamptz",
    "after": "bigint",
}
# Written into a page's statement rather than passed: the payer (a plan per payer, whose
# sizes differ by orders of magnitude) and the page size.
INLINE = ("entity", "limit")


@cache
def _sql(text: str, **parts: str) -> str:
    """`text` with its `{parts}` (if any), then the tables and constants filled in: in a
    text with parts, tables are written `{{T.field}}`. Computed once per text."""
    if parts:
        text = text.format(**parts)
    return text.format(**TABLES, **CONSTANTS)


@lru_cache(maxsize=1024)
def _inlined(sql: str, inline: tuple) -> str:
    """`sql` with the `%(…)s` parameters of `inline`, (key, value) pairs, written in, and
    the others cast to their PARAM_TYPES."""
    written = dict(inline)

    def place(match) -> str:
        key = match.group(1)
        if key not in written:
            return f"{match.group(0)}::{PARAM_TYPES[key]}" if key in PARAM_TYPES else match.group(0)
        return "ALL" if written[key] is None else str(int(written[key]))

    return re.sub(r"%\((\w+)\)s", place, sql)


def _query(sql: str, params: dict) -> list[dict]:
    """The rows of `sql` (with `%(…)s` `params`) as dicts, the INLINE parameters written
    into it."""
    inline = tuple((key, params[key]) for key in INLINE if key in params)
    rest = {key: value for key, value in params.items() if key not in INLINE}
    with connection.cursor() as cursor:
        cursor.execute(_inlined(sql, inline), rest)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _chunks(sql: str, params: dict, size: int = 500):
    """The rows of `sql` as dicts, `size` at a time through a server-side cursor (the
    exports: planned once for the whole list, nothing to prepare)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        names = None
        while rows := cursor.fetchmany(size):
            names = names or [column.name for column in cursor.description]
            yield [dict(zip(names, row, strict=True)) for row in rows]


def _conditions(available: dict[str, str], names) -> str:
    return "".join(f"\n  AND {available[name]}" for name in names)


def _shape(available, params: dict) -> tuple[str, ...]:
    """The conditions a page's statement holds: those of `available` in `params`."""
    return tuple(name for name in available if name in params)


def _in_force(model, **lookups) -> Exists:
    return Exists(model.objects.filter(status__in=IN_FORCE, **lookups))


def name_of(*parts) -> str:
    return " ".join(p for p in parts if p)


# What a row reads of its patient.
_PATIENT_FIELDS = (
    "first_name",
    "middle_name",
    "first_surname",
    "second_surname",
    "document_type",
    "document_number",
)


def _patient_name(values: dict) -> str:
    return name_of(
        values["first_name"],
        values["middle_name"],
        values["first_surname"],
        values["second_surname"],
    )
