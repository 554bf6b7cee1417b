"""The payer's reads (EPS/EOC/ET Administrativo, STYLE R5): every query starts from the
entity that pays (`prescription.payer`, `deliverable.payer`) or that recorded the step
(`record.entity`), so another payer's line or record answers 404.

Worklists are keyset-paginated («Siguientes», `after`) on the order they show, never
counted: a page costs the same few queries whatever its number of rows and wherever it
starts, and its rows are plain values in slotted dataclasses, which the views write out as
HTML in Python.

On PostgreSQL their queries are SQL written once per combination of filters from the
models' tables (as `selectors.timeline` does) and prepared once per connection, with the
payer and the page size written in: the first page, without filters, has no parameters, so
PostgreSQL plans it once per connection and per payer. Composed through the ORM, the
subqueries of «Por direccionar» alone cost ~5 ms of CPU a request to build and compile, and
planning them took PostgreSQL ~1.5 ms more than running them. The SQL is also shaped for
the planner: the conditions on a line are subqueries rather than joins, and a page's rows
are read first and only then joined to their deliverable, line, prescription and patient.
Other databases (the local SQLite demo) read the same rows through the ORM (`*_orm`).
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from django.db import connection
from django.db.models import (
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from entities.models import Entity, NetworkLink, PayerCode
from mipres.lib import prepared
from prescriptions.enums import JuntaStatus, PrescriptionStatus, TechnologyType
from prescriptions.models import (
    LineActiveIngredient,
    NonDeliveryCause,
    Patient,
    Prescription,
    TechnologyLine,
)
from prescriptions.selectors.prescriptions import LINE_CATALOG_FIELDS, technology_label

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
from ..models.chain import delivery_label
from .deadlines import deadline_light

QUANTITY_FIELD = DecimalField(max_digits=12, decimal_places=3)
ZERO = Value(Decimal(0), output_field=QUANTITY_FIELD)

# What `technology_label` reads of a line without a description.
LABEL_RELATIONS = (
    *LINE_CATALOG_FIELDS,
    Prefetch("ingredients", queryset=LineActiveIngredient.objects.select_related("ingredient")),
)


# ---------------------------------------------------------------------------------------
# SQL from the models' tables, prepared once per connection


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


def _use_sql() -> bool:
    return connection.vendor == "postgresql"


@lru_cache(maxsize=1024)
def _inlined(sql: str, inline: tuple) -> str:
    """`sql` with the `%(…)s` parameters of `inline`, (key, value) pairs, written in."""
    written = dict(inline)

    def place(match) -> str:
        key = match.group(1)
        if key not in written:
            return match.group(0)
        return "ALL" if written[key] is None else str(int(written[key]))

    return re.sub(r"%\((\w+)\)s", place, sql)


PARAM_TYPE_ITEMS = tuple(sorted(PARAM_TYPES.items()))


def _query(name: str, sql: str, params: dict) -> list[dict]:
    """The rows of `sql` (with `%(…)s` `params`) as dicts, through a statement prepared once
    per connection (mipres.lib.prepared), the INLINE parameters written into it."""
    inline = tuple((key, params[key]) for key in INLINE if key in params)
    rest = {key: value for key, value in params.items() if key not in INLINE}
    return prepared.fetch_dicts(name, _inlined(sql, inline), rest, types=PARAM_TYPE_ITEMS)


def _chunks(sql: str, params: dict, size: int = 500):
    """The rows of `sql` as dicts, `size` at a time through a server-side cursor (the
    exports: planned once for the whole list, nothing to prepare)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        names = None
        while rows := cursor.fetchmany(size):
            names = names or [column.name for column in cursor.description]
            yield [dict(zip(names, row, strict=True)) for row in rows]


def _orm_chunks(queryset: QuerySet, size: int = 500):
    """The rows of a `values()` queryset, `size` at a time (the exports on other
    databases)."""
    chunk = []
    for values in queryset.iterator(chunk_size=size):
        chunk.append(values)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _limited(queryset: QuerySet, limit: int | None) -> QuerySet:
    return queryset if limit is None else queryset[:limit]


def _conditions(available: dict[str, str], names) -> str:
    return "".join(f"\n  AND {available[name]}" for name in names)


def _shape(available, params: dict) -> tuple[str, ...]:
    """The conditions a page's statement holds: those of `available` in `params`."""
    return tuple(name for name in available if name in params)


def _mask(available, shape: tuple[str, ...]) -> int:
    """A number naming a combination of conditions (in a statement's name)."""
    return sum(1 << index for index, name in enumerate(available) if name in shape)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _day_end(day: datetime.date) -> datetime.datetime:
    """The start of the next local day: timestamps are compared with day bounds rather
    than cast, so their indexes serve the range."""
    return _day_start(day + datetime.timedelta(days=1))


def _in_force(model, **lookups) -> Exists:
    return Exists(model.objects.filter(status__in=IN_FORCE, **lookups))


def name_of(*parts) -> str:
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Page:
    """One page of a worklist: `rows`, and the pk the next page starts after (None at the
    end). `first` says whether this is the first page (for a «Primera página» link)."""

    rows: list
    next_after: int | None
    first: bool

    @property
    def has_other_pages(self) -> bool:
        return self.next_after is not None or not self.first


def _page(rows: list, size: int, after: int | None) -> Page:
    """A page from the `size` + 1 rows read: the extra one says there is a next page."""
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_after=rows[-1].pk if more else None, first=after is None)


# The small reads of the filters.
_PAYER_CODES = """
SELECT c.{PC.id} AS pk, c.{PC.code} AS code FROM {PC} c WHERE c.{PC.entity} = %(entity)s
ORDER BY c.{PC.code}
"""
_NETWORK_PROVIDERS = """
SELECT e.{E.id} AS pk, e.{E.name} AS name, e.{E.nit} AS nit, e.{E.dv} AS dv FROM {E} e
WHERE e.{E.id} IN (SELECT n.{NL.provider} FROM {NL} n WHERE n.{NL.payer} = %(entity)s)
ORDER BY e.{E.name}
"""
# What a row reads of its patient.
_PATIENT_FIELDS = (
    "first_name",
    "middle_name",
    "first_surname",
    "second_surname",
    "document_type",
    "document_number",
)


def payer_codes(*, entity: Entity) -> list[tuple[int, str]]:
    """(pk, code) of the entity's códigos EPS, by code."""
    if not _use_sql():
        return list(
            PayerCode.objects.filter(entity=entity).order_by("code").values_list("pk", "code")
        )
    rows = _query("supply_payer_codes", _sql(_PAYER_CODES), {"entity": entity.pk})
    return [(row["pk"], row["code"]) for row in rows]


def network_provider_choices(*, entity: Entity) -> list[tuple[int, str, str]]:
    """(pk, name, name and NIT as `Entity.__str__` writes them) of every provider that is
    or was in the payer's network (the «Direccionados» filter), by name."""
    if not _use_sql():
        links = NetworkLink.objects.filter(payer=entity).values("provider_id")
        providers = Entity.objects.filter(pk__in=links).order_by("name")
        return [(e.pk, e.name, str(e)) for e in providers.only("name", "nit", "dv")]
    rows = _query("supply_payer_network", _sql(_NETWORK_PROVIDERS), {"entity": entity.pk})
    return [(r["pk"], r["name"], f"{r['name']} (NIT {r['nit']}-{r['dv']})") for r in rows]


def entity_names(pks, known: dict[int, str]) -> dict[int, str]:
    """`known` names of entities, completed with one query for those `pks` it lacks."""
    missing = set(pks) - known.keys()
    if not missing:
        return known
    return {**known, **dict(Entity.objects.filter(pk__in=missing).values_list("pk", "name"))}


def _patient_name(values: dict) -> str:
    return name_of(
        values["first_name"],
        values["middle_name"],
        values["first_surname"],
        values["second_surname"],
    )


# ---------------------------------------------------------------------------------------
# «Por direccionar»


@dataclass(frozen=True)
class LineFilters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    care_setting: int | None = None
    technology_type: str = ""
    payer_code: int | None = None  # a PayerCode pk of the entity
    number: str = ""
    document: str = ""


def junta_block(junta_status: int) -> str:
    """Why a line cannot be directed because of the Junta ("" when it can)."""
    if junta_status == JuntaStatus.PENDIENTE:
        return _("Pendiente de junta")
    if junta_status == JuntaStatus.NO_APROBADA:
        return _("No aprobada por la junta")
    return ""


@dataclass(slots=True)
class LineRow:
    """A line awaiting direccionamiento, as the worklist and its exports show it."""

    pk: int
    key: str
    label: str
    technology_type: str
    supply_type: int
    total_quantity: Decimal
    junta_status: int
    assigned: Decimal
    number: str
    prescribed_at: datetime.datetime
    care_setting: int
    payer_code_id: int | None
    patient_name: str
    document_type: str
    document_number: str
    has_procedure: bool

    @property
    def remaining(self) -> Decimal:
        return self.total_quantity - self.assigned

    @property
    def blocked_reason(self) -> str:
        return junta_block(self.junta_status)

    @property
    def can_direct(self) -> bool:
        return self.junta_status not in (JuntaStatus.PENDIENTE, JuntaStatus.NO_APROBADA)

    @property
    def can_include(self) -> bool:
        """A device line with nothing assigned yet, of a prescription with a procedure
        (it may go with the procedure instead)."""
        return (
            self.technology_type == TechnologyType.DISPOSITIVO
            and self.assigned == 0
            and self.has_procedure
        )


# Lines of the active prescriptions the entity pays whose prescribed total is not all
# assigned: in-force direccionamientos plus in-force entregas en ámbito of their
# deliverables (at most one of each per deliverable), as `services.common.assigned_quantity`
# computes it; with no no direccionamiento and no procedure carrying them in force. Lines
# pending or rejected by the Junta stay (the worklist says why they cannot be directed).
# Oldest prescription first. The assigned quantity is a lateral subquery kept apart
# (OFFSET 0) and the two exclusions one OR: each probes its in-force index per line,
# instead of joins whose orders the planner would weigh. The page's rows are then joined to
# their patient, and a device line with nothing assigned says whether its prescription
# holds a procedure (`has_procedure`).
_LINES = """
SELECT page.*, pt.{{PT.first_name}} AS first_name, pt.{{PT.middle_name}} AS middle_name,
  pt.{{PT.first_surname}} AS first_surname, pt.{{PT.second_surname}} AS second_surname,
  pt.{{PT.document_type}} AS document_type, pt.{{PT.document_number}} AS document_number,
  page.technology_type = {{device}} AND page.assigned = 0 AND EXISTS (
    SELECT FROM {{L}} x WHERE x.{{L.prescription}} = page.prescription_id
      AND x.{{L.technology_type}} = {{procedure}}
  ) AS has_procedure
FROM (
  SELECT l.{{L.id}} AS pk, l.{{L.technology_type}} AS technology_type, l.{{L.order}} AS "order",
    l.{{L.description}} AS description, l.{{L.supply_type}} AS supply_type,
    l.{{L.total_quantity}} AS total_quantity, l.{{L.junta_status}} AS junta_status,
    a.assigned, l.{{L.prescription}} AS prescription_id, p.{{P.number}} AS number,
    p.{{P.prescribed_at}} AS prescribed_at, p.{{P.care_setting}} AS care_setting,
    p.{{P.payer_code}} AS payer_code_id, p.{{P.patient}} AS patient_id
  FROM {{P}} p
  JOIN {{L}} l ON l.{{L.prescription}} = p.{{P.id}}
  CROSS JOIN LATERAL (
    SELECT COALESCE(SUM(COALESCE(di.{{DIR.quantity}}, 0) + COALESCE(en.{{ENT.quantity}}, 0)), 0)
      AS assigned
    FROM {{D}} d
    LEFT JOIN {{DIR}} di ON di.{{DIR.deliverable}} = d.{{D.id}}
      AND di.{{DIR.status}} IN {{in_force}}
    LEFT JOIN {{ENT}} en ON en.{{ENT.deliverable}} = d.{{D.id}}
      AND en.{{ENT.status}} IN {{in_force}} AND en.{{ENT.in_ambito}}
    WHERE d.{{D.line}} = l.{{L.id}}
    OFFSET 0
  ) a
  WHERE p.{{P.payer}} = %(entity)s AND p.{{P.status}} = {{prescription_active}}
    AND a.assigned < l.{{L.total_quantity}}
    AND NOT (
      EXISTS (SELECT FROM {{NOD}} n WHERE n.{{NOD.line}} = l.{{L.id}}
        AND n.{{NOD.status}} IN {{in_force}})
      OR EXISTS (SELECT FROM {{PS}} s WHERE s.{{PS.line}} = l.{{L.id}}
        AND s.{{PS.status}} IN {{in_force}})
    ){conditions}
  ORDER BY p.{{P.prescribed_at}}, l.{{L.id}}
  LIMIT %(limit)s
) page
JOIN {{PT}} pt ON pt.{{PT.id}} = page.patient_id
ORDER BY page.prescribed_at, page.pk
"""
_LINE_CONDITIONS = {
    "date_from": "p.{P.prescribed_at} >= %(date_from)s",
    "date_to": "p.{P.prescribed_at} < %(date_to)s",
    "care_setting": "p.{P.care_setting} = %(care_setting)s",
    "technology_type": "l.{L.technology_type} = %(technology_type)s",
    "payer_code": "p.{P.payer_code} = %(payer_code)s",
    "number": "p.{P.number} = %(number)s",
    "document": "p.{P.patient} IN "
    "(SELECT pt.{PT.id} FROM {PT} pt WHERE pt.{PT.document_number} = %(document)s)",
    # The keyset: the bound on the date alone lets the index start there.
    "after": "p.{P.prescribed_at} >= %(after_at)s "
    "AND (p.{P.prescribed_at}, l.{L.id}) > (%(after_at)s, %(after)s)",
}


def _sum_in_force(model, **lookups) -> Coalesce:
    """SUM(quantity) of `model`'s in-force rows of the outer line, as a scalar subquery."""
    rows = (
        model.objects.filter(deliverable__line=OuterRef("pk"), status__in=IN_FORCE, **lookups)
        .order_by()
        .values("deliverable__line")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=QUANTITY_FIELD), ZERO)


# `_LINE_CONDITIONS` through the ORM.
_LINE_FILTERS = {
    "date_from": lambda v: Q(prescription__prescribed_at__gte=v),
    "date_to": lambda v: Q(prescription__prescribed_at__lt=v),
    "care_setting": lambda v: Q(prescription__care_setting=v),
    "technology_type": lambda v: Q(technology_type=v),
    "payer_code": lambda v: Q(prescription__payer_code_id=v),
    "number": lambda v: Q(prescription__number=v),
    "document": lambda v: Q(prescription__patient__document_number=v),
}


def _lines_orm(params: dict) -> QuerySet:
    """`_LINES` through the ORM."""
    queryset = TechnologyLine.objects.filter(
        prescription__payer_id=params["entity"], prescription__status=PrescriptionStatus.ACTIVA
    )
    for name, condition in _LINE_FILTERS.items():
        if name in params:
            queryset = queryset.filter(condition(params[name]))
    if "after" in params:
        at = params["after_at"]
        queryset = queryset.filter(
            Q(prescription__prescribed_at__gt=at)
            | Q(prescription__prescribed_at=at, pk__gt=params["after"])
        )
    queryset = (
        queryset.annotate(
            assigned=_sum_in_force(Direccionamiento) + _sum_in_force(Entrega, in_ambito=True)
        )
        .filter(assigned__lt=F("total_quantity"))
        .filter(~_in_force(NoDireccionamiento, line=OuterRef("pk")))
        .filter(~_in_force(ProcedureSupply, line=OuterRef("pk")))
        .annotate(
            has_procedure=Exists(
                TechnologyLine.objects.filter(
                    prescription=OuterRef("prescription"),
                    technology_type=TechnologyType.PROCEDIMIENTO,
                )
            )
        )
        .order_by("prescription__prescribed_at", "pk")
        .values(
            "pk",
            "technology_type",
            "order",
            "description",
            "supply_type",
            "total_quantity",
            "junta_status",
            "assigned",
            "has_procedure",
            number=F("prescription__number"),
            prescribed_at=F("prescription__prescribed_at"),
            care_setting=F("prescription__care_setting"),
            payer_code_id=F("prescription__payer_code_id"),
            **{name: F(f"prescription__patient__{name}") for name in _PATIENT_FIELDS},
        )
    )
    return _limited(queryset, params["limit"])


@cache
def _lines_sql(conditions: tuple[str, ...]) -> str:
    return _sql(_LINES, conditions=_conditions(_LINE_CONDITIONS, conditions))


def _line_params(entity: Entity, filters: LineFilters, limit: int | None) -> dict:
    params = {
        "date_from": filters.date_from and _day_start(filters.date_from),
        "date_to": filters.date_to and _day_end(filters.date_to),
        "care_setting": filters.care_setting,
        "technology_type": filters.technology_type,
        "payer_code": filters.payer_code,
        "number": filters.number,
        "document": filters.document,
    }
    return {"entity": entity.pk, "limit": limit, **{k: v for k, v in params.items() if v}}


def _line_row(values: dict) -> LineRow:
    return LineRow(
        pk=values["pk"],
        key=f"{values['technology_type']}{values['order']}",
        label=values["description"],
        technology_type=values["technology_type"],
        supply_type=values["supply_type"],
        total_quantity=values["total_quantity"],
        junta_status=values["junta_status"],
        assigned=values["assigned"],
        number=values["number"],
        prescribed_at=values["prescribed_at"],
        care_setting=values["care_setting"],
        payer_code_id=values["payer_code_id"],
        patient_name=_patient_name(values),
        document_type=values["document_type"],
        document_number=values["document_number"],
        has_procedure=bool(values["has_procedure"]),
    )


def _name_lines(rows: list[LineRow]) -> None:
    """Name the lines without a description as `technology_label` does, from their catalog
    rows and active ingredients: the form and the bulk loads always write a description,
    so this reads nothing on most pages."""
    unnamed = {row.pk: row for row in rows if not row.label}
    if unnamed:
        lines = TechnologyLine.objects.filter(pk__in=unnamed).select_related(*LINE_CATALOG_FIELDS)
        for line in lines.prefetch_related(LABEL_RELATIONS[-1]):
            unnamed[line.pk].label = technology_label(line)


def lines_to_direct_page(
    *, entity: Entity, filters: LineFilters | None = None, after: int | None = None, size=25
) -> Page:
    """A page of «Por direccionar», starting after the line `after` (a line of another
    payer, or none, starts from the top)."""
    params = _line_params(entity, filters or LineFilters(), size + 1)
    if after is not None:
        bound = (
            TechnologyLine.objects.filter(pk=after, prescription__payer=entity)
            .values_list("prescription__prescribed_at", flat=True)
            .first()
        )
        if bound is not None:
            params.update(after_at=bound, after=after)
    if _use_sql():
        shape = _shape(_LINE_CONDITIONS, params)
        name = f"supply_payer_lines_{_mask(_LINE_CONDITIONS, shape)}"
        values = _query(name, _lines_sql(shape), params)
    else:
        values = _lines_orm(params)
    page = _page([_line_row(v) for v in values], size, after)
    _name_lines(page.rows)
    return page


def lines_to_direct_export(*, entity: Entity, filters: LineFilters | None = None):
    """Every matching line as a `LineRow`, read in chunks (for the CSV and XLSX)."""
    params = _line_params(entity, filters or LineFilters(), None)
    if _use_sql():
        chunks = _chunks(_lines_sql(_shape(_LINE_CONDITIONS, params)), params)
    else:
        chunks = _orm_chunks(_lines_orm(params))
    for chunk in chunks:
        rows = [_line_row(values) for values in chunk]
        _name_lines(rows)
        yield from rows


# ---------------------------------------------------------------------------------------
# One line, for the direccionamiento, no direccionamiento and inclusion forms


def payer_line_get(*, entity: Entity, pk: int) -> TechnologyLine:
    """A line of a prescription `entity` pays; 404 otherwise (another payer's, a tutela's)."""
    line = (
        TechnologyLine.objects.filter(pk=pk, prescription__payer=entity)
        .select_related(
            "prescription__patient__municipality__department",
            "prescription__payer_code",
            "prescription__payer",
        )
        .prefetch_related(*LABEL_RELATIONS)
        .first()
    )
    if line is None:
        raise Http404
    line.label = technology_label(line)
    return line


def default_technology_code(line: TechnologyLine) -> str:
    """CodSerTecAEntregar suggested for a line: the CUPS code of a procedure, the device
    type, the complementary service, the nutritional product (or its type); nothing for a
    medicine, whose CUM the payer types."""
    kind = line.technology_type
    if kind == TechnologyType.PROCEDIMIENTO and line.procedure_id:
        return line.procedure.code
    if kind == TechnologyType.DISPOSITIVO and line.device_type_id:
        return line.device_type.code
    if kind == TechnologyType.SERVICIO_COMPLEMENTARIO and line.complementary_service_id:
        return line.complementary_service.code
    if kind == TechnologyType.PRODUCTO_NUTRICIONAL:
        if line.nutritional_product_id:
            return line.nutritional_product.code
        if line.nutritional_type_id:
            return line.nutritional_type.code
    return ""


def taken_deliveries(line: TechnologyLine) -> list[tuple[int, int]]:
    """(NoEntrega, NoSubEntrega) of the line's deliveries with a direccionamiento or an
    entrega in force: those cannot be directed again."""
    deliverables = Deliverable.objects.filter(line=line).filter(
        _in_force(Direccionamiento, deliverable=OuterRef("pk"))
        | _in_force(Entrega, deliverable=OuterRef("pk"))
    )
    return sorted(deliverables.values_list("delivery_number", "sub_number"))


def free_delivery_numbers(taken: list[tuple[int, int]], count: int) -> list[int]:
    """The `count` lowest NoEntrega with no delivery in force (sub-delivery 0)."""
    used = {number for number, _sub in taken}
    numbers, candidate = [], 1
    while len(numbers) < count:
        if candidate not in used:
            numbers.append(candidate)
        candidate += 1
    return numbers


def procedure_lines(line: TechnologyLine) -> QuerySet[TechnologyLine]:
    return TechnologyLine.objects.filter(
        prescription_id=line.prescription_id, technology_type=TechnologyType.PROCEDIMIENTO
    ).select_related("procedure")


# ---------------------------------------------------------------------------------------
# Records of the chain: «Direccionados», «Pendientes por paciente», «Suministro y datos
# facturados». A page of records is read from its own table first (`{inner}`, ordered and
# limited there, on its index), then joined to the deliverable, line, prescription and
# patient it concerns.

_CHAIN = """
SELECT r.*, d.{{D.delivery_number}} AS delivery_number, d.{{D.sub_number}} AS sub_number,
  l.{{L.technology_type}} AS technology_type, l.{{L.order}} AS "order", p.{{P.number}} AS number,
  pt.{{PT.first_name}} AS first_name, pt.{{PT.middle_name}} AS middle_name,
  pt.{{PT.first_surname}} AS first_surname, pt.{{PT.second_surname}} AS second_surname,
  pt.{{PT.document_type}} AS document_type, pt.{{PT.document_number}} AS document_number{columns}
FROM ({inner}) r
JOIN {{D}} d ON d.{{D.id}} = r.deliverable_id
JOIN {{L}} l ON l.{{L.id}} = d.{{D.line}}
JOIN {{P}} p ON p.{{P.id}} = d.{{D.prescription}}
JOIN {{PT}} pt ON pt.{{PT.id}} = p.{{P.patient}}{joins}
ORDER BY {order}
"""
# The records of the deliverables of one prescription number or patient document.
_CHAIN_CONDITIONS = {
    "number": "r.{R.deliverable} IN (SELECT d.{D.id} FROM {D} d JOIN {P} p ON p.{P.id} = "
    "d.{D.prescription} WHERE p.{P.number} = %(number)s)",
    "document": "r.{R.deliverable} IN (SELECT d.{D.id} FROM {D} d JOIN {P} p ON p.{P.id} = "
    "d.{D.prescription} JOIN {PT} pt ON pt.{PT.id} = p.{P.patient} "
    "WHERE pt.{PT.document_number} = %(document)s)",
}
# `_CHAIN`'s columns through the ORM.
_CHAIN_VALUES = {
    "delivery_number": F("deliverable__delivery_number"),
    "sub_number": F("deliverable__sub_number"),
    "technology_type": F("deliverable__line__technology_type"),
    "order": F("deliverable__line__order"),
    "number": F("deliverable__prescription__number"),
    **{name: F(f"deliverable__prescription__patient__{name}") for name in _PATIENT_FIELDS},
}


def _chain_sql(inner: str, *, order: str, columns: str = "", joins: str = "") -> str:
    """The SQL of a page of records: `inner` selects them (pk, deliverable_id, their own
    columns); `columns` and `joins` add to what is read of them."""
    return _sql(_CHAIN, inner=inner, order=order, columns=columns, joins=joins)


def _inner(template: str, table: str, conditions: str = "", **parts: str) -> str:
    """A record query for `_chain_sql`: `template` with `{{R}}` / `{{R.field}}` the table
    `table` of `TABLES`."""
    text = template.format(conditions=conditions, **parts)
    return text.replace("{R}", "{" + table + "}").replace("{R.", "{" + table + ".")


def _chain_orm(queryset: QuerySet, params: dict, *fields: str, **named) -> QuerySet:
    """A record queryset, filtered by `_CHAIN_CONDITIONS`, as `_CHAIN`'s rows."""
    if "number" in params:
        queryset = queryset.filter(deliverable__prescription__number=params["number"])
    if "document" in params:
        queryset = queryset.filter(
            deliverable__prescription__patient__document_number=params["document"]
        )
    return queryset.values("pk", "deliverable_id", *fields, **_CHAIN_VALUES, **named)


@dataclass(slots=True)
class ChainRow:
    """A record of the chain with the delivery it concerns, as the lists show it. `data`
    holds the record's own columns; `step` is how far a direccionamiento's chain went
    (`chain_step`) and `light` the deadline light of a pending delivery."""

    pk: int
    deliverable_id: int
    number: str
    line_key: str
    delivery_label: str
    patient_name: str
    document_type: str
    document_number: str
    data: dict
    step: str = ""
    light: tuple[str, str, str] = ("", "", "")


def _chain_row(values: dict) -> ChainRow:
    return ChainRow(
        pk=values["pk"],
        deliverable_id=values["deliverable_id"],
        number=values["number"],
        line_key=f"{values['technology_type']}{values['order']}",
        delivery_label=delivery_label(values["delivery_number"], values["sub_number"]),
        patient_name=_patient_name(values),
        document_type=values["document_type"],
        document_number=values["document_number"],
        data=values,
    )


def _number_params(filters) -> dict:
    return {k: v for k, v in (("number", filters.number), ("document", filters.document)) if v}


# --- «Direccionados»


def step_labels() -> dict[str, str]:
    """The chain's steps (`chain_step`) as the lists show them, translated."""
    return {
        "anulado": _("Anulado"),
        "direccionado": _("Direccionado"),
        "programado": _("Programado"),
        "entregado": _("Entregado"),
        "reportado": _("Reportado"),
        "facturado": _("Facturado"),
    }


def chain_step(
    status: int, has_entrega: bool = False, has_reporte: bool = False, has_factura: bool = False
) -> str:
    """How far the chain of a direccionamiento went. Status 1: nobody programmed it yet; 2:
    programmed, and then the deliverable's in-force entrega, reporte and facturación say how
    far it went (while a direccionamiento is in force its deliverable has no other chain)."""
    if status == StepStatus.ANULADO:
        return "anulado"
    if status == StepStatus.ACTIVO:
        return "direccionado"
    if has_factura:
        return "facturado"
    if has_reporte:
        return "reportado"
    if has_entrega:
        return "entregado"
    return "programado"


@dataclass(frozen=True)
class DirectedFilters:
    status: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    provider: int | None = None
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None
    number: str = ""
    document: str = ""


# The direccionamientos the entity recorded, newest first (index dir_payer_recent).
_DIRECTED_INNER = """
SELECT r.{{R.id}} AS pk, r.{{R.deliverable}} AS deliverable_id, r.{{R.provider}} AS provider_id,
  r.{{R.quantity}} AS quantity, r.{{R.max_delivery_date}} AS max_delivery_date,
  r.{{R.created_at}} AS created_at, r.{{R.status}} AS status,
  r.{{R.municipality}} AS municipality_id, r.{{R.technology_code}} AS technology_code
FROM {{R}} r
WHERE r.{{R.entity}} = %(entity)s{conditions}
ORDER BY r.{{R.created_at}} DESC, r.{{R.id}} DESC
LIMIT %(limit)s
"""
_DIRECTED_CONDITIONS = {
    "status": "r.{R.status} = %(status)s",
    "date_from": "r.{R.created_at} >= %(date_from)s",
    "date_to": "r.{R.created_at} < %(date_to)s",
    "provider": "r.{R.provider} = %(provider)s",
    "due_from": "r.{R.max_delivery_date} >= %(due_from)s",
    "due_to": "r.{R.max_delivery_date} <= %(due_to)s",
    **_CHAIN_CONDITIONS,
    "after": "(r.{R.created_at}, r.{R.id}) < (%(after_at)s, %(after)s)",
}
_DIRECTED_FIELDS = (
    "provider_id",
    "quantity",
    "max_delivery_date",
    "created_at",
    "status",
    "municipality_id",
    "technology_code",
)
# Whether the deliverable has an entrega, reporte and facturación in force (a page: each
# probes the step's in-force index for its 25 rows).
_STEPS = """,
  EXISTS (SELECT FROM {ENT} s WHERE s.{ENT.deliverable} = d.{D.id}
    AND s.{ENT.status} IN {in_force}) AS has_entrega,
  EXISTS (SELECT FROM {REP} s WHERE s.{REP.deliverable} = d.{D.id}
    AND s.{REP.status} IN {in_force}) AS has_reporte,
  EXISTS (SELECT FROM {FAC} s WHERE s.{FAC.deliverable} = d.{D.id}
    AND s.{FAC.status} IN {in_force}) AS has_factura"""
# The proveedor's name and NIT (a page of «Direccionados» names it from the filter's list).
_PROVIDER = """,
  pr.{E.name} AS provider_name, pr.{E.nit} AS provider_nit"""
_PROVIDER_JOIN = """
JOIN {E} pr ON pr.{E.id} = r.provider_id"""


@cache
def _directed_sql(conditions: tuple[str, ...], export: bool) -> str:
    inner = _inner(_DIRECTED_INNER, "DIR", _conditions(_DIRECTED_CONDITIONS, conditions))
    return _chain_sql(
        inner,
        order="r.created_at DESC, r.pk DESC",
        columns=_STEPS + (_PROVIDER if export else ""),
        joins=_PROVIDER_JOIN if export else "",
    )


# `_DIRECTED_CONDITIONS` through the ORM (the chain's own in `_chain_orm`).
_DIRECTED_FILTERS = {
    "status": lambda v: Q(status=v),
    "date_from": lambda v: Q(created_at__gte=v),
    "date_to": lambda v: Q(created_at__lt=v),
    "provider": lambda v: Q(provider_id=v),
    "due_from": lambda v: Q(max_delivery_date__gte=v),
    "due_to": lambda v: Q(max_delivery_date__lte=v),
}


def _directed_orm(params: dict, export: bool) -> QuerySet:
    """`_directed_sql` through the ORM."""
    queryset = Direccionamiento.objects.filter(entity_id=params["entity"])
    for name, condition in _DIRECTED_FILTERS.items():
        if name in params:
            queryset = queryset.filter(condition(params[name]))
    if "after" in params:
        at = params["after_at"]
        queryset = queryset.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=params["after"]))
    deliverable = OuterRef("deliverable_id")
    queryset = queryset.annotate(
        has_entrega=_in_force(Entrega, deliverable=deliverable),
        has_reporte=_in_force(ReporteEntrega, deliverable=deliverable),
        has_factura=_in_force(Facturacion, deliverable=deliverable),
    ).order_by("-created_at", "-pk")
    provider = (
        {"provider_name": F("provider__name"), "provider_nit": F("provider__nit")} if export else {}
    )
    queryset = _chain_orm(
        queryset,
        params,
        *_DIRECTED_FIELDS,
        "has_entrega",
        "has_reporte",
        "has_factura",
        **provider,
    )
    return _limited(queryset, params["limit"])


def _directed_params(entity: Entity, filters: DirectedFilters, limit: int | None) -> dict:
    params = {
        "status": filters.status,
        "date_from": filters.date_from and _day_start(filters.date_from),
        "date_to": filters.date_to and _day_end(filters.date_to),
        "provider": filters.provider,
        "due_from": filters.due_from,
        "due_to": filters.due_to,
        **_number_params(filters),
    }
    return {
        "entity": entity.pk,
        "limit": limit,
        **{k: v for k, v in params.items() if v is not None},
    }


def _directed_row(values: dict) -> ChainRow:
    row = _chain_row(values)
    row.step = chain_step(
        values["status"], values["has_entrega"], values["has_reporte"], values["has_factura"]
    )
    return row


def directed_page(
    *, entity: Entity, filters: DirectedFilters | None = None, after: int | None = None, size=25
) -> Page:
    """A page of the direccionamientos `entity` recorded, newest first, with how far each
    chain went (`step`); `data` holds the direccionamiento (`provider_id` its proveedor)."""
    params = _directed_params(entity, filters or DirectedFilters(), size + 1)
    if after is not None:
        bound = (
            Direccionamiento.objects.filter(pk=after, entity=entity)
            .values_list("created_at", flat=True)
            .first()
        )
        if bound is not None:
            params.update(after_at=bound, after=after)
    if _use_sql():
        shape = _shape(_DIRECTED_CONDITIONS, params)
        name = f"supply_payer_directed_{_mask(_DIRECTED_CONDITIONS, shape)}"
        values = _query(name, _directed_sql(shape, False), params)
    else:
        values = _directed_orm(params, export=False)
    return _page([_directed_row(v) for v in values], size, after)


def directed_export(*, entity: Entity, filters: DirectedFilters | None = None):
    """Every matching direccionamiento as a `ChainRow` with its step and its proveedor's
    name and NIT, newest first, read in chunks (for the CSV and XLSX)."""
    params = _directed_params(entity, filters or DirectedFilters(), None)
    if _use_sql():
        chunks = _chunks(_directed_sql(_shape(_DIRECTED_CONDITIONS, params), True), params)
    else:
        chunks = _orm_chunks(_directed_orm(params, export=True))
    for chunk in chunks:
        yield from (_directed_row(values) for values in chunk)


# --- «Pendientes por paciente»

# The patient's deliveries the entity directed (in force) with no entrega in force.
_PENDING_INNER = """
SELECT r.{{R.id}} AS pk, r.{{R.deliverable}} AS deliverable_id,
  r.{{R.provider}} AS provider_id, r.{{R.quantity}} AS quantity,
  r.{{R.max_delivery_date}} AS max_delivery_date, r.{{R.status}} AS status
FROM {{R}} r
WHERE r.{{R.entity}} = %(entity)s AND r.{{R.status}} IN {{in_force}}
  AND r.{{R.deliverable}} IN (
    SELECT d.{{D.id}} FROM {{D}} d
    JOIN {{P}} p ON p.{{P.id}} = d.{{D.prescription}}
    JOIN {{PT}} pt ON pt.{{PT.id}} = p.{{P.patient}}
    WHERE pt.{{PT.document_type}} = %(document_type)s
      AND pt.{{PT.document_number}} = %(document_number)s
  )
  AND NOT EXISTS (SELECT FROM {{ENT}} s WHERE s.{{ENT.deliverable}} = r.{{R.deliverable}}
    AND s.{{ENT.status}} IN {{in_force}})
ORDER BY r.{{R.max_delivery_date}}, r.{{R.id}}
LIMIT %(limit)s
"""


@cache
def _pending_sql() -> str:
    return _chain_sql(
        _inner(_PENDING_INNER, "DIR"),
        order="r.max_delivery_date, r.pk",
        columns=_PROVIDER,
        joins=_PROVIDER_JOIN,
    )


def _pending_orm(params: dict) -> QuerySet:
    """`_pending_sql` through the ORM."""
    queryset = (
        Direccionamiento.objects.filter(
            entity_id=params["entity"],
            status__in=IN_FORCE,
            deliverable__prescription__patient__document_type=params["document_type"],
            deliverable__prescription__patient__document_number=params["document_number"],
        )
        .filter(~_in_force(Entrega, deliverable=OuterRef("deliverable_id")))
        .order_by("max_delivery_date", "pk")
    )
    queryset = _chain_orm(
        queryset,
        params,
        "provider_id",
        "quantity",
        "max_delivery_date",
        "status",
        provider_name=F("provider__name"),
        provider_nit=F("provider__nit"),
    )
    return _limited(queryset, params["limit"])


def patient_pending_list(
    *, entity: Entity, document_type: str, document_number: str, limit: int = 500
) -> list[ChainRow]:
    """The patient's deliveries `entity` directed and nobody delivered yet (a direccionamiento
    in force, no entrega in force), by FecMaxEnt, with their deadline light; `data` holds
    the direccionamiento and its proveedor's name."""
    params = {
        "entity": entity.pk,
        "document_type": document_type,
        "document_number": document_number,
        "limit": limit,
    }
    if _use_sql():
        values = _query("supply_payer_pending", _pending_sql(), params)
    else:
        values = _pending_orm(params)
    today = timezone.localdate()
    rows = [_chain_row(v) for v in values]
    for row in rows:
        row.light = deadline_light(row.data["max_delivery_date"], today)
        row.step = "programado" if row.data["status"] == StepStatus.PROCESADO else "direccionado"
    return rows


# --- «Suministro y datos facturados»


@dataclass(frozen=True)
class ReportFilters:
    number: str = ""
    document: str = ""


# Per section: the record's model and table, which of its rows (`where`, in SQL and through
# the ORM), its own columns, and what its rows name (the proveedor that recorded an entrega
# or facturación, a suministro's cause). The records awaiting the payer come oldest first
# (by id); those this entity made, newest first (`NEWEST_FIRST`).
_ENTITY_NAME = (
    ",\n  e.{E.name} AS entity_name",
    "\nJOIN {E} e ON e.{E.id} = r.entity_id",
    {"entity_name": F("entity__name")},
)
_REPORT_SECTIONS = {
    # In-force entregas of deliverables the entity pays with no suministro in force.
    "suministro": (
        Entrega,
        "ENT",
        """EXISTS (SELECT FROM {D} d WHERE d.{D.id} = r.{R.deliverable}
    AND d.{D.payer} = %(entity)s)
  AND r.{R.status} IN {in_force}
  AND NOT EXISTS (SELECT FROM {SUM} s WHERE s.{SUM.deliverable} = r.{R.deliverable}
    AND s.{SUM.status} IN {in_force})""",
        lambda entity: (
            Q(deliverable__payer_id=entity, status__in=IN_FORCE)
            & ~_in_force(Suministro, deliverable=OuterRef("deliverable_id"))
        ),
        ("entity_id", "delivered_on", "total", "in_ambito", "quantity"),
        _ENTITY_NAME,
    ),
    # Active facturaciones (no datos facturados yet) of deliverables the entity pays.
    "facturados": (
        Facturacion,
        "FAC",
        """EXISTS (SELECT FROM {D} d WHERE d.{D.id} = r.{R.deliverable}
    AND d.{D.payer} = %(entity)s)
  AND r.{R.status} = {active}""",
        lambda entity: Q(deliverable__payer_id=entity, status=StepStatus.ACTIVO),
        ("entity_id", "invoice_number", "units", "total_value"),
        _ENTITY_NAME,
    ),
    # The active suministros and datos facturados the entity recorded.
    "suministros": (
        Suministro,
        "SUM",
        "r.{R.entity} = %(entity)s AND r.{R.status} = {active}",
        lambda entity: Q(entity_id=entity, status=StepStatus.ACTIVO),
        ("created_at", "complete", "cause_id", "last_delivery", "quantity", "value"),
        (
            ",\n  c.{C.code} AS cause_code",
            "\nLEFT JOIN {C} c ON c.{C.id} = r.cause_id",
            {"cause_code": F("cause__code")},
        ),
    ),
    "datos": (
        DatosFacturados,
        "DAT",
        "r.{R.entity} = %(entity)s AND r.{R.status} = {active}",
        lambda entity: Q(entity_id=entity, status=StepStatus.ACTIVO),
        ("created_at", "comparator", "total_delivered"),
        ("", "", {}),
    ),
}
NEWEST_FIRST = {"suministros", "datos"}
_REPORT_INNER = """
SELECT r.{{R.id}} AS pk, r.{{R.deliverable}} AS deliverable_id, {columns}
FROM {{R}} r
WHERE {where}{conditions}
ORDER BY {order}
LIMIT %(limit)s
"""


@cache
def _report_sql(section: str, conditions: tuple[str, ...]) -> str:
    _model, table, where, _rows, fields, (names, joins, _named) = _REPORT_SECTIONS[section]
    if section in NEWEST_FIRST:  # on the (entity, created_at) index
        order, outer = "r.{R.created_at} DESC, r.{R.id} DESC", "r.created_at DESC, r.pk DESC"
        after = "(r.{R.created_at}, r.{R.id}) < (%(after_at)s, %(after)s)"
    else:
        order, outer, after = "r.{R.id}", "r.pk", "r.{R.id} > %(after)s"
    columns = ", ".join(f"r.{{R.{field.removesuffix('_id')}}} AS {field}" for field in fields)
    inner = _inner(
        _REPORT_INNER,
        table,
        _conditions({**_CHAIN_CONDITIONS, "after": after}, conditions),
        where=where,
        columns=columns,
        order=order,
    )
    return _chain_sql(inner, order=outer, columns=names, joins=joins)


def _report_orm(section: str, params: dict) -> QuerySet:
    """`_report_sql` through the ORM."""
    model, _table, _where, rows, fields, (_names, _joins, named) = _REPORT_SECTIONS[section]
    queryset = model.objects.filter(rows(params["entity"]))
    if section in NEWEST_FIRST:
        if "after" in params:
            at = params["after_at"]
            queryset = queryset.filter(
                Q(created_at__lt=at) | Q(created_at=at, pk__lt=params["after"])
            )
        queryset = queryset.order_by("-created_at", "-pk")
    else:
        if "after" in params:
            queryset = queryset.filter(pk__gt=params["after"])
        queryset = queryset.order_by("pk")
    return _limited(_chain_orm(queryset, params, *fields, **named), params["limit"])


def _report_params(entity: Entity, filters: ReportFilters | None, limit: int | None) -> dict:
    return {"entity": entity.pk, "limit": limit, **_number_params(filters or ReportFilters())}


_REPORT_CONDITIONS = ("number", "document", "after")


def report_page(
    section: str,
    *,
    entity: Entity,
    filters: ReportFilters | None = None,
    after: int | None = None,
    size: int = 25,
) -> Page:
    """A page of a section of «Suministro y datos facturados» (`_REPORT_SECTIONS`)."""
    params = _report_params(entity, filters, size + 1)
    if after is not None and section in NEWEST_FIRST:
        model = _REPORT_SECTIONS[section][0]
        bound = (
            model.objects.filter(pk=after, entity=entity)
            .values_list("created_at", flat=True)
            .first()
        )
        if bound is not None:
            params.update(after_at=bound, after=after)
    elif after is not None:
        params["after"] = after
    if _use_sql():
        shape = _shape(_REPORT_CONDITIONS, params)
        name = f"supply_payer_report_{section}_{_mask(_REPORT_CONDITIONS, shape)}"
        values = _query(name, _report_sql(section, shape), params)
    else:
        values = _report_orm(section, params)
    return _page([_chain_row(v) for v in values], size, after)


def report_export(section: str, *, entity: Entity, filters: ReportFilters | None = None):
    """Every record of a section as a `ChainRow`, in the page's order, read in chunks."""
    params = _report_params(entity, filters, None)
    if _use_sql():
        chunks = _chunks(_report_sql(section, _shape(_REPORT_CONDITIONS, params)), params)
    else:
        chunks = _orm_chunks(_report_orm(section, params))
    for chunk in chunks:
        yield from (_chain_row(values) for values in chunk)


def payer_deliverable_get(*, entity: Entity, pk: int) -> tuple[Deliverable, Entrega | None]:
    """A deliverable `entity` pays (404 otherwise) and its in-force entrega, if any."""
    deliverable = (
        Deliverable.objects.filter(pk=pk, payer=entity)
        .select_related("line", "prescription__patient")
        .first()
    )
    if deliverable is None:
        raise Http404
    entrega = deliverable.entregas.filter(status__in=IN_FORCE).select_related("entity").first()
    return deliverable, entrega


def payer_facturacion_get(*, entity: Entity, pk: int) -> Facturacion:
    """A facturación of a deliverable `entity` pays; 404 otherwise."""
    facturacion = (
        Facturacion.objects.filter(pk=pk, deliverable__payer=entity)
        .select_related(
            "deliverable__line", "deliverable__prescription__patient", "entity", "entrega"
        )
        .first()
    )
    if facturacion is None:
        raise Http404
    return facturacion
