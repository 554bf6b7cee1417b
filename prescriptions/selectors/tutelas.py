"""Reads of tutelas (STYLE R5): an EPS/EOC sees the tutelas it registered."""

from django.db.models import QuerySet
from django.http import Http404

from entities.models import Entity

from ..models import Tutela

LIST_RELATED = ("patient", "payer_code", "recorded_by")


def tutela_list(*, entity: Entity, number: str = "", document_number: str = "") -> QuerySet[Tutela]:
    """`entity`'s tutelas, newest first; `number` matches the start of NoTutela or the
    ruling number, `document_number` the patient's document."""
    queryset = Tutela.objects.filter(entity=entity)
    number = "".join(number.split())
    if number:
        queryset = queryset.filter(number__startswith=number) | queryset.filter(
            ruling_number=number
        )
    document_number = "".join(document_number.split()).replace(".", "").upper()
    if document_number:
        queryset = queryset.filter(patient__document_number=document_number)
    return queryset.select_related(*LIST_RELATED).order_by("-registered_at", "-pk")


def tutela_get(*, entity: Entity, external_id) -> Tutela:
    """One of `entity`'s tutelas by public id; 404 for any other."""
    tutela = (
        Tutela.objects.filter(entity=entity, external_id=external_id)
        .select_related(*LIST_RELATED, "diagnosis", "related_diagnosis_1", "related_diagnosis_2")
        .first()
    )
    if tutela is None:
        raise Http404
    return tutela
