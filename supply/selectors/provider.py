"""What the proveedor and its dispensadores see of the supply chain (STYLE R5): every read
starts from the acting entity, so another entity's record answers 404.

Worklists hold the steps waiting for this entity (status 1, activo): direccionamientos to
program, programaciones to deliver, entregas to report, reportes to invoice. Each is one
query for its rows whatever their number (plus the ingredients of medicine lines, for the
technology's name), ordered by FecMaxEnt where the step has one.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404

from entities.models import Entity, NetworkLink, Sede
from prescriptions.models import LineActiveIngredient, Prescription, TechnologyLine
from prescriptions.selectors.prescriptions import LINE_CATALOG_FIELDS, technology_label

from ..models import (
    IN_FORCE,
    Deliverable,
    Direccionamiento,
    Entrega,
    ProcedureSupply,
    Programacion,
    ReporteEntrega,
    StepStatus,
)
from ..services.provider import AMBITO_SETTINGS
from .deadlines import ON_TIME, OVERDUE, WITHIN_15, WITHIN_30

LIGHT_CODES = (OVERDUE, WITHIN_15, WITHIN_30, ON_TIME)


@dataclass(frozen=True)
class WorklistFilters:
    light: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    payer: Entity | None = None
    technology_type: str = ""
    number: str = ""  # a prescription number (20 digits) or a patient's document number


def light_range(code: str, today: datetime.date) -> Q:
    """The FecMaxEnt condition of a deadline light (deadlines.deadline_light's ranges)."""
    day = datetime.timedelta(days=1)
    if code == OVERDUE:
        return Q(max_delivery_date__lt=today)
    if code == WITHIN_15:
        return Q(max_delivery_date__gte=today, max_delivery_date__lte=today + 15 * day)
    if code == WITHIN_30:
        return Q(max_delivery_date__gt=today + 15 * day, max_delivery_date__lte=today + 30 * day)
    if code == ON_TIME:
        return Q(max_delivery_date__gt=today + 30 * day)
    return Q()


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


def _catalog_name(name: str) -> Subquery:
    model = TechnologyLine._meta.get_field(name).related_model
    return Subquery(model.objects.filter(pk=OuterRef(f"{name}_id")).values("name")[:1])


# The catalog name `technology_label` would show for a line without description (a nutritional
# product first for a nutritional line, then the first catalog set), as one scalar subquery
# per catalog: planned in microseconds, where joining five catalogs cost tens of ms.
CATALOG_NAME = Coalesce(
    Case(When(technology_type="N", then=_catalog_name("nutritional_product"))),
    *(_catalog_name(name) for name in LINE_CATALOG_FIELDS),
)


def worklist_rows(queryset: QuerySet, *extra: str) -> QuerySet:
    """A worklist's rows with what its page and export show, in a constant number of small
    queries (the rows with `extra` joined; then deliverables with their payer, prescriptions
    with their patient, lines with their catalog name, medicine ingredients) rather than one
    join of fourteen tables whose planning alone cost 50-80 ms."""
    return queryset.select_related(*extra).prefetch_related(
        Prefetch("deliverable", queryset=Deliverable.objects.select_related("payer")),
        Prefetch(
            "deliverable__prescription", queryset=Prescription.objects.select_related("patient")
        ),
        Prefetch(
            "deliverable__line",
            queryset=TechnologyLine.objects.annotate(catalog_name=CATALOG_NAME),
        ),
        _line_prefetch("deliverable__"),
    )


def line_label(line: TechnologyLine) -> str:
    """`technology_label` for a line read by `worklist_rows` (no catalog query)."""
    if line.description or line.technology_type == "M" or not hasattr(line, "catalog_name"):
        return technology_label(line)
    return line.catalog_name or line.get_technology_type_display()


def _filtered(queryset: QuerySet, filters: WorklistFilters, *, date_field: str, today) -> QuerySet:
    if filters.light:
        queryset = queryset.filter(light_range(filters.light, today))
    if filters.date_from:
        queryset = queryset.filter(**{f"{date_field}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{date_field}__lte": filters.date_to})
    if filters.payer is not None:
        queryset = queryset.filter(deliverable__payer=filters.payer)
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


def worklist_payers(*, entity: Entity) -> QuerySet[Entity]:
    """The payers whose network `entity` is or was in, for the worklists' payer filter (one
    small query: the payers of the rows themselves would be a scan of every row)."""
    links = NetworkLink.objects.filter(provider=entity).values("payer_id")
    return Entity.objects.filter(pk__in=links).order_by("name")


# Proveedor (Administrativo) ---------------------------------------------------------------


def to_program_base(*, entity: Entity) -> QuerySet[Direccionamiento]:
    return Direccionamiento.objects.filter(provider=entity, status=StepStatus.ACTIVO)


def to_program_list(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date
) -> QuerySet[Direccionamiento]:
    """Active direccionamientos directed to `entity`, the nearest FecMaxEnt first."""
    queryset = _filtered(
        to_program_base(entity=entity), filters, date_field="max_delivery_date", today=today
    )
    return worklist_rows(queryset, "payer_code", "municipality").order_by("max_delivery_date", "id")


def direccionamiento_get_for_provider(*, entity: Entity, pk: int) -> Direccionamiento:
    """A direccionamiento directed to `entity` (any state); 404 otherwise."""
    try:
        return Direccionamiento.objects.select_related(
            *_related("deliverable__"), "payer_code", "municipality", "entity"
        ).get(pk=pk, provider=entity)
    except Direccionamiento.DoesNotExist:
        raise Http404 from None


def active_sedes(*, entity: Entity) -> QuerySet[Sede]:
    return Sede.objects.filter(entity=entity, active=True).order_by("code")


def to_report_base(*, entity: Entity) -> QuerySet[Entrega]:
    return Entrega.objects.filter(entity=entity, status=StepStatus.ACTIVO)


def to_report_list(
    *, entity: Entity, filters: WorklistFilters, today: datetime.date
) -> QuerySet[Entrega]:
    """Active entregas of `entity` waiting for their reporte, oldest delivery first."""
    queryset = _filtered(
        to_report_base(entity=entity), filters, date_field="delivered_on", today=today
    )
    return worklist_rows(queryset, "sede", "cause").order_by("delivered_on", "id")


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
    """Active reportes of `entity` saying delivered, waiting for their facturación, the
    longest-waiting first. Ordered by the reporte's own date, which the reporte_worklist index
    serves; ordering by the entrega's date went through a join no index serves (~230 ms at a
    million deliverables)."""
    queryset = _filtered(
        to_invoice_base(entity=entity), filters, date_field="entrega__delivered_on", today=today
    )
    return worklist_rows(queryset, "entrega").order_by("created_at", "id")


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


def to_deliver_base(*, entity: Entity, sede_ids: set[int] | None) -> QuerySet[Programacion]:
    queryset = Programacion.objects.filter(entity=entity, status=StepStatus.ACTIVO)
    if sede_ids is not None:
        queryset = queryset.filter(sede_id__in=sede_ids)
    return queryset


def to_deliver_list(
    *, entity: Entity, sede_ids: set[int] | None, filters: WorklistFilters, today: datetime.date
) -> QuerySet[Programacion]:
    """Active programaciones of `entity` at the dispensador's sedes (`None`: all), the
    nearest FecMaxEnt first."""
    queryset = _filtered(
        to_deliver_base(entity=entity, sede_ids=sede_ids),
        filters,
        date_field="max_delivery_date",
        today=today,
    )
    return worklist_rows(queryset, "sede").order_by("max_delivery_date", "id")


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
