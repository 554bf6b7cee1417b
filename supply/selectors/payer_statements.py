"""The payer's worklists (`supply.selectors.payer`): for each, its filters, its row and its
queryset over the worklist's view (`supply.models.payer_reads`). A page's rows are plain
values (`values()` / `values_list()`), not model instances, in slotted dataclasses the
templates write out."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Model, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from entities.models import Entity
from mipres.lib.days import day_start, next_day_start
from prescriptions.enums import JuntaStatus, TechnologyType
from prescriptions.models import LineActiveIngredient, TechnologyLine
from prescriptions.selectors.prescriptions import LINE_CATALOG_FIELDS, technology_label

from ..models import (
    DatosFacturados,
    Entrega,
    Facturacion,
    PayerDatosFacturados,
    PayerDireccionamiento,
    PayerEntrega,
    PayerFacturacion,
    PayerLine,
    PayerPending,
    PayerSuministro,
    StepStatus,
    Suministro,
)

# What `technology_label` reads of a line without a description.
LABEL_RELATIONS = (
    *LINE_CATALOG_FIELDS,
    Prefetch("ingredients", queryset=LineActiveIngredient.objects.select_related("ingredient")),
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


# A LineRow's fields, in order, as `PayerLine` names them.
LINE_COLUMNS = (
    "pk",
    "key",
    "label",
    "technology_type",
    "supply_type",
    "total_quantity",
    "junta_status",
    "assigned",
    "number",
    "prescribed_at",
    "care_setting",
    "payer_code_id",
    "patient_name",
    "document_type",
    "document_number",
    "has_procedure",
)


def lines_to_direct(entity: Entity, filters: LineFilters) -> QuerySet[PayerLine]:
    """The lines «Por direccionar» shows of `entity` with `filters`, oldest prescription
    first (`PayerLine` holds the worklist's own conditions)."""
    lines = PayerLine.objects.filter(payer_id=entity.pk)
    if filters.date_from:
        lines = lines.filter(prescribed_at__gte=day_start(filters.date_from))
    if filters.date_to:
        lines = lines.filter(prescribed_at__lt=next_day_start(filters.date_to))
    if filters.care_setting:
        lines = lines.filter(care_setting=filters.care_setting)
    if filters.technology_type:
        lines = lines.filter(technology_type=filters.technology_type)
    if filters.payer_code:
        lines = lines.filter(payer_code_id=filters.payer_code)
    if filters.number:
        lines = lines.filter(number=filters.number)
    if filters.document:
        lines = lines.filter(document_number=filters.document)
    return lines.order_by("prescribed_at", "pk")


def lines_after(lines: QuerySet[PayerLine], bound: tuple | None) -> QuerySet[PayerLine]:
    """`lines` after the one whose (prescribed_at, pk) is `bound`: the bound on the date
    alone lets the index start there."""
    if bound is None:
        return lines
    at, pk = bound
    return lines.filter(
        Q(prescribed_at__gt=at) | Q(prescribed_at=at, pk__gt=pk), prescribed_at__gte=at
    )


def line_rows(lines: QuerySet[PayerLine]) -> list[LineRow]:
    """`lines` as LineRows, named (`name_lines`)."""
    rows = [LineRow(*values) for values in lines.values_list(*LINE_COLUMNS)]
    name_lines(rows)
    return rows


def name_lines(rows: list[LineRow]) -> None:
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
# facturados», each with the delivery it concerns.


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


# What a ChainRow reads of every record's view (`PayerChainRow`).
CHAIN_FIELDS = (
    "pk",
    "deliverable_id",
    "number",
    "line_key",
    "delivery_label",
    "patient_name",
    "document_type",
    "document_number",
)


def chain_row(values: dict) -> ChainRow:
    return ChainRow(
        pk=values["pk"],
        deliverable_id=values["deliverable_id"],
        number=values["number"],
        line_key=values["line_key"],
        delivery_label=values["delivery_label"],
        patient_name=values["patient_name"],
        document_type=values["document_type"],
        document_number=values["document_number"],
        data=values,
    )


def of_delivery(records: QuerySet, filters) -> QuerySet:
    """`records` of the deliverables of one prescription number or patient document."""
    if filters.number:
        records = records.filter(number=filters.number)
    if filters.document:
        records = records.filter(document_number=filters.document)
    return records


def newest_after(records: QuerySet, bound: tuple | None) -> QuerySet:
    """`records`, newest first, after the one whose (created_at, pk) is `bound`."""
    if bound is None:
        return records
    at, pk = bound
    return records.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))


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


# What a row of «Direccionados» reads; its export adds the proveedor's name and NIT (a page
# names it from the filter's list).
DIRECTED_FIELDS = (
    *CHAIN_FIELDS,
    "provider_id",
    "quantity",
    "max_delivery_date",
    "created_at",
    "status",
    "municipality_id",
    "technology_code",
    "has_entrega",
    "has_reporte",
    "has_factura",
)
DIRECTED_EXPORT_FIELDS = (*DIRECTED_FIELDS, "provider_name", "provider_nit")


def directed_records(entity: Entity, filters: DirectedFilters) -> QuerySet[PayerDireccionamiento]:
    """The direccionamientos `entity` recorded that match `filters`, newest first (index
    dir_payer_recent)."""
    records = PayerDireccionamiento.objects.filter(entity_id=entity.pk)
    if filters.status is not None:
        records = records.filter(status=filters.status)
    if filters.date_from is not None:
        records = records.filter(created_at__gte=day_start(filters.date_from))
    if filters.date_to is not None:
        records = records.filter(created_at__lt=next_day_start(filters.date_to))
    if filters.provider is not None:
        records = records.filter(provider_id=filters.provider)
    if filters.due_from is not None:
        records = records.filter(max_delivery_date__gte=filters.due_from)
    if filters.due_to is not None:
        records = records.filter(max_delivery_date__lte=filters.due_to)
    return of_delivery(records, filters).order_by("-created_at", "-pk")


def directed_row(values: dict) -> ChainRow:
    row = chain_row(values)
    row.step = chain_step(
        values["status"], values["has_entrega"], values["has_reporte"], values["has_factura"]
    )
    return row


# --- «Pendientes por paciente»

PENDING_FIELDS = (
    *CHAIN_FIELDS,
    "provider_id",
    "provider_name",
    "quantity",
    "max_delivery_date",
    "status",
    "undelivered",
)


def pending_records(
    entity: Entity, document_type: str, document_number: str
) -> QuerySet[PayerPending]:
    """The patient's deliveries `entity` directed (in force) that no entrega in force
    delivered in full, by FecMaxEnt."""
    return PayerPending.objects.filter(
        entity_id=entity.pk, document_type=document_type, document_number=document_number
    ).order_by("max_delivery_date", "pk")


# --- «Suministro y datos facturados»


@dataclass(frozen=True)
class ReportFilters:
    number: str = ""
    document: str = ""


@dataclass(frozen=True)
class ReportSection:
    """A section's view (`rows`), the entity its rows are of, what it reads of them and
    its order: the records awaiting the payer oldest first (by id), those the entity made
    newest first (on their (entity, created_at) index; `records`, the record's own model,
    bounds a page)."""

    rows: type[Model]
    records: type[Model]
    entity_field: str  # the entity whose rows they are: the payer, or who recorded them
    fields: tuple[str, ...]
    newest_first: bool


REPORT_SECTIONS = {
    # In-force entregas of deliverables the entity pays with no suministro in force.
    "suministro": ReportSection(
        PayerEntrega,
        Entrega,
        "payer_id",
        ("entity_id", "entity_name", "delivered_on", "total", "in_ambito", "quantity"),
        newest_first=False,
    ),
    # Active facturaciones (no datos facturados yet) of deliverables the entity pays.
    "facturados": ReportSection(
        PayerFacturacion,
        Facturacion,
        "payer_id",
        ("entity_id", "entity_name", "invoice_number", "units", "total_value"),
        newest_first=False,
    ),
    # The active suministros and datos facturados the entity recorded.
    "suministros": ReportSection(
        PayerSuministro,
        Suministro,
        "entity_id",
        ("created_at", "complete", "cause_code", "last_delivery", "quantity", "value"),
        newest_first=True,
    ),
    "datos": ReportSection(
        PayerDatosFacturados,
        DatosFacturados,
        "entity_id",
        ("created_at", "comparator", "total_delivered"),
        newest_first=True,
    ),
}


def report_records(section: ReportSection, entity: Entity, filters: ReportFilters) -> QuerySet:
    """The rows of a section that match `filters`, in its order."""
    records = of_delivery(section.rows.objects.filter(**{section.entity_field: entity.pk}), filters)
    order = ("-created_at", "-pk") if section.newest_first else ("pk",)
    return records.order_by(*order)
