"""The pendientes a dispensador owes: open, at its sedes, the nearest promise first."""

from django.db.models import QuerySet

from entities.models import Entity

from ..models import Pendiente, PendienteStatus, StepStatus


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
