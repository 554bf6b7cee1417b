"""Pendientes a dispensador owes (open, at its sedes, the nearest promise first), entregas
reported late, and the payer's view of both per proveedor (Circular 044 de 2025)."""

import datetime

from django.db.models import Count, Q, QuerySet

from entities.models import Entity

from ..models import Entrega, Pendiente, PendienteStatus, StepStatus


def open_pendientes(*, entity: Entity, sede_ids: set[int] | None) -> QuerySet[Pendiente]:
    """Open pendientes of `entity` whose programación is still to deliver (at the
    dispensador's sedes when the membership names some)."""
    queryset = Pendiente.objects.filter(
        entity=entity, status=PendienteStatus.ABIERTO, programacion__status=StepStatus.ACTIVO
    )
    if sede_ids is not None:
        queryset = queryset.filter(programacion__sede_id__in=sede_ids)
    return queryset.select_related(
        "sede", "programacion__sede", "deliverable__prescription__patient", "deliverable__line"
    ).order_by("promised_at", "id")


# Circular 044 de 2025: supply is reported within 8 calendar days of the entrega.
REPORT_DAYS = 8


def late_reports(*, provider: Entity, today: datetime.date) -> QuerySet[Entrega]:
    """The proveedor's entregas still without reporte de entrega more than REPORT_DAYS
    calendar days after they were delivered, the oldest first."""
    return (
        Entrega.objects.filter(
            entity=provider,
            status=StepStatus.ACTIVO,
            delivered_on__lt=today - datetime.timedelta(days=REPORT_DAYS),
        )
        .select_related("deliverable__prescription__patient", "deliverable__line")
        .order_by("delivered_on", "id")
    )


def payer_overview(*, payer: Entity, today: datetime.date, now: datetime.datetime) -> list[dict]:
    """Per proveedor of the payer's deliverables: open pendientes, overdue ones, and entregas
    reported late (none yet after REPORT_DAYS days), the proveedors with most overdue first."""
    pendientes = (
        Pendiente.objects.filter(
            deliverable__payer=payer,
            status=PendienteStatus.ABIERTO,
            programacion__status=StepStatus.ACTIVO,
        )
        .values("entity")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(promised_at__lt=now)))
    )
    late = (
        Entrega.objects.filter(
            deliverable__payer=payer,
            status=StepStatus.ACTIVO,
            delivered_on__lt=today - datetime.timedelta(days=REPORT_DAYS),
        )
        .values("entity")
        .annotate(late=Count("id"))
    )
    rows: dict[int, dict] = {}
    for row in pendientes:
        rows.setdefault(row["entity"], {"open": 0, "overdue": 0, "late": 0}).update(
            open=row["open"], overdue=row["overdue"]
        )
    for row in late:
        rows.setdefault(row["entity"], {"open": 0, "overdue": 0, "late": 0})["late"] = row["late"]
    names = dict(Entity.objects.filter(pk__in=rows).values_list("pk", "name"))
    result = [{"provider": names[pk], **counts} for pk, counts in rows.items()]
    return sorted(result, key=lambda r: (-r["overdue"], -r["late"], r["provider"]))


# What the timeline's table of pendientes shows (templates/supply/pendientes/_timeline.html).
# The select of every column of the five tables cost ~1.9 ms of CPU a timeline in-process,
# mostly compiling it, for a list that is usually empty; these columns ~1.3 ms.
TIMELINE_FIELDS = (
    "quantity",
    "promised_at",
    "address",
    "status",
    "closed_at",
    "created_at",
    "deliverable__delivery_number",
    "deliverable__sub_number",
    "deliverable__line__technology_type",
    "deliverable__line__order",
    "sede__code",
    "sede__name",
    "entity__name",
)


def prescription_pendientes(*, prescription, viewer: Entity) -> list[Pendiente]:
    """Every pendiente of the prescription, open and closed, oldest first, with the fields
    the timeline shows (TIMELINE_FIELDS); a proveedor other than the payer and the
    prescribing IPS sees only its own."""
    queryset = Pendiente.objects.filter(deliverable__prescription=prescription)
    if viewer.pk not in (prescription.payer_id, prescription.entity_id):
        queryset = queryset.filter(entity=viewer)
    return list(
        queryset.select_related("deliverable__line", "sede", "entity")
        .only(*TIMELINE_FIELDS)
        .order_by("created_at", "id")
    )
