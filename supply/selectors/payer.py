"""The payer's reads (EPS/EOC/ET Administrativo, STYLE R5): every query starts from the
entity that pays (`prescription.payer`, `deliverable.payer`) or that recorded the step
(`record.entity`), so another payer's line or record answers 404.

Worklists are keyset-paginated ("seek") on the order they show, never counted: a page costs
the same few queries whatever its number of rows and wherever it starts.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

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
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from entities.models import Entity, NetworkLink, PayerCode
from prescriptions.enums import JuntaStatus, PrescriptionStatus, TechnologyType
from prescriptions.models import LineActiveIngredient, TechnologyLine
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
from .deadlines import deadline_light

QUANTITY_FIELD = DecimalField(max_digits=12, decimal_places=3)
ZERO = Value(Decimal(0), output_field=QUANTITY_FIELD)

# What `technology_label` reads of a line without a description.
LABEL_RELATIONS = (
    *LINE_CATALOG_FIELDS,
    Prefetch("ingredients", queryset=LineActiveIngredient.objects.select_related("ingredient")),
)


# ---------------------------------------------------------------------------------------
# Keyset pages


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


def seek(
    queryset: QuerySet,
    *,
    scope: QuerySet,
    key: str | None,
    descending: bool,
    after: int | None,
    size: int,
) -> tuple[list, int | None]:
    """The `size` rows of `queryset` after the row `after`, ordered by (`key`, pk) — or by
    pk alone when `key` is None. The boundary row is looked up in `scope` (the entity's
    rows), so a foreign or unknown pk starts from the beginning."""
    sign = "-" if descending else ""
    cmp = "lt" if descending else "gt"
    if after is not None:
        if key is None:
            queryset = queryset.filter(**{f"pk__{cmp}": after})
        else:
            bound = scope.filter(pk=after).values_list(key, "pk").first()
            if bound is not None:
                value, pk = bound
                queryset = queryset.filter(
                    Q(**{f"{key}__{cmp}": value}) | Q(**{key: value, f"pk__{cmp}": pk})
                )
    order = (f"{sign}pk",) if key is None else (f"{sign}{key}", f"{sign}pk")
    rows = list(queryset.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more and rows else None)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _created_range(queryset: QuerySet, name: str, date_from, date_to) -> QuerySet:
    """Compare an indexed timestamp with local-day bounds rather than casting it."""
    if date_from:
        queryset = queryset.filter(**{f"{name}__gte": _day_start(date_from)})
    if date_to:
        queryset = queryset.filter(
            **{f"{name}__lt": _day_start(date_to + datetime.timedelta(days=1))}
        )
    return queryset


def _in_force(model, **lookups) -> Exists:
    return Exists(model.objects.filter(status__in=IN_FORCE, **lookups))


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


def name_of(*parts) -> str:
    return " ".join(p for p in parts if p)


def payer_codes(*, entity: Entity) -> QuerySet[PayerCode]:
    return PayerCode.objects.filter(entity=entity).order_by("code")


def network_provider_choices(*, entity: Entity) -> QuerySet[Entity]:
    """Every provider that is or was in the payer's network (the «Direccionados» filter)."""
    links = NetworkLink.objects.filter(payer=entity).values("provider_id")
    return Entity.objects.filter(pk__in=links).order_by("name")


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


@dataclass
class LineRow:
    """A line awaiting direccionamiento, with what the worklist shows of it."""

    line: TechnologyLine
    label: str
    assigned: Decimal
    has_procedure: bool

    @property
    def prescription(self):
        return self.line.prescription

    @property
    def remaining(self) -> Decimal:
        return self.line.total_quantity - self.assigned

    @property
    def blocked_reason(self) -> str:
        """Why the line cannot be directed now ("" when it can)."""
        if self.line.junta_status == JuntaStatus.PENDIENTE:
            return _("Pendiente de junta")
        if self.line.junta_status == JuntaStatus.NO_APROBADA:
            return _("No aprobada por la junta")
        return ""

    @property
    def can_direct(self) -> bool:
        return not self.blocked_reason

    @property
    def can_include(self) -> bool:
        """A device line of a prescription with a procedure, nothing assigned yet."""
        return (
            self.line.technology_type == TechnologyType.DISPOSITIVO
            and self.has_procedure
            and self.assigned == 0
        )


def lines_to_direct(
    *, entity: Entity, filters: LineFilters | None = None, with_procedure: bool = True
) -> QuerySet:
    """Lines of the active prescriptions `entity` pays whose prescribed total is not all
    assigned (in-force direccionamientos plus in-force entregas en ámbito, computed in SQL
    as `services.common.assigned_quantity` does in Python), with no no-direccionamiento
    and no procedure carrying them in force. Lines pending or rejected by the Junta stay
    (the worklist says why they cannot be directed). Annotated: `assigned`, and
    `has_procedure` unless `with_procedure` is False (a page reads it for its own rows:
    PostgreSQL plans that EXISTS as a hashed scan of every procedure line)."""
    filters = filters or LineFilters()
    queryset = TechnologyLine.objects.filter(
        prescription__payer=entity, prescription__status=PrescriptionStatus.ACTIVA
    )
    queryset = _created_range(
        queryset, "prescription__prescribed_at", filters.date_from, filters.date_to
    )
    if filters.care_setting:
        queryset = queryset.filter(prescription__care_setting=filters.care_setting)
    if filters.technology_type:
        queryset = queryset.filter(technology_type=filters.technology_type)
    if filters.payer_code:
        queryset = queryset.filter(prescription__payer_code_id=filters.payer_code)
    if filters.number:
        queryset = queryset.filter(prescription__number=filters.number)
    if filters.document:
        queryset = queryset.filter(prescription__patient__document_number=filters.document)
    queryset = queryset.annotate(
        assigned=_sum_in_force(Direccionamiento) + _sum_in_force(Entrega, in_ambito=True)
    )
    if with_procedure:
        queryset = queryset.annotate(
            has_procedure=Exists(
                TechnologyLine.objects.filter(
                    prescription=OuterRef("prescription"),
                    technology_type=TechnologyType.PROCEDIMIENTO,
                )
            )
        )
    return (
        queryset.filter(assigned__lt=F("total_quantity"))
        .filter(~_in_force(NoDireccionamiento, line=OuterRef("pk")))
        .filter(~_in_force(ProcedureSupply, line=OuterRef("pk")))
        .select_related("prescription__patient", "prescription__payer_code")
    )


def _line_rows(lines: list[TechnologyLine]) -> list[LineRow]:
    unnamed = [line for line in lines if not line.description]
    if unnamed:
        prefetch_related_objects(unnamed, *LABEL_RELATIONS)
    # Which of the page's prescriptions hold a procedure: one query for the page.
    with_procedure = set(
        TechnologyLine.objects.filter(
            prescription_id__in={line.prescription_id for line in lines},
            technology_type=TechnologyType.PROCEDIMIENTO,
        )
        .order_by()
        .values_list("prescription_id", flat=True)
    )
    return [
        LineRow(
            line=line,
            label=technology_label(line),
            assigned=line.assigned,
            has_procedure=line.prescription_id in with_procedure,
        )
        for line in lines
    ]


def lines_to_direct_page(
    *, entity: Entity, filters: LineFilters | None = None, after: int | None = None, size=25
) -> Page:
    """Oldest prescription first."""
    rows, next_after = seek(
        lines_to_direct(entity=entity, filters=filters, with_procedure=False),
        scope=TechnologyLine.objects.filter(prescription__payer=entity),
        key="prescription__prescribed_at",
        descending=False,
        after=after,
        size=size,
    )
    return Page(rows=_line_rows(rows), next_after=next_after, first=after is None)


def lines_to_direct_export(*, entity: Entity, filters: LineFilters | None = None):
    """Every matching line as a `LineRow`, read in chunks (for the CSV and XLSX)."""
    queryset = lines_to_direct(entity=entity, filters=filters).prefetch_related(*LABEL_RELATIONS)
    queryset = queryset.order_by("prescription__prescribed_at", "pk")
    for line in queryset.iterator(chunk_size=500):
        yield LineRow(
            line=line,
            label=technology_label(line),
            assigned=line.assigned,
            has_procedure=line.has_procedure,
        )


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
# «Direccionados»


def step_label(code: str) -> str:
    """The chain's step as the lists show it (translated when shown)."""
    labels = {
        "anulado": _("Anulado"),
        "direccionado": _("Direccionado"),
        "programado": _("Programado"),
        "entregado": _("Entregado"),
        "reportado": _("Reportado"),
        "facturado": _("Facturado"),
    }
    return labels[code]


def chain_step(direccionamiento: Direccionamiento) -> str:
    """How far the chain of an in-force direccionamiento went. Status 1: nobody programmed
    it yet; 2: programmed, and then the deliverable's in-force entrega, reporte and
    facturación (annotated by `directed_list`) say how far it went."""
    if direccionamiento.status == StepStatus.ANULADO:
        return "anulado"
    if direccionamiento.status == StepStatus.ACTIVO:
        return "direccionado"
    if getattr(direccionamiento, "has_factura", False):
        return "facturado"
    if getattr(direccionamiento, "has_reporte", False):
        return "reportado"
    if getattr(direccionamiento, "has_entrega", False):
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


def directed_list(
    *, entity: Entity, filters: DirectedFilters | None = None, with_steps: bool = True
) -> QuerySet:
    """The direccionamientos `entity` recorded, with three EXISTS telling how far each
    chain went (`has_entrega`, `has_reporte`, `has_factura`, in force on the deliverable:
    while a direccionamiento is in force its deliverable has no other chain). Without
    `with_steps` the caller reads them for its own rows (`chain_steps_fill`): PostgreSQL
    plans those EXISTS as hashed scans of every entrega, reporte and facturación."""
    filters = filters or DirectedFilters()
    queryset = Direccionamiento.objects.filter(entity=entity)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    queryset = _created_range(queryset, "created_at", filters.date_from, filters.date_to)
    if filters.provider:
        queryset = queryset.filter(provider_id=filters.provider)
    if filters.due_from:
        queryset = queryset.filter(max_delivery_date__gte=filters.due_from)
    if filters.due_to:
        queryset = queryset.filter(max_delivery_date__lte=filters.due_to)
    if filters.number:
        queryset = queryset.filter(deliverable__prescription__number=filters.number)
    if filters.document:
        queryset = queryset.filter(
            deliverable__prescription__patient__document_number=filters.document
        )
    queryset = queryset.select_related(
        "deliverable__line", "deliverable__prescription__patient", "provider"
    )
    if not with_steps:
        return queryset
    deliverable = OuterRef("deliverable_id")
    return queryset.annotate(
        has_entrega=_in_force(Entrega, deliverable=deliverable),
        has_reporte=_in_force(ReporteEntrega, deliverable=deliverable),
        has_factura=_in_force(Facturacion, deliverable=deliverable),
    )


def chain_steps_fill(rows: list[Direccionamiento]) -> None:
    """`has_entrega`, `has_reporte` and `has_factura` for a page of direccionamientos: one
    query over their deliverables (25 rows: PostgreSQL probes each step's in-force index)."""
    ids = {row.deliverable_id for row in rows if row.status == StepStatus.PROCESADO}
    found: dict[int, tuple[bool, bool, bool]] = {}
    if ids:
        deliverable = OuterRef("pk")
        found = {
            pk: flags
            for pk, *flags in Deliverable.objects.filter(pk__in=ids)
            .annotate(
                e=_in_force(Entrega, deliverable=deliverable),
                r=_in_force(ReporteEntrega, deliverable=deliverable),
                f=_in_force(Facturacion, deliverable=deliverable),
            )
            .values_list("pk", "e", "r", "f")
        }
    for row in rows:
        row.has_entrega, row.has_reporte, row.has_factura = found.get(
            row.deliverable_id, (False, False, False)
        )


def directed_page(
    *, entity: Entity, filters: DirectedFilters | None = None, after: int | None = None, size=25
) -> Page:
    """Newest first."""
    rows, next_after = seek(
        directed_list(entity=entity, filters=filters, with_steps=False),
        scope=Direccionamiento.objects.filter(entity=entity),
        key="created_at",
        descending=True,
        after=after,
        size=size,
    )
    chain_steps_fill(rows)
    for row in rows:
        row.step = chain_step(row)
    return Page(rows=rows, next_after=next_after, first=after is None)


# ---------------------------------------------------------------------------------------
# «Pendientes por paciente»


@dataclass
class PendingRow:
    direccionamiento: Direccionamiento
    light: tuple[str, str, str]
    step: str = field(default="direccionado")


def patient_pending_list(
    *, entity: Entity, document_type: str, document_number: str, limit: int = 500
) -> list[PendingRow]:
    """The patient's deliveries `entity` directed and nobody delivered yet (a direccionamiento
    in force, no entrega in force), by FecMaxEnt, with their deadline light."""
    queryset = (
        Direccionamiento.objects.filter(
            entity=entity,
            status__in=IN_FORCE,
            deliverable__prescription__patient__document_type=document_type,
            deliverable__prescription__patient__document_number=document_number,
        )
        .filter(~_in_force(Entrega, deliverable=OuterRef("deliverable_id")))
        .select_related("deliverable__line", "deliverable__prescription__patient", "provider")
        .order_by("max_delivery_date", "pk")
    )
    today = timezone.localdate()
    return [
        PendingRow(
            direccionamiento=d,
            light=deadline_light(d.max_delivery_date, today),
            step="programado" if d.status == StepStatus.PROCESADO else "direccionado",
        )
        for d in queryset[:limit]
    ]


# ---------------------------------------------------------------------------------------
# «Suministro y datos facturados»


@dataclass(frozen=True)
class ReportFilters:
    number: str = ""
    document: str = ""


def _by_prescription(queryset: QuerySet, filters: ReportFilters | None) -> QuerySet:
    filters = filters or ReportFilters()
    if filters.number:
        queryset = queryset.filter(deliverable__prescription__number=filters.number)
    if filters.document:
        queryset = queryset.filter(
            deliverable__prescription__patient__document_number=filters.document
        )
    return queryset


_CHAIN_RELATED = ("deliverable__line", "deliverable__prescription__patient", "entity")


def entregas_awaiting_suministro(*, entity: Entity, filters: ReportFilters | None = None):
    """In-force entregas of deliverables `entity` pays with no suministro in force."""
    queryset = Entrega.objects.filter(deliverable__payer=entity, status__in=IN_FORCE).filter(
        ~_in_force(Suministro, deliverable=OuterRef("deliverable_id"))
    )
    return _by_prescription(queryset, filters).select_related(*_CHAIN_RELATED)


def facturaciones_awaiting_datos(*, entity: Entity, filters: ReportFilters | None = None):
    """Active facturaciones (status 1: no datos facturados yet) of deliverables `entity`
    pays."""
    queryset = Facturacion.objects.filter(deliverable__payer=entity, status=StepStatus.ACTIVO)
    return _by_prescription(queryset, filters).select_related(*_CHAIN_RELATED)


def suministros_active(*, entity: Entity, filters: ReportFilters | None = None):
    queryset = Suministro.objects.filter(entity=entity, status=StepStatus.ACTIVO)
    return _by_prescription(queryset, filters).select_related(
        "deliverable__line", "deliverable__prescription__patient", "cause"
    )


def datos_facturados_active(*, entity: Entity, filters: ReportFilters | None = None):
    queryset = DatosFacturados.objects.filter(entity=entity, status=StepStatus.ACTIVO)
    return _by_prescription(queryset, filters).select_related(
        "deliverable__line", "deliverable__prescription__patient", "facturacion"
    )


def report_page(queryset: QuerySet, *, after: int | None, size: int = 25, newest=False) -> Page:
    rows, next_after = seek(
        queryset, scope=queryset, key=None, descending=newest, after=after, size=size
    )
    return Page(rows=rows, next_after=next_after, first=after is None)


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
