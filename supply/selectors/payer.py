"""The payer's reads (EPS/EOC/ET Administrativo, STYLE R5): every query starts from the
entity that pays (`prescription.payer`, `deliverable.payer`) or that recorded the step
(`record.entity`), so another payer's line or record answers 404.

Worklists are keyset-paginated («Siguientes», `after`; `mipres.lib.pagination`) on the
order they show, never counted: a page costs the same few queries whatever its number of
rows and wherever it starts, and its rows are plain values in slotted dataclasses, which
the templates write out.

A page is one ORM query on its worklist's view (`supply.models.payer_reads`, created in
migration 0009): the joins, the assigned quantity and the chain's steps are written once
in the view's SQL, and the query the ORM compiles is a filtered, ordered and limited read
of one relation (~0.4 ms of CPU; composing the same joins and subqueries through the ORM
cost «Por direccionar» ~3 ms of compile a request). Each worklist's filters, rows and
queryset are in `payer_statements`; this module pages and exports them and holds the
single-record reads. Every name callers import from here still is.
"""

from itertools import batched

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from entities.models import Entity, NetworkLink, PayerCode
from mipres.lib.pagination import Page, boundary, keyset_page
from prescriptions.enums import TechnologyType
from prescriptions.models import TechnologyLine
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
from .payer_statements import (
    CHAIN_FIELDS,
    DIRECTED_EXPORT_FIELDS,
    DIRECTED_FIELDS,
    LABEL_RELATIONS,
    LINE_COLUMNS,
    PENDING_FIELDS,
    REPORT_SECTIONS,
    ChainRow,
    DirectedFilters,
    LineFilters,
    LineRow,
    ReportFilters,
    chain_row,
    chain_step,  # noqa: F401 (callers import it from here)
    directed_records,
    directed_row,
    junta_block,  # noqa: F401 (callers import it from here)
    line_rows,
    lines_after,
    lines_to_direct,
    name_lines,
    newest_after,
    pending_records,
    report_records,
    step_labels,  # noqa: F401 (callers import it from here)
)

EXPORT_CHUNK = 500  # rows an export reads at a time (a server-side cursor)


def payer_codes(*, entity: Entity) -> list[tuple[int, str]]:
    """(pk, code) of the entity's códigos EPS, by code."""
    return list(PayerCode.objects.filter(entity=entity).order_by("code").values_list("pk", "code"))


def network_provider_choices(*, entity: Entity) -> list[tuple[int, str, str]]:
    """(pk, name, name and NIT as `Entity.__str__` writes them) of every provider that is
    or was in the payer's network (the «Direccionados» filter), by name."""
    network = NetworkLink.objects.filter(payer=entity).values("provider")
    rows = (
        Entity.objects.filter(pk__in=network)
        .order_by("name")
        .values_list("pk", "name", "nit", "dv")
    )
    return [(pk, name, f"{name} (NIT {nit}-{dv})") for pk, name, nit, dv in rows]


def entity_names(pks, known: dict[int, str]) -> dict[int, str]:
    """`known` names of entities, completed with one query for those `pks` it lacks."""
    missing = set(pks) - known.keys()
    if not missing:
        return known
    return {**known, **dict(Entity.objects.filter(pk__in=missing).values_list("pk", "name"))}


def lines_to_direct_page(
    *, entity: Entity, filters: LineFilters | None = None, after: int | None = None, size=25
) -> Page:
    """A page of «Por direccionar», starting after the line `after` (a line of another
    payer, or none, starts from the top)."""
    scope = TechnologyLine.objects.filter(prescription__payer=entity)
    bound = boundary(scope, "prescription__prescribed_at", "pk", pk=after)
    lines = lines_after(lines_to_direct(entity, filters or LineFilters()), bound)
    return keyset_page(line_rows(lines[: size + 1]), size=size, after=after)


def lines_to_direct_export(*, entity: Entity, filters: LineFilters | None = None):
    """Every matching line as a `LineRow`, read in chunks (for the CSV and XLSX)."""
    lines = lines_to_direct(entity, filters or LineFilters()).values_list(*LINE_COLUMNS)
    for chunk in batched(lines.iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK):
        rows = [LineRow(*values) for values in chunk]
        name_lines(rows)
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
        Exists(Direccionamiento.objects.filter(deliverable=OuterRef("pk"), status__in=IN_FORCE))
        | Exists(Entrega.objects.filter(deliverable=OuterRef("pk"), status__in=IN_FORCE))
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
    scope = Direccionamiento.objects.filter(entity=entity)
    bound = boundary(scope, "created_at", "pk", pk=after)
    records = newest_after(directed_records(entity, filters or DirectedFilters()), bound)
    values = records.values(*DIRECTED_FIELDS)[: size + 1]
    return keyset_page([directed_row(v) for v in values], size=size, after=after)


def directed_export(*, entity: Entity, filters: DirectedFilters | None = None):
    """Every matching direccionamiento as a `ChainRow` with its step and its proveedor's
    name and NIT, newest first, read in chunks (for the CSV and XLSX)."""
    records = directed_records(entity, filters or DirectedFilters())
    values = records.values(*DIRECTED_EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    yield from (directed_row(v) for v in values)


def patient_pending_list(
    *, entity: Entity, document_type: str, document_number: str, limit: int = 500
) -> list[ChainRow]:
    """The patient's deliveries `entity` directed and nobody delivered in full yet (a
    direccionamiento in force, no total entrega in force), by FecMaxEnt, with their deadline
    light; `data` holds the direccionamiento, its proveedor's name and `undelivered`, what a
    partial entrega left to deliver (issue 17 §23)."""
    records = pending_records(entity, document_type, document_number)
    today = timezone.localdate()
    rows = [chain_row(v) for v in records.values(*PENDING_FIELDS)[:limit]]
    for row in rows:
        row.light = deadline_light(row.data["max_delivery_date"], today)
        if row.data["undelivered"]:
            row.step = "entrega_parcial"
        elif row.data["status"] == StepStatus.PROCESADO:
            row.step = "programado"
        else:
            row.step = "direccionado"
    return rows


def _report_records(section: str, entity: Entity, filters: ReportFilters | None) -> QuerySet:
    return report_records(REPORT_SECTIONS[section], entity, filters or ReportFilters())


def report_page(
    section: str,
    *,
    entity: Entity,
    filters: ReportFilters | None = None,
    after: int | None = None,
    size: int = 25,
) -> Page:
    """A page of a section of «Suministro y datos facturados» (`REPORT_SECTIONS`)."""
    spec = REPORT_SECTIONS[section]
    records = _report_records(section, entity, filters)
    if spec.newest_first:
        scope = spec.records.objects.filter(entity=entity)
        records = newest_after(records, boundary(scope, "created_at", "pk", pk=after))
    elif after is not None:
        records = records.filter(pk__gt=after)
    values = records.values(*CHAIN_FIELDS, *spec.fields)[: size + 1]
    return keyset_page([chain_row(v) for v in values], size=size, after=after)


def report_export(section: str, *, entity: Entity, filters: ReportFilters | None = None):
    """Every record of a section as a `ChainRow`, in the page's order, read in chunks."""
    records = _report_records(section, entity, filters)
    values = records.values(*CHAIN_FIELDS, *REPORT_SECTIONS[section].fields)
    yield from (chain_row(v) for v in values.iterator(chunk_size=EXPORT_CHUNK))


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
