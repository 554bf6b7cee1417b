"""Reads of the Junta de Profesionales (STYLE R5): the lines pending junta of one entity and
the decisions it recorded. A line is named in URLs by its prescription's public id and its
key (TipoTec + ConOrden, e.g. «S1»)."""

import re

from django.db.models import QuerySet
from django.http import Http404

from entities.models import Entity

from ..enums import JuntaStatus, PrescriptionStatus
from ..models import JuntaDecision, TechnologyLine

LINE_KEY = re.compile(r"^([MPDNS])(\d{1,4})$")

# What a worklist row shows of a line: the patient, the prescriber and the technology.
LINE_RELATED = (
    "prescription__patient",
    "prescription__prescriber",
    "procedure",
    "device_type",
    "complementary_service",
    "nutritional_type",
    "nutritional_product",
    "pharmaceutical_form",
    "dose_unit",
    "presentation_unit",
)


def junta_line_list_pending(*, entity: Entity) -> QuerySet[TechnologyLine]:
    """The lines at EstJM 2 of `entity`'s active prescriptions (the IPS's, or for an EPS/EOC
    the prescriptions of its independent professionals), oldest prescription first, with
    what the worklist shows (a constant number of queries)."""
    return (
        TechnologyLine.objects.filter(
            prescription__entity=entity,
            prescription__status=PrescriptionStatus.ACTIVA,
            junta_status=JuntaStatus.PENDIENTE,
        )
        .select_related(*LINE_RELATED)
        .prefetch_related("ingredients__ingredient")
        .order_by("prescription__prescribed_at", "prescription_id", "technology_type", "order")
    )


def junta_line_get_pending(*, entity: Entity, prescription_id, line_key: str) -> TechnologyLine:
    """One line pending junta of `entity`; 404 for another entity's line, an unknown key,
    a line already decided or not needing the Junta, or an annulled prescription."""
    match = LINE_KEY.match(line_key or "")
    if match is None:
        raise Http404
    technology_type, order = match.group(1), int(match.group(2))
    line = (
        junta_line_list_pending(entity=entity)
        .filter(
            prescription__external_id=prescription_id,
            technology_type=technology_type,
            order=order,
        )
        .first()
    )
    if line is None:
        raise Http404
    return line


def junta_decision_list(*, entity: Entity) -> QuerySet[JuntaDecision]:
    """The decisions `entity`'s Junta recorded, newest first."""
    related = [f"line__{name}" for name in LINE_RELATED]
    return (
        JuntaDecision.objects.filter(entity=entity)
        .select_related("decided_by", "line__prescription", *related)
        .prefetch_related("line__ingredients__ingredient")
        .order_by("-decided_at", "-pk")
    )
