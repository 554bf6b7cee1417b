"""The payer's reads (EPS/EOC/ET Administrativo, STYLE R5): every query starts from the
entity that pays (`prescription.payer`, `deliverable.payer`) or that recorded the step
(`record.entity`), so another payer's line or record answers 404.

Worklists are keyset-paginated («Siguientes», `after`; `mipres.lib.pagination`) on the
order they show, never counted: a page costs the same few queries whatever its number of
rows and wherever it starts, and its rows are plain values in slotted dataclasses, which
the templates write out.

Their queries are SQL written once per combination of filters from the models' tables (as
`selectors.timeline` does), which psycopg prepares once per connection when they run often
(`prepare_threshold`), with the payer and the page size written in: the first page, without
filters, has no parameters, so PostgreSQL plans it once per connection and per payer.
Composed through the ORM, the subqueries of «Por direccionar» alone cost ~5 ms of CPU a
request to build and compile, and planning them took PostgreSQL ~1.5 ms more than running
them. The SQL is also shaped for
the planner: the conditions on a line are subqueries rather than joins, and a page's rows
are read first and only then joined to their deliverable, line, prescription and patient.

The statement plumbing lives in `payer_sql`, each worklist's filters, rows and SQL texts in
`payer_statements`; this module runs them and holds the single-record reads. Every name
callers import from here still is.
"""

from django.db.models import (
    OuterRef,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

from entities.models import Entity
from mipres.lib.pagination import Page, boundary, keyset_page
from prescriptions.enums import TechnologyType
from prescriptions.models import (
    TechnologyLine,
)
from prescriptions.selectors.prescriptions import technology_label

from ..models import (
    IN_FORCE,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    StepStatus,
)
from .deadlines import deadline_light
from .payer_sql import (
    LABEL_RELATIONS,
    _chunks,
    _in_force,
    _query,
    _shape,
    _sql,
)
from .payer_statements import (
    _DIRECTED_CONDITIONS,
    _LINE_CONDITIONS,
    _REPORT_CONDITIONS,
    _REPORT_SECTIONS,
    NEWEST_FIRST,
    ChainRow,
    DirectedFilters,
    LineFilters,
    LineRow,  # noqa: F401 (callers import it from here)
    ReportFilters,
    _chain_row,
    _directed_params,
    _directed_row,
    _directed_sql,
    _line_params,
    _line_row,
    _lines_sql,
    _name_lines,
    _pending_sql,
    _report_params,
    _report_sql,
    chain_step,  # noqa: F401 (callers import it from here)
    junta_block,  # noqa: F401 (callers import it from here)
    step_labels,  # noqa: F401 (callers import it from here)
)

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


def payer_codes(*, entity: Entity) -> list[tuple[int, str]]:
    """(pk, code) of the entity's códigos EPS, by code."""
    rows = _query(_sql(_PAYER_CODES), {"entity": entity.pk})
    return [(row["pk"], row["code"]) for row in rows]


def network_provider_choices(*, entity: Entity) -> list[tuple[int, str, str]]:
    """(pk, name, name and NIT as `Entity.__str__` writes them) of every provider that is
    or was in the payer's network (the «Direccionados» filter), by name."""
    rows = _query(_sql(_NETWORK_PROVIDERS), {"entity": entity.pk})
    return [(r["pk"], r["name"], f"{r['name']} (NIT {r['nit']}-{r['dv']})") for r in rows]


def entity_names(pks, known: dict[int, str]) -> dict[int, str]:
    """`known` names of entities, completed with one query for those `pks` it lacks."""
    missing = set(pks) - known.keys()
    if not missing:
        return known
    return {**known, **dict(Entity.objects.filter(pk__in=missing).values_list("pk", "name"))}


def _start_after(params: dict, records: QuerySet, key: str, after: int | None) -> None:
    """Bound a page to the rows after the record `after` of `records` (its sort `key`, then
    its pk); a record not in `records` (another payer's), or none, starts from the top."""
    bound = boundary(records, key, pk=after)
    if bound is not None:
        params.update(after_at=bound[0], after=after)


def _page_values(conditions, params: dict, sql) -> list[dict]:
    """A page's rows through `sql(shape)`, `shape` the combination of `conditions` that
    `params` hold."""
    return _query(sql(_shape(conditions, params)), params)


def _export_chunks(conditions, params: dict, sql):
    """An export's rows in chunks, through `sql(shape)`."""
    return _chunks(sql(_shape(conditions, params)), params)


def lines_to_direct_page(
    *, entity: Entity, filters: LineFilters | None = None, after: int | None = None, size=25
) -> Page:
    """A page of «Por direccionar», starting after the line `after` (a line of another
    payer, or none, starts from the top)."""
    params = _line_params(entity, filters or LineFilters(), size + 1)
    lines = TechnologyLine.objects.filter(prescription__payer=entity)
    _start_after(params, lines, "prescription__prescribed_at", after)
    values = _page_values(_LINE_CONDITIONS, params, _lines_sql)
    page = keyset_page([_line_row(v) for v in values], size=size, after=after)
    _name_lines(page.rows)
    return page


def lines_to_direct_export(*, entity: Entity, filters: LineFilters | None = None):
    """Every matching line as a `LineRow`, read in chunks (for the CSV and XLSX)."""
    params = _line_params(entity, filters or LineFilters(), None)
    chunks = _export_chunks(_LINE_CONDITIONS, params, _lines_sql)
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


def directed_page(
    *, entity: Entity, filters: DirectedFilters | None = None, after: int | None = None, size=25
) -> Page:
    """A page of the direccionamientos `entity` recorded, newest first, with how far each
    chain went (`step`); `data` holds the direccionamiento (`provider_id` its proveedor)."""
    params = _directed_params(entity, filters or DirectedFilters(), size + 1)
    _start_after(params, Direccionamiento.objects.filter(entity=entity), "created_at", after)
    values = _page_values(_DIRECTED_CONDITIONS, params, lambda shape: _directed_sql(shape, False))
    return keyset_page([_directed_row(v) for v in values], size=size, after=after)


def directed_export(*, entity: Entity, filters: DirectedFilters | None = None):
    """Every matching direccionamiento as a `ChainRow` with its step and its proveedor's
    name and NIT, newest first, read in chunks (for the CSV and XLSX)."""
    params = _directed_params(entity, filters or DirectedFilters(), None)
    chunks = _export_chunks(_DIRECTED_CONDITIONS, params, lambda shape: _directed_sql(shape, True))
    for chunk in chunks:
        yield from (_directed_row(values) for values in chunk)


def patient_pending_list(
    *, entity: Entity, document_type: str, document_number: str, limit: int = 500
) -> list[ChainRow]:
    """The patient's deliveries `entity` directed and nobody delivered in full yet (a
    direccionamiento in force, no total entrega in force), by FecMaxEnt, with their deadline
    light; `data` holds the direccionamiento, its proveedor's name and `undelivered`, what a
    partial entrega left to deliver (issue 17 §23)."""
    params = {
        "entity": entity.pk,
        "document_type": document_type,
        "document_number": document_number,
        "limit": limit,
    }
    values = _query(_pending_sql(), params)
    today = timezone.localdate()
    rows = [_chain_row(v) for v in values]
    for row in rows:
        row.light = deadline_light(row.data["max_delivery_date"], today)
        if row.data["undelivered"]:
            row.step = "entrega_parcial"
        elif row.data["status"] == StepStatus.PROCESADO:
            row.step = "programado"
        else:
            row.step = "direccionado"
    return rows


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
    if section in NEWEST_FIRST:
        records = _REPORT_SECTIONS[section][0].objects.filter(entity=entity)
        _start_after(params, records, "created_at", after)
    elif after is not None:
        params["after"] = after
    values = _page_values(_REPORT_CONDITIONS, params, lambda shape: _report_sql(section, shape))
    return keyset_page([_chain_row(v) for v in values], size=size, after=after)


def report_export(section: str, *, entity: Entity, filters: ReportFilters | None = None):
    """Every record of a section as a `ChainRow`, in the page's order, read in chunks."""
    params = _report_params(entity, filters, None)
    chunks = _export_chunks(_REPORT_CONDITIONS, params, lambda shape: _report_sql(section, shape))
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
