"""What the proveedor and its dispensadores see of the supply chain (STYLE R5): every read
starts from the acting entity, so another entity's record answers 404.

Worklists hold the steps waiting for this entity (status 1, activo): direccionamientos to
program, programaciones to deliver, entregas to report, reportes to invoice. They are
keyset-paginated ("seek", `mipres.lib.pagination`) on the order they show, never
counted, each on an index that serves its filter and order: a page is its step rows (plain
values) plus one query for what they show of their deliverables, whatever the number of
rows and wherever it starts.
"""

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import batched
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404

from entities.models import Entity, Membership, NetworkLink, Sede
from entities.permissions import Role
from mipres.lib.pagination import Page, keyset_page
from mipres.lib.rows import Columns
from prescriptions.enums import TechnologyType
from prescriptions.models import LineActiveIngredient, Prescription, TechnologyLine
from prescriptions.selectors.prescriptions import LINE_CATALOG_FIELDS

from ..models import (
    IN_FORCE,
    Direccionamiento,
    Entrega,
    ProcedureSupply,
    Programacion,
    ReporteEntrega,
    StepStatus,
)
from ..models.chain import AMBITO_SETTINGS
from .deadlines import LIGHT_DAYS


@dataclass(frozen=True)
class WorklistFilters:
    light: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    payer: int | None = None  # the payer entity's pk
    technology_type: str = ""
    number: str = ""  # a prescription number (20 digits) or a patient's document number


def light_bounds(code: str, today: datetime.date) -> tuple:
    """The first and last FecMaxEnt (None: open) of a deadline light."""
    first, last = LIGHT_DAYS.get(code, (None, None))
    return (
        None if first is None else today + datetime.timedelta(days=first),
        None if last is None else today + datetime.timedelta(days=last),
    )


def _line_prefetch(prefix: str) -> Prefetch:
    """The ingredients of medicine lines (technology_label names a medicine by them)."""
    return Prefetch(
        f"{prefix}line__ingredients",
        queryset=LineActiveIngredient.objects.select_related("ingredient").order_by("order"),
    )


def _related(prefix: str = "") -> list[str]:
    """What a single record's page reads of its deliverable; a line's catalog row is read
    only when `technology_label` needs it (a line without description)."""
    return [f"{prefix}prescription__patient", f"{prefix}payer", f"{prefix}line"]


# Worklist rows --------------------------------------------------------------------------------


class Delivery(NamedTuple):
    """What a worklist row shows of its deliverable (and its export's first columns): a
    tuple, built from the query's row in one call (a frozen dataclass cost ~4 µs a row)."""

    pk: int
    label: str  # NoEntrega, or NoEntrega.NoSubEntrega
    number: str  # the prescription's
    document_type: str
    document_number: str
    patient_name: str
    line_key: str
    technology: str  # technology_label's text
    payer_name: str


def _catalog_name_sql(name: str) -> str:
    field = TechnologyLine._meta.get_field(name)
    table = field.related_model._meta.db_table
    return f'(SELECT "name" FROM "{table}" WHERE "id" = l."{field.column}")'


# What a worklist row shows of its deliverable, written out rather than through the ORM:
# building that query (a catalog subquery per catalog, the ingredients) cost ~5 ms of CPU a
# page, and planning its five joins ~1.5 ms (these tables carry 5-16 indexes each), so it is
# written once in SQL, which psycopg prepares per connection (`prepare_threshold`). A row
# is a `Delivery`'s fields, as PostgreSQL writes them (the label as `delivery_label`, the
# patient's name from the names there are, the line's key), then the line's technology
# type. The technology is
# `technology_label`'s text: the description, a medicine's ingredients with their
# concentrations, or the first catalog name (a nutritional product first for a nutritional
# line); NULL: the type's name, which `deliveries` translates.
DELIVERIES_SQL = f"""
SELECT d."id",
  d."delivery_number"::text || CASE WHEN d."sub_number" <> 0 THEN '.' || d."sub_number" ELSE '' END,
  p."number", pa."document_type", pa."document_number",
  concat_ws(' ', NULLIF(pa."first_name", ''), NULLIF(pa."middle_name", ''),
    NULLIF(pa."first_surname", ''), NULLIF(pa."second_surname", '')),
  l."technology_type" || l."order",
  CASE
    WHEN l."description" <> '' THEN l."description"
    WHEN l."technology_type" = 'M' THEN (
      SELECT string_agg(i."name" || ' ' || trim_scale(li."concentration")::text, ' + '
        ORDER BY li."order")
      FROM "prescriptions_lineactiveingredient" li
      JOIN "prescriptions_activeingredient" i ON i."id" = li."ingredient_id"
      WHERE li."line_id" = l."id")
    ELSE COALESCE(
      CASE WHEN l."technology_type" = 'N' THEN {_catalog_name_sql("nutritional_product")} END,
      {", ".join(_catalog_name_sql(name) for name in LINE_CATALOG_FIELDS)})
  END,
  e."name", l."technology_type"
FROM "supply_deliverable" d
JOIN "prescriptions_technologyline" l ON l."id" = d."line_id"
JOIN "prescriptions_prescription" p ON p."id" = d."prescription_id"
JOIN "prescriptions_patient" pa ON pa."id" = p."patient_id"
JOIN "entities_entity" e ON e."id" = d."payer_id"
WHERE d."id" = ANY(%s)
"""


def _fetch(sql: str, params) -> list[tuple]:
    """The rows of `sql`; psycopg prepares a statement run often (`prepare_threshold`)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def deliveries(ids: list[int]) -> dict[int, Delivery]:
    """The `Delivery` of each deliverable in `ids`, in one query."""
    found = {}
    for row in _fetch(DELIVERIES_SQL, [ids]):
        if not row[7]:  # no technology text: the type's name
            row = (*row[:7], str(TechnologyType(row[9]).label), row[8])
        found[row[0]] = Delivery._make(row[:9])
    return found


def _with_deliveries(rows: list[dict]) -> list[dict]:
    """Each row gets its `deliverable` (a `Delivery`)."""
    found = deliveries(list({row["deliverable_id"] for row in rows})) if rows else {}
    for row in rows:
        row["deliverable"] = found[row["deliverable_id"]]
    return rows


def _page_of(rows: list[dict], *, after: int | None, size: int) -> Page:
    """A page of the `size + 1` rows read (the last one, if any, says there is more), with
    their deliveries."""
    page = keyset_page(rows, size=size, after=after, key=itemgetter("pk"))
    _with_deliveries(page.rows)
    return page


@dataclass(frozen=True)
class StepSql:
    """A worklist's page written out in SQL (see `_fetch`): the active steps of an entity
    (`owner` column) in `model`'s table (alias `s`), ordered by (`order`, id) on the index
    that serves that order, filtered as `_filtered` filters the ORM's list."""

    name: str
    model: type
    owner: str
    order: str  # the ordering field (and column)
    date: str  # the column the date range compares
    columns: dict  # each row's value (the keys of the ORM list's `values()`): SQL expression
    joins: str = ""  # what `columns` and `date` read besides the step
    where: str = ""  # the worklist's condition besides the owner and status 1

    def page(self, *, after: int | None, size: int, **scope) -> Page:
        """The `size` rows (dicts) after the row `after` (an id of the entity's, else from
        the top) with their deliveries."""
        return _page_of(self._rows(after=after, size=size, **scope), after=after, size=size)

    def export(self, listing, *extra: str, **scope) -> Iterator[dict]:
        """Every row of the ORM's list, `listing(**scope)`, with the `columns` and the
        `extra` fields, in the page's order and with its deliveries (`_export_rows`)."""
        return _export_rows(listing(**scope).values(*self.columns, *extra), key=self.order)

    def _rows(
        self,
        *,
        entity: Entity,
        filters: WorklistFilters,
        today: datetime.date,
        after: int | None,
        size: int,
        sede_ids: set[int] | None = None,
    ) -> list[dict]:
        table, key = self.model._meta.db_table, f's."{self.order}"'
        conditions = [f's."{self.owner}" = %s', 's."status" = %s', *filter(None, [self.where])]
        params: list = [entity.pk, StepStatus.ACTIVO]
        joins = [self.joins]

        def add(condition: str, *values) -> None:
            conditions.append(condition)
            params.extend(values)

        if sede_ids is not None:
            add(f's."sede_id" IN ({", ".join(["%s"] * len(sede_ids))})', *sorted(sede_ids))
        first, last = light_bounds(filters.light, today)
        if first:
            add('s."max_delivery_date" >= %s', first)
        if last:
            add('s."max_delivery_date" <= %s', last)
        if filters.date_from:
            add(f"{self.date} >= %s", filters.date_from)
        if filters.date_to:
            add(f"{self.date} <= %s", filters.date_to)
        if filters.payer is not None or filters.technology_type or filters.number:
            joins.append('JOIN "supply_deliverable" d ON d."id" = s."deliverable_id"')
        if filters.payer is not None:
            add('d."payer_id" = %s', filters.payer)
        if filters.technology_type:
            joins.append('JOIN "prescriptions_technologyline" l ON l."id" = d."line_id"')
            add('l."technology_type" = %s', filters.technology_type)
        if filters.number:
            joins.append('JOIN "prescriptions_prescription" p ON p."id" = d."prescription_id"')
            if len(filters.number) == 20 and filters.number.isdigit():
                add('p."number" = %s', filters.number)
            else:
                joins.append('JOIN "prescriptions_patient" pa ON pa."id" = p."patient_id"')
                add('pa."document_number" = %s', filters.number)
        if after is not None:
            sql = (
                f'SELECT {key}, s."id" FROM "{table}" s WHERE s."id" = %s AND s."{self.owner}" = %s'
            )
            bound = _fetch(sql, [after, entity.pk])
            if bound:
                # (key, id) > the boundary's; `key >= value` starts the index scan there.
                value, pk = bound[0]
                add(f'{key} >= %s AND ({key} > %s OR s."id" > %s)', value, value, pk)
        columns = ", ".join(self.columns.values())
        sql = (
            f'SELECT {columns} FROM "{table}" s {" ".join(joins)} '
            f'WHERE {" AND ".join(conditions)} ORDER BY {key}, s."id" LIMIT %s'
        )
        params.append(size + 1)
        # One statement text per combination of filters, each prepared by psycopg.
        rows = _fetch(sql, params)
        return [dict(zip(self.columns, row, strict=True)) for row in rows]


EXPORT_CHUNK = 500


def _export_rows(queryset: QuerySet, *, key: str) -> Iterator[dict]:
    """Every row (dict) of `queryset` in the worklist's order, with its delivery, read in
    chunks: a server-side cursor for the rows, one deliveries query per chunk."""
    rows = queryset.order_by(key, "pk").iterator(chunk_size=EXPORT_CHUNK)
    for chunk in batched(rows, EXPORT_CHUNK):
        yield from _with_deliveries(list(chunk))


def _filtered(queryset: QuerySet, filters: WorklistFilters, *, date_field: str, today) -> QuerySet:
    first, last = light_bounds(filters.light, today)
    if first:
        queryset = queryset.filter(max_delivery_date__gte=first)
    if last:
        queryset = queryset.filter(max_delivery_date__lte=last)
    if filters.date_from:
        queryset = queryset.filter(**{f"{date_field}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{date_field}__lte": filters.date_to})
    if filters.payer is not None:
        queryset = queryset.filter(deliverable__payer_id=filters.payer)
    if filters.technology_type:
        queryset = queryset.filter(deliverable__line__technology_type=filters.technology_type)
    if filters.number:
        if len(filters.number) == 20 and filters.number.isdigit():
            queryset = queryset.filter(deliverable__prescription__number=filters.number)
        else:
            queryset = queryset.filter(
                deliverable__prescription__patient__document_number=filters.number
            )
    return queryset


PAYERS_SQL = (
    f'SELECT DISTINCT e."id", e."external_id", e."name" FROM "{NetworkLink._meta.db_table}" n '
    f'JOIN "{Entity._meta.db_table}" e ON e."id" = n."payer_id" '
    'WHERE n."provider_id" = %s ORDER BY e."name", e."id"'
)


def worklist_payers(*, entity: Entity) -> list[tuple]:
    """(pk, external_id, name) of the payers whose network `entity` is or was in, for the
    worklists' payer filter (one small query: the payers of the rows themselves would be a
    scan of every row)."""
    rows = _fetch(PAYERS_SQL, [entity.pk])
    return [(pk, uuid.UUID(str(external_id)), name) for pk, external_id, name in rows]


# Proveedor (Administrativo) ---------------------------------------------------------------


def to_program_base(*, entity: Entity) -> QuerySet[Direccionamiento]:
    return Direccionamiento.objects.filter(provider=entity, status=StepStatus.ACTIVO)


def to_program_list(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date
) -> QuerySet[Direccionamiento]:
    """Active direccionamientos directed to `entity` that match `filters`."""
    return _filtered(
        to_program_base(entity=entity), filters, date_field="max_delivery_date", today=today
    )


TO_PROGRAM = StepSql(
    name="to_program",
    model=Direccionamiento,
    owner="provider_id",
    order="max_delivery_date",
    date='s."max_delivery_date"',
    columns={
        "pk": 's."id"',
        "deliverable_id": 's."deliverable_id"',
        "max_delivery_date": 's."max_delivery_date"',
        "technology_code": 's."technology_code"',
        "quantity": 's."quantity"',
        "payer_code__code": 'pc."code"',
    },
    joins='LEFT JOIN "entities_payercode" pc ON pc."id" = s."payer_code_id"',
)


def to_program_page(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date, after: int | None, size: int
) -> Page:
    """The nearest FecMaxEnt first (the dir_provider_worklist index)."""
    scope = {"entity": entity, "filters": filters, "today": today}
    return TO_PROGRAM.page(after=after, size=size, **scope)


def to_program_export(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date
) -> Iterator[dict]:
    scope = {"entity": entity, "filters": filters, "today": today}
    return TO_PROGRAM.export(to_program_list, "municipality__name", "patient_address", **scope)


def direccionamiento_get_for_provider(*, entity: Entity, pk: int) -> Direccionamiento:
    """A direccionamiento directed to `entity` (any state); 404 otherwise."""
    try:
        return Direccionamiento.objects.select_related(
            *_related("deliverable__"), "payer_code", "municipality", "entity"
        ).get(pk=pk, provider=entity)
    except Direccionamiento.DoesNotExist:
        raise Http404 from None


# In the model's field order, as Model.from_db expects them.
REF_FIELDS = [
    field.attname
    for field in Direccionamiento._meta.concrete_fields
    if field.attname in {"id", "provider_id", "deliverable_id"}
]
_REF_COLUMNS = ", ".join(f'"{name}"' for name in REF_FIELDS)
REF_SQL = (
    f'SELECT {_REF_COLUMNS} FROM "supply_direccionamiento" WHERE "id" = %s AND "provider_id" = %s'
)


def direccionamiento_ref_for_provider(*, entity: Entity, pk: int) -> Direccionamiento:
    """What programacion_create needs of a direccionamiento directed to `entity` (its id,
    proveedor and deliverable, the other fields deferred as with `only()`); 404 otherwise.
    Written in SQL, which psycopg prepares: it is read on every programación (the ORM's
    query cost ~0.5 ms of CPU to build)."""
    rows = _fetch(REF_SQL, [pk, entity.pk])
    if not rows:
        raise Http404
    return Direccionamiento.from_db(connection.alias, REF_FIELDS, rows[0])


def active_sedes(*, entity: Entity) -> QuerySet[Sede]:
    return Sede.objects.filter(entity=entity, active=True).order_by("code")


@cache
def _sede_statement() -> tuple[Columns, str]:
    columns = Columns(Sede, "s")
    return columns, f'SELECT {columns.sql} FROM "{Sede._meta.db_table}" s WHERE s."id" = %s'


def sede_get(pk: int) -> Sede | None:
    """The sede `pk` of any entity (the services refuse another entity's with their own
    message), in one statement psycopg prepares; None when there is none."""
    if not 0 < pk < 2**63:  # not a bigint: no sede
        return None
    columns, sql = _sede_statement()
    rows = _fetch(sql, [pk])
    return columns.instance(rows[0]) if rows else None


def to_report_base(*, entity: Entity) -> QuerySet[Entrega]:
    return Entrega.objects.filter(entity=entity, status=StepStatus.ACTIVO)


def to_report_list(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date
) -> QuerySet[Entrega]:
    """Active entregas of `entity` waiting for their reporte that match `filters`."""
    return _filtered(to_report_base(entity=entity), filters, date_field="delivered_on", today=today)


TO_REPORT = StepSql(
    name="to_report",
    model=Entrega,
    owner="entity_id",
    order="delivered_on",
    date='s."delivered_on"',
    columns={
        "pk": 's."id"',
        "deliverable_id": 's."deliverable_id"',
        "delivered_on": 's."delivered_on"',
        "technology_code": 's."technology_code"',
        "quantity": 's."quantity"',
        "total": 's."total"',
        "in_ambito": 's."in_ambito"',
        "cause__code": 'c."code"',
        "sede__code": 'se."code"',
    },
    joins=(
        'LEFT JOIN "prescriptions_nondeliverycause" c ON c."id" = s."cause_id" '
        'LEFT JOIN "entities_sede" se ON se."id" = s."sede_id"'
    ),
)


def to_report_page(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date, after: int | None, size: int
) -> Page:
    """The oldest delivery first (the entrega_report_worklist index)."""
    scope = {"entity": entity, "filters": filters, "today": today}
    return TO_REPORT.page(after=after, size=size, **scope)


def to_report_export(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date
) -> Iterator[dict]:
    scope = {"entity": entity, "filters": filters, "today": today}
    return TO_REPORT.export(to_report_list, "pending_quantity", "batch", **scope)


def entrega_get_own(*, entity: Entity, pk: int) -> Entrega:
    try:
        return Entrega.objects.select_related(
            *_related("deliverable__"), "sede", "cause", "programacion"
        ).get(pk=pk, entity=entity)
    except Entrega.DoesNotExist:
        raise Http404 from None


def to_invoice_base(*, entity: Entity) -> QuerySet[ReporteEntrega]:
    return ReporteEntrega.objects.filter(entity=entity, status=StepStatus.ACTIVO, delivered=True)


def to_invoice_list(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date
) -> QuerySet[ReporteEntrega]:
    """Active reportes of `entity` saying delivered, waiting for their facturación, that
    match `filters` (the dates are the entrega's)."""
    return _filtered(
        to_invoice_base(entity=entity), filters, date_field="entrega__delivered_on", today=today
    )


TO_INVOICE = StepSql(
    name="to_invoice",
    model=ReporteEntrega,
    owner="entity_id",
    order="created_at",
    date='en."delivered_on"',
    columns={
        "pk": 's."id"',
        "deliverable_id": 's."deliverable_id"',
        "created_at": 's."created_at"',
        "value": 's."value"',
        "entrega__delivered_on": 'en."delivered_on"',
        "entrega__technology_code": 'en."technology_code"',
        "entrega__quantity": 'en."quantity"',
    },
    joins='JOIN "supply_entrega" en ON en."id" = s."entrega_id"',
    where='s."delivered"',
)


def to_invoice_page(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date, after: int | None, size: int
) -> Page:
    """The longest-waiting first, by the reporte's own date, which the reporte_worklist
    index serves; ordering by the entrega's date went through a join no index serves
    (~230 ms at a million deliverables)."""
    scope = {"entity": entity, "filters": filters, "today": today}
    return TO_INVOICE.page(after=after, size=size, **scope)


def to_invoice_export(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date
) -> Iterator[dict]:
    return TO_INVOICE.export(to_invoice_list, entity=entity, filters=filters, today=today)


def reporte_get_own(*, entity: Entity, pk: int) -> ReporteEntrega:
    try:
        return ReporteEntrega.objects.select_related(*_related("deliverable__"), "entrega").get(
            pk=pk, entity=entity
        )
    except ReporteEntrega.DoesNotExist:
        raise Http404 from None


def covered_supplies(*, line: TechnologyLine) -> list[ProcedureSupply]:
    """The device and supply lines a procedure line carries (seed 004), in force."""
    return list(
        ProcedureSupply.objects.filter(procedure_line=line, status__in=IN_FORCE)
        .select_related("line")
        .prefetch_related(_line_prefetch(""))
        .order_by("line__technology_type", "line__order")
    )


# Dispensador ------------------------------------------------------------------------------


MEMBERSHIP_SEDES_SQL = (
    f'SELECT s."sede_id" FROM "{Membership.sedes.through._meta.db_table}" s '
    f'JOIN "{Membership._meta.db_table}" m ON m."id" = s."membership_id" '
    'WHERE m."user_id" = %s AND m."entity_id" = %s AND m."role" = %s '
    'AND m."ended_at" IS NULL'
)


def dispensador_sedes(*, user, entity: Entity) -> set[int] | None:
    """The sedes where `user` delivers for `entity` (None: all of them), in one query:
    an active dispensador membership is unique per user and entity; one naming no sede,
    or none, means every sede."""
    params = [user.pk, entity.pk, Role.DISPENSADOR.value]
    rows = _fetch(MEMBERSHIP_SEDES_SQL, params)
    return {sede_id for (sede_id,) in rows} or None


def to_deliver_base(*, entity: Entity, sede_ids: set[int] | None) -> QuerySet[Programacion]:
    queryset = Programacion.objects.filter(entity=entity, status=StepStatus.ACTIVO)
    if sede_ids is not None:
        queryset = queryset.filter(sede_id__in=sede_ids)
    return queryset


def to_deliver_list(
    *, entity: Entity, sede_ids: set[int] | None, filters: WorklistFilters, today: datetime.date
) -> QuerySet[Programacion]:
    """Active programaciones of `entity` at the dispensador's sedes (`None`: all) that
    match `filters`."""
    return _filtered(
        to_deliver_base(entity=entity, sede_ids=sede_ids),
        filters,
        date_field="max_delivery_date",
        today=today,
    )


TO_DELIVER = StepSql(
    name="to_deliver",
    model=Programacion,
    owner="entity_id",
    order="max_delivery_date",
    date='s."max_delivery_date"',
    columns={
        "pk": 's."id"',
        "deliverable_id": 's."deliverable_id"',
        "max_delivery_date": 's."max_delivery_date"',
        "technology_code": 's."technology_code"',
        "quantity": 's."quantity"',
        "sede__code": 'se."code"',
        "sede__name": 'se."name"',
    },
    joins='JOIN "entities_sede" se ON se."id" = s."sede_id"',
)


def to_deliver_page(
    *,
    entity: Entity,
    sede_ids: set[int] | None,
    filters: WorklistFilters,
    today: datetime.date,
    after: int | None,
    size: int,
) -> Page:
    """The nearest FecMaxEnt first (the prog_worklist index)."""
    scope = {"entity": entity, "sede_ids": sede_ids, "filters": filters, "today": today}
    return TO_DELIVER.page(after=after, size=size, **scope)


def to_deliver_export(
    *, entity: Entity, sede_ids: set[int] | None, filters: WorklistFilters, today: datetime.date
) -> Iterator[dict]:
    scope = {"entity": entity, "sede_ids": sede_ids, "filters": filters, "today": today}
    return TO_DELIVER.export(to_deliver_list, **scope)


def programacion_get_for_dispensador(
    *, entity: Entity, sede_ids: set[int] | None, pk: int
) -> Programacion:
    """A programación of `entity` at a sede the dispensador serves; 404 otherwise (another
    entity's, or a sede the membership does not name)."""
    queryset = Programacion.objects.filter(entity=entity)
    if sede_ids is not None:
        queryset = queryset.filter(sede_id__in=sede_ids)
    try:
        return queryset.select_related(*_related("deliverable__"), "sede").get(pk=pk)
    except Programacion.DoesNotExist:
        raise Http404 from None


@dataclass
class Lookup:
    """What a dispensador may see of a prescription it looked up: nothing (`found` False)
    unless its entity takes part in the prescription's supply."""

    found: bool
    prescription: Prescription | None = None
    lines: list[TechnologyLine] = field(default_factory=list)
    programaciones: list[Programacion] = field(default_factory=list)
    ambito: bool = False  # the entity prescribed it in a hospital or urgencias setting


def prescription_lookup(
    *,
    entity: Entity,
    sede_ids: set[int] | None,
    number: str,
    document_type: str,
    document_number: str,
) -> Lookup:
    """The prescription `number` of the patient with that exact document, when `entity`
    has a chain in it (a direccionamiento to it, a programación or an entrega in force) or
    prescribed it in an ámbito of entregas en ámbito. The same empty answer for a wrong
    document, an unknown number or a prescription of others: it never reveals one."""
    prescription = (
        Prescription.objects.filter(
            number=number,
            patient__document_type=document_type,
            patient__document_number=document_number,
        )
        .select_related("patient", "payer", "entity")
        .first()
    )
    if prescription is None:
        return Lookup(found=False)
    ambito = prescription.entity_id == entity.pk and prescription.care_setting in AMBITO_SETTINGS
    in_chain = (
        Direccionamiento.objects.filter(
            deliverable__prescription=prescription, provider=entity, status__in=IN_FORCE
        ).exists()
        or Programacion.objects.filter(
            deliverable__prescription=prescription, entity=entity, status__in=IN_FORCE
        ).exists()
        or Entrega.objects.filter(
            deliverable__prescription=prescription, entity=entity, status__in=IN_FORCE
        ).exists()
    )
    if not (ambito or in_chain):
        return Lookup(found=False)
    lines = list(
        TechnologyLine.objects.filter(prescription=prescription)
        .select_related(*LINE_CATALOG_FIELDS, "dose_unit")
        .prefetch_related("ingredients__ingredient")
        .order_by("technology_type", "order")
    )
    programaciones = list(
        to_deliver_base(entity=entity, sede_ids=sede_ids)
        .filter(deliverable__prescription=prescription)
        .select_related("deliverable__line", "sede")
        .order_by("max_delivery_date", "id")
    )
    return Lookup(
        found=True,
        prescription=prescription,
        lines=lines,
        programaciones=programaciones,
        ambito=ambito,
    )


def ambito_line_get(*, entity: Entity, prescription_id, line_key: str) -> TechnologyLine:
    """A line of a hospital or urgencias prescription that `entity` prescribed; 404
    otherwise (entregas en ámbito are the prescribing IPS's)."""
    order = line_key[1:]
    if not (order.isdigit() and len(order) <= 4):
        raise Http404
    line = (
        TechnologyLine.objects.filter(
            prescription__external_id=prescription_id,
            prescription__entity=entity,
            prescription__care_setting__in=AMBITO_SETTINGS,
            technology_type=line_key[:1],
            order=int(order),
        )
        .select_related("prescription__patient", "prescription__payer", *LINE_CATALOG_FIELDS)
        .prefetch_related("ingredients__ingredient")
        .first()
    )
    if line is None:
        raise Http404
    return line


def next_delivery_number(*, line: TechnologyLine) -> int:
    """The NoEntrega to suggest for a new delivery of `line`: one past the highest used."""
    highest = line.deliverables.aggregate(highest=Max("delivery_number"))["highest"]
    return (highest or 0) + 1
