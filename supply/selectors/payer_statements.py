"""The payer's worklists as statements (`supply.selectors.payer`): for each, its filters,
its row and its SQL text."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.utils.translation import gettext as _

from entities.models import Entity
from mipres.lib.days import day_start, next_day_start
from prescriptions.enums import JuntaStatus, TechnologyType
from prescriptions.models import (
    TechnologyLine,
)
from prescriptions.selectors.prescriptions import LINE_CATALOG_FIELDS, technology_label

from ..models import (
    DatosFacturados,
    Entrega,
    Facturacion,
    StepStatus,
    Suministro,
)
from ..models.chain import delivery_label
from .payer_sql import (
    LABEL_RELATIONS,
    _conditions,
    _patient_name,
    _sql,
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
# deliverables (at most one of each per deliverable), less what their partial entregas left
# undelivered (issue 17 §23), as `services.common.assigned_quantity`
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
    SELECT COALESCE(SUM(COALESCE(di.{{DIR.quantity}}, 0) + COALESCE(en.{{ENT.quantity}}, 0)
      - COALESCE(pe.{{ENT.pending_quantity}}, 0)), 0) AS assigned
    FROM {{D}} d
    LEFT JOIN {{DIR}} di ON di.{{DIR.deliverable}} = d.{{D.id}}
      AND di.{{DIR.status}} IN {{in_force}}
    LEFT JOIN {{ENT}} en ON en.{{ENT.deliverable}} = d.{{D.id}}
      AND en.{{ENT.status}} IN {{in_force}} AND en.{{ENT.in_ambito}}
    LEFT JOIN {{ENT}} pe ON pe.{{ENT.deliverable}} = d.{{D.id}}
      AND pe.{{ENT.status}} IN {{in_force}} AND NOT pe.{{ENT.in_ambito}} AND NOT pe.{{ENT.total}}
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


@cache
def _lines_sql(conditions: tuple[str, ...]) -> str:
    return _sql(_LINES, conditions=_conditions(_LINE_CONDITIONS, conditions))


def _line_params(entity: Entity, filters: LineFilters, limit: int | None) -> dict:
    params = {
        "date_from": filters.date_from and day_start(filters.date_from),
        "date_to": filters.date_to and next_day_start(filters.date_to),
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


def _chain_sql(inner: str, *, order: str, columns: str = "", joins: str = "") -> str:
    """The SQL of a page of records: `inner` selects them (pk, deliverable_id, their own
    columns); `columns` and `joins` add to what is read of them."""
    return _sql(_CHAIN, inner=inner, order=order, columns=columns, joins=joins)


def _inner(template: str, table: str, conditions: str = "", **parts: str) -> str:
    """A record query for `_chain_sql`: `template` with `{{R}}` / `{{R.field}}` the table
    `table` of `TABLES`."""
    text = template.format(conditions=conditions, **parts)
    return text.replace("{R}", "{" + table + "}").replace("{R.", "{" + table + ".")


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
        "entrega_parcial": _("Entrega parcial"),
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


def _directed_params(entity: Entity, filters: DirectedFilters, limit: int | None) -> dict:
    params = {
        "status": filters.status,
        "date_from": filters.date_from and day_start(filters.date_from),
        "date_to": filters.date_to and next_day_start(filters.date_to),
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


# --- «Pendientes por paciente»

# The patient's deliveries the entity directed (in force) with no entrega in force.
_PENDING_INNER = """
SELECT r.{{R.id}} AS pk, r.{{R.deliverable}} AS deliverable_id,
  r.{{R.provider}} AS provider_id, r.{{R.quantity}} AS quantity,
  r.{{R.max_delivery_date}} AS max_delivery_date, r.{{R.status}} AS status,
  (SELECT s.{{ENT.pending_quantity}} FROM {{ENT}} s
    WHERE s.{{ENT.deliverable}} = r.{{R.deliverable}} AND s.{{ENT.status}} IN {{in_force}})
    AS undelivered
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
    AND s.{{ENT.status}} IN {{in_force}} AND (s.{{ENT.total}} OR s.{{ENT.in_ambito}}))
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


# --- «Suministro y datos facturados»


@dataclass(frozen=True)
class ReportFilters:
    number: str = ""
    document: str = ""


# Per section: the record's model and table, which of its rows (`where`), its own columns,
# and what its rows name (the proveedor that recorded an entrega or facturación, a
# suministro's cause). The records awaiting the payer come oldest first (by id); those this
# entity made, newest first (`NEWEST_FIRST`).
_ENTITY_NAME = (
    ",\n  e.{E.name} AS entity_name",
    "\nJOIN {E} e ON e.{E.id} = r.entity_id",
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
        ("entity_id", "invoice_number", "units", "total_value"),
        _ENTITY_NAME,
    ),
    # The active suministros and datos facturados the entity recorded.
    "suministros": (
        Suministro,
        "SUM",
        "r.{R.entity} = %(entity)s AND r.{R.status} = {active}",
        ("created_at", "complete", "cause_id", "last_delivery", "quantity", "value"),
        (
            ",\n  c.{C.code} AS cause_code",
            "\nLEFT JOIN {C} c ON c.{C.id} = r.cause_id",
        ),
    ),
    "datos": (
        DatosFacturados,
        "DAT",
        "r.{R.entity} = %(entity)s AND r.{R.status} = {active}",
        ("created_at", "comparator", "total_delivered"),
        ("", ""),
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
    _model, table, where, fields, (names, joins) = _REPORT_SECTIONS[section]
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


def _report_params(entity: Entity, filters: ReportFilters | None, limit: int | None) -> dict:
    return {"entity": entity.pk, "limit": limit, **_number_params(filters or ReportFilters())}


_REPORT_CONDITIONS = ("number", "document", "after")
