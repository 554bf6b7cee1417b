"""The supply timeline of a prescription: per line and delivery, every step with its state,
dates, actor and annulment (issue 5 §8). A constant number of queries per prescription."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, prefetch_related_objects

from entities.models import Entity
from prescriptions.models import Prescription, TechnologyLine

from ..models import (
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    ProcedureSupply,
    Programacion,
    ReporteEntrega,
    StepStatus,
    Suministro,
)
from ..services.annulment import STEPS
from .kinds import KIND_BY_MODEL, KIND_LABELS

# The chain's steps in the order they happen, with the deliverable's related name.
CHAIN = (
    ("direccionamientos", Direccionamiento),
    ("programaciones", Programacion),
    ("entregas", Entrega),
    ("reportes", ReporteEntrega),
    ("facturaciones", Facturacion),
    ("datos_facturados", DatosFacturados),
    ("suministros", Suministro),
)


@dataclass
class Event:
    kind: str
    label: str
    record: object
    can_annul: bool = False


@dataclass
class DeliveryChain:
    deliverable: Deliverable
    events: list[Event] = field(default_factory=list)


@dataclass
class LineSupply:
    line: TechnologyLine
    deliveries: list[DeliveryChain] = field(default_factory=list)
    no_direccionamientos: list[Event] = field(default_factory=list)
    procedure_supplies: list[Event] = field(default_factory=list)


def _event(record, viewer: Entity, perms) -> Event:
    kind = KIND_BY_MODEL[type(record)]
    allowed = perms.intersection(STEPS[type(record)][0])
    can_annul = (
        record.status == StepStatus.ACTIVO and record.entity_id == viewer.pk and bool(allowed)
    )
    return Event(kind=kind, label=KIND_LABELS[kind], record=record, can_annul=can_annul)


def _step_queryset(model):
    related = ["entity", "created_by", "annulled_by"]
    if model is Programacion:
        related.append("sede")
    if model is Direccionamiento:
        related += ["provider", "municipality"]
    if hasattr(model, "cause"):
        related.append("cause")
    return model.objects.select_related(*related).order_by("created_at", "id")


def sees_whole_chain(prescription: Prescription, viewer: Entity) -> bool:
    """The payer and the prescribing entity see every chain; a provider only its own."""
    return viewer.pk in (prescription.payer_id, prescription.entity_id)


def supply_timeline(*, prescription: Prescription, viewer: Entity, perms) -> list[LineSupply]:
    """Per line of `prescription`: its deliveries (NoEntrega.NoSubEntrega) with their steps
    in the order they happened, its no direccionamientos and procedure inclusions.

    A provider that is neither the payer nor the prescriber sees only the deliverables
    where it recorded a step or was directed to."""
    deliverables = Deliverable.objects.filter(prescription=prescription)
    if not sees_whole_chain(prescription, viewer):
        deliverables = deliverables.filter(
            Q(direccionamientos__provider=viewer) | Q(entregas__entity=viewer)
        ).distinct()
    deliverables = deliverables.order_by("line_id", "delivery_number", "sub_number")
    deliverables = deliverables.prefetch_related(
        *(Prefetch(name, queryset=_step_queryset(model)) for name, model in CHAIN)
    )
    by_line: dict[int, LineSupply] = {}
    # The prescription's lines as the caller loaded them (the detail page prefetches them).
    lines = sorted(prescription.lines.all(), key=lambda line: (line.technology_type, line.order))
    whole = sees_whole_chain(prescription, viewer)
    if whole:
        prefetch_related_objects(
            lines,
            Prefetch("no_direccionamientos", queryset=_step_queryset(NoDireccionamiento)),
            Prefetch(
                "procedure_supplies",
                queryset=ProcedureSupply.objects.select_related(
                    "procedure_line", "entity", "created_by", "annulled_by"
                ),
            ),
        )
    for line in lines:
        supply = LineSupply(line=line)
        if whole:
            supply.no_direccionamientos = [
                _event(r, viewer, perms) for r in line.no_direccionamientos.all()
            ]
            supply.procedure_supplies = [
                _event(r, viewer, perms) for r in line.procedure_supplies.all()
            ]
        by_line[line.pk] = supply
    for deliverable in deliverables:
        chain = DeliveryChain(deliverable=deliverable)
        for name, _model in CHAIN:
            chain.events += [_event(r, viewer, perms) for r in getattr(deliverable, name).all()]
        chain.events.sort(key=lambda event: (event.record.created_at, event.record.pk))
        by_line[deliverable.line_id].deliveries.append(chain)
    return [supply for supply in by_line.values() if whole or supply.deliveries]
