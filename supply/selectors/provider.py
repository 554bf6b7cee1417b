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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import batched
from operator import itemgetter
from typing import NamedTuple

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404

from entities.models import Entity, Membership, Sede
from entities.permissions import Role
from mipres.lib.pagination import Page, boundary, keyset_page
from prescriptions.enums import TechnologyType
from prescriptions.models import LineActiveIngredient, Prescription, TechnologyLine
from prescriptions.selectors.prescriptions import LINE_CATALOG_FIELDS

from ..models import (
    IN_FORCE,
    DeliverableRow,
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


# The view's columns, in `Delivery`'s order, then the line's technology type.
DELIVERY_COLUMNS = (*Delivery._fields, "technology_type")


def deliveries(ids: list[int]) -> dict[int, Delivery]:
    """The `Delivery` of each deliverable in `ids`, in one query on the view
    `supply_deliverable_row` (migration 0008): the same join composed through the ORM (a
    catalog subquery per catalog, the ingredients) cost ~5 ms of CPU a page to build. A
    line without a technology text is named by its type, translated here."""
    found = {}
    rows = DeliverableRow.objects.filter(pk__in=ids).values_list(*DELIVERY_COLUMNS)
    for *row, technology_type in rows:
        if not row[7]:  # no technology text: the type's name
            row[7] = str(TechnologyType(technology_type).label)
        found[row[0]] = Delivery._make(row)
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
class Worklist:
    """A worklist's rows: its ORM list, `listing(**scope)` (the active steps of an entity that
    match the filters), read as `values(*columns)` in the order (`order`, id) that the
    list's index serves, a keyset page at a time. «Siguientes» names a step of the entity
    (its `owner` field); another entity's, or none, starts from the top."""

    listing: Callable[..., QuerySet]
    owner: str
    order: str
    columns: tuple[str, ...]

    def page(self, *, after: int | None, size: int, **scope) -> Page:
        """The `size` rows (dicts) after the row `after` with their deliveries."""
        queryset = self.listing(**scope)
        if after is not None and (bound := self.boundary(queryset.model, scope["entity"], after)):
            # (key, id) > the boundary's; `key >= value` starts the index scan there.
            value, pk = bound
            queryset = queryset.filter(
                Q(**{f"{self.order}__gte": value}),
                Q(**{f"{self.order}__gt": value}) | Q(pk__gt=pk),
            )
        rows = list(queryset.order_by(self.order, "pk").values(*self.columns)[: size + 1])
        return _page_of(rows, after=after, size=size)

    def boundary(self, model, entity: Entity, after: int) -> tuple | None:
        """(order value, pk) of the entity's step `after`; the first page (no `after`)
        builds no queryset for it (~0.1 ms of ORM work a page)."""
        steps = model.objects.filter(**{self.owner: entity})
        return boundary(steps, self.order, "pk", pk=after)

    def export(self, *extra: str, **scope) -> Iterator[dict]:
        """Every row of the list with the `columns` and the `extra` fields, in the page's
        order and with its deliveries (`_export_rows`)."""
        return _export_rows(self.listing(**scope).values(*self.columns, *extra), key=self.order)


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


def worklist_payers(*, entity: Entity) -> list[tuple]:
    """(pk, external_id, name) of the payers whose network `entity` is or was in, for the
    worklists' payer filter (one small query: the payers of the rows themselves would be a
    scan of every row)."""
    payers = Entity.objects.filter(network_links__provider=entity).distinct()
    return list(payers.order_by("name", "pk").values_list("pk", "external_id", "name"))


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


TO_PROGRAM = Worklist(
    listing=to_program_list,
    owner="provider",
    order="max_delivery_date",
    columns=(
        "pk",
        "deliverable_id",
        "max_delivery_date",
        "technology_code",
        "quantity",
        "payer_code__code",
    ),
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
    return TO_PROGRAM.export("municipality__name", "patient_address", **scope)


def direccionamiento_get_for_provider(*, entity: Entity, pk: int) -> Direccionamiento:
    """A direccionamiento directed to `entity` (any state); 404 otherwise."""
    try:
        return Direccionamiento.objects.select_related(
            *_related("deliverable__"), "payer_code", "municipality", "entity"
        ).get(pk=pk, provider=entity)
    except Direccionamiento.DoesNotExist:
        raise Http404 from None


def direccionamiento_ref_for_provider(*, entity: Entity, pk: int) -> Direccionamiento:
    """What programacion_create needs of a direccionamiento directed to `entity` (its id,
    proveedor and deliverable, the other fields deferred); 404 otherwise."""
    found = Direccionamiento.objects.only("provider", "deliverable").filter(provider=entity)
    try:
        return found.get(pk=pk)
    except Direccionamiento.DoesNotExist:
        raise Http404 from None


def active_sedes(*, entity: Entity) -> QuerySet[Sede]:
    return Sede.objects.filter(entity=entity, active=True).order_by("code")


def sede_get(pk: int) -> Sede | None:
    """The sede `pk` of any entity (the services refuse another entity's with their own
    message); None when there is none."""
    return Sede.objects.filter(pk=pk).first()


def to_report_base(*, entity: Entity) -> QuerySet[Entrega]:
    return Entrega.objects.filter(entity=entity, status=StepStatus.ACTIVO)


def to_report_list(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date
) -> QuerySet[Entrega]:
    """Active entregas of `entity` waiting for their reporte that match `filters`."""
    return _filtered(to_report_base(entity=entity), filters, date_field="delivered_on", today=today)


TO_REPORT = Worklist(
    listing=to_report_list,
    owner="entity",
    order="delivered_on",
    columns=(
        "pk",
        "deliverable_id",
        "delivered_on",
        "technology_code",
        "quantity",
        "total",
        "in_ambito",
        "cause__code",
        "sede__code",
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
    return TO_REPORT.export("pending_quantity", "batch", **scope)


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


TO_INVOICE = Worklist(
    listing=to_invoice_list,
    owner="entity",
    order="created_at",
    columns=(
        "pk",
        "deliverable_id",
        "created_at",
        "value",
        "entrega__delivered_on",
        "entrega__technology_code",
        "entrega__quantity",
    ),
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
    return TO_INVOICE.export(entity=entity, filters=filters, today=today)


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


def dispensador_sedes(*, user, entity: Entity) -> set[int] | None:
    """The sedes where `user` delivers for `entity` (None: all of them): an active
    dispensador membership is unique per user and entity; one naming no sede, or none,
    means every sede. The request's user carries them with their roles
    (`entities.selectors.EntityAccess`, cached with the user and forgotten when a
    membership or its sedes change); another user costs one query."""
    accesses = getattr(user, "entity_accesses", None)
    if accesses is not None:
        for access in accesses:
            if access.entity.pk == entity.pk:
                sedes = access.dispensador_sedes
                return None if sedes is None else set(sedes)
        return None
    named = Membership.sedes.through.objects.filter(
        membership__user=user,
        membership__entity=entity,
        membership__role=Role.DISPENSADOR,
        membership__ended_at__isnull=True,
    )
    return set(named.values_list("sede_id", flat=True)) or None


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


TO_DELIVER = Worklist(
    listing=to_deliver_list,
    owner="entity",
    order="max_delivery_date",
    columns=(
        "pk",
        "deliverable_id",
        "max_delivery_date",
        "technology_code",
        "quantity",
        "sede__code",
        "sede__name",
    ),
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
    return TO_DELIVER.export(**scope)


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
