"""What the patient's page reads: the patient's active prescriptions, each line's supply in
plain states, and the renewal requests. Every read takes the patient's id from the
patient's session, so another patient's prescription is simply not found (404)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from prescriptions.enums import PrescriptionStatus, SupplyType, TimeUnit
from prescriptions.models import Patient, Prescription, TechnologyLine
from prescriptions.selectors.prescriptions import technology_label
from supply.models import (
    IN_FORCE,
    Deliverable,
    Direccionamiento,
    Entrega,
    NoDireccionamiento,
    Pendiente,
    PendienteStatus,
    Programacion,
)

from .models import RenewalRequest, RenewalStatus

# A sucesiva line may be renewed from this many days before its treatment ends until this
# many days after.
RENEW_BEFORE_DAYS = 15
RENEW_AFTER_DAYS = 30
_UNIT_DAYS = {TimeUnit.DIA: 1, TimeUnit.SEMANA: 7, TimeUnit.MES: 30, TimeUnit.ANO: 365}


def line_end(line: TechnologyLine, prescribed_at: datetime.datetime) -> datetime.date | None:
    """The day a line's treatment ends (prescription date + duration), when its duration is
    in days, weeks, months or years."""
    days = _UNIT_DAYS.get(line.duration_unit)
    if days is None or not line.duration_amount:
        return None
    return timezone.localdate(prescribed_at) + datetime.timedelta(days=days * line.duration_amount)


def renewal_refusal(line: TechnologyLine, prescription: Prescription) -> str | None:
    """Why the line cannot be renewed now (a code), or None when it can."""
    if line.supply_type != SupplyType.SUCESIVA:
        return "not_sucesiva"
    end = line_end(line, prescription.prescribed_at)
    today = timezone.localdate()
    if end is None or not (
        end - datetime.timedelta(days=RENEW_BEFORE_DAYS)
        <= today
        <= end + datetime.timedelta(days=RENEW_AFTER_DAYS)
    ):
        return "not_near_end"
    return None


@dataclass
class Delivery:
    """One delivery (NoEntrega) of a line, as the patient is told about it."""

    label: str
    state: str  # directed, programmed, delivered, failed, pendiente
    max_delivery_date: datetime.date | None = None
    provider: str = ""
    municipality: str = ""
    sede: str = ""
    sede_address: str = ""
    delivered_on: datetime.date | None = None
    quantity: Decimal | None = None
    owed: Decimal = Decimal(0)
    cause: str = ""
    pendiente: Pendiente | None = None
    overdue: bool = False


@dataclass
class Line:
    line: TechnologyLine
    label: str
    state: str  # por_direccionar, no_direccionada, en_suministro
    cause: str = ""
    owed: Decimal = Decimal(0)
    deliveries: list[Delivery] = field(default_factory=list)
    renewable: bool = False
    renewal: RenewalRequest | None = None


@dataclass
class PrescriptionView:
    prescription: Prescription
    lines: list[Line]


def patient_get(patient_id: int) -> Patient:
    return Patient.objects.get(pk=patient_id)


def _active(patient_id: int):
    return Prescription.objects.filter(
        patient_id=patient_id, status=PrescriptionStatus.ACTIVA, annulled_at__isnull=True
    )


def prescription_for_patient(*, patient_id: int, number: str) -> Prescription:
    prescription = _active(patient_id).filter(number=number).first()
    if prescription is None:
        raise Http404
    return prescription


def line_for_patient(*, patient_id: int, line_id: int) -> TechnologyLine:
    line = (
        TechnologyLine.objects.select_related("prescription")
        .filter(pk=line_id, prescription__in=_active(patient_id))
        .first()
    )
    if line is None:
        raise Http404
    return line


def _by(rows, key: str) -> dict:
    return {getattr(row, key): row for row in rows}


def _deliveries(deliverables, now) -> dict[int, list[Delivery]]:
    """The deliveries of each line, in order, with the state of their newest step."""
    ids = [d.pk for d in deliverables]
    in_force = Q(deliverable_id__in=ids, status__in=IN_FORCE)
    directed = _by(
        Direccionamiento.objects.filter(in_force).select_related("provider", "municipality"),
        "deliverable_id",
    )
    programmed = _by(Programacion.objects.filter(in_force).select_related("sede"), "deliverable_id")
    delivered = _by(Entrega.objects.filter(in_force).select_related("cause"), "deliverable_id")
    pending = _by(
        Pendiente.objects.filter(deliverable_id__in=ids, status=PendienteStatus.ABIERTO)
        .select_related("sede")
        .filter(programacion__status=1),
        "deliverable_id",
    )
    result: dict[int, list[Delivery]] = {}
    for deliverable in deliverables:
        d = directed.get(deliverable.pk)
        p = programmed.get(deliverable.pk)
        e = delivered.get(deliverable.pk)
        item = Delivery(label=deliverable.delivery_label, state="directed")
        if d is not None:
            item.provider, item.municipality = d.provider.name, d.municipality.name
            item.max_delivery_date, item.quantity = d.max_delivery_date, d.quantity
        if p is not None:
            item.state, item.sede, item.sede_address = "programmed", p.sede.name, p.sede.address
            item.max_delivery_date, item.quantity = p.max_delivery_date, p.quantity
        if e is not None:
            item.delivered_on, item.quantity, item.owed = (
                e.delivered_on,
                e.quantity,
                e.pending_quantity,
            )
            item.state = "delivered" if e.quantity > 0 else "failed"
            item.cause = e.cause.name if e.cause_id and e.quantity == 0 else ""
        elif deliverable.pk in pending:
            item.state, item.pendiente = "pendiente", pending[deliverable.pk]
            item.owed = item.pendiente.quantity
            item.overdue = item.pendiente.promised_at < now
        elif d is None and p is None:
            continue  # every step annulled: the line shows as not yet directed
        result.setdefault(deliverable.line_id, []).append(item)
    return result


def patient_prescriptions(patient_id: int) -> list[PrescriptionView]:
    """The patient's active prescriptions, newest first, with their lines' supply."""
    prescriptions = list(
        _active(patient_id)
        .select_related("entity")
        .prefetch_related("lines__ingredients__ingredient")
    )
    ids = [p.pk for p in prescriptions]
    deliverables = list(
        Deliverable.objects.filter(prescription_id__in=ids).order_by(
            "line_id", "delivery_number", "sub_number"
        )
    )
    deliveries = _deliveries(deliverables, timezone.now())
    not_directed = _by(
        NoDireccionamiento.objects.filter(
            prescription_id__in=ids, status__in=IN_FORCE
        ).select_related("cause"),
        "line_id",
    )
    renewals = {}
    for request in RenewalRequest.objects.filter(prescription_id__in=ids).order_by("created_at"):
        renewals[request.line_id] = request  # the newest per line
    views = []
    for prescription in prescriptions:
        lines = []
        for line in prescription.lines.all():
            items = deliveries.get(line.pk, [])
            delivered = sum((i.quantity for i in items if i.delivered_on), Decimal(0))
            view = Line(
                line=line,
                label=technology_label(line),
                state="en_suministro" if items else "por_direccionar",
                owed=max(line.total_quantity - delivered, Decimal(0)),
                deliveries=items,
                renewal=renewals.get(line.pk),
            )
            if line.pk in not_directed:
                view.state, view.cause = "no_direccionada", not_directed[line.pk].cause.name
            answered = view.renewal and view.renewal.status != RenewalStatus.RECHAZADA
            view.renewable = renewal_refusal(line, prescription) is None and not answered
            lines.append(view)
        views.append(PrescriptionView(prescription=prescription, lines=lines))
    return views
