"""Reads for annulment and transcription (STYLE R5).

The Anulador sees the prescriptions its entity issued (the IPS's, or for an EPS/EOC those
of its independent professionals); the Transcriptor sees the transcriptions its EPS/EOC
recorded, which are always of its own affiliates (the payer transcribes).
"""

from django.db.models import QuerySet
from django.http import Http404

from entities.models import Entity

from ..models import Novelty, Prescription, TechnologyLine
from .junta import LINE_RELATED

LIST_RELATED = ("patient", "prescriber", "payer_code")


def prescription_list_for_entity(
    *, entity: Entity, number: str = "", document_type: str = "", document_number: str = ""
) -> QuerySet[Prescription]:
    """`entity`'s prescriptions, newest first; `number` matches the start of NoPrescripcion,
    the document the patient's (type optional)."""
    queryset = Prescription.objects.filter(entity=entity)
    number = "".join(number.split())
    if number:
        queryset = queryset.filter(number__startswith=number)
    document_number = "".join(document_number.split()).replace(".", "").upper()
    if document_number:
        queryset = queryset.filter(patient__document_number=document_number)
        if document_type:
            queryset = queryset.filter(patient__document_type=document_type)
    return queryset.select_related(*LIST_RELATED).order_by("-prescribed_at", "-pk")


def prescription_get_for_entity(*, entity: Entity, external_id) -> Prescription:
    """One of `entity`'s prescriptions by public id; 404 for any other."""
    prescription = (
        Prescription.objects.filter(entity=entity, external_id=external_id)
        .select_related(*LIST_RELATED, "entity", "diagnosis")
        .first()
    )
    if prescription is None:
        raise Http404
    return prescription


def transcription_list(*, entity: Entity) -> QuerySet[Prescription]:
    """The transcriptions of `entity`'s affiliates (an EPS/EOC), newest recorded first."""
    return (
        Prescription.objects.filter(payer=entity, transcription_type__isnull=False)
        .select_related(*LIST_RELATED, "entity", "recorded_by")
        .order_by("-pk")
    )


def transcription_get(*, entity: Entity, external_id) -> Prescription:
    """One transcription of `entity`'s affiliates; 404 for any other prescription."""
    prescription = (
        transcription_list(entity=entity)
        .filter(external_id=external_id)
        .select_related("diagnosis", "related_diagnosis_1", "related_diagnosis_2")
        .first()
    )
    if prescription is None:
        raise Http404
    return prescription


def line_list(**owner) -> list[TechnologyLine]:
    """The lines of one prescription (`prescription=`) or tutela (`tutela=`), by type and
    ConOrden, with what a detail page shows."""
    return list(
        TechnologyLine.objects.filter(**owner)
        .select_related(*(name for name in LINE_RELATED if not name.startswith("prescription")))
        .prefetch_related("ingredients__ingredient", "ingredients__concentration_unit")
        .order_by("technology_type", "order")
    )


def novelty_list(*, prescription: Prescription) -> list[Novelty]:
    """The prescription's novedades (annulment, transcription…), newest first."""
    return list(prescription.novelties.select_related("actor").order_by("-created_at", "-pk"))
