"""The prescription's detail page (STYLE R5): one visible prescription with what the page
shows, in a fixed number of queries whatever its lines.

The header comes in one query joined with the few rows it names (patient, professional,
IPS, sede, payer, código EPS, diagnoses), reading only the columns the page shows; the
lines with their catalog rows' names (the view `prescriptions_line_detail`), then what goes
under them (active ingredients, UNIRS indications and junta decisions: the view
`prescriptions_line_item`; models.reads), the novedades and the history. Each view is one
table to the ORM, whose compile of the joins and prefetches they replace cost ~4 ms a page. The
statements have a fixed shape, so psycopg prepares them after a few runs and PostgreSQL
plans the joins once per connection rather than per request (the cost that once made
these reads separate prefetches: ~25 ms of planning for the header's joins).
"""

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.utils.text import Truncator, capfirst

from entities import audit
from entities.models import AuditEntry
from mipres.lib.choices import choice_labels

from ..enums import TechnologyType
from ..models import LineDetail, LineItem, Novelty, Prescription
from .prescriptions import (
    audit_entries_about,
    posology_text,
    prescriptions_visible_to,
)

# What the page shows of the header's rows (the rest stays in the database).
HEADER_RELATIONS = (
    "patient__municipality",
    "prescriber",
    "entity",
    "sede",
    "payer",
    "payer_code",
    "diagnosis",
    "related_diagnosis_1",
    "related_diagnosis_2",
    "orphan_disease",
)
HEADER_FIELDS = (
    "external_id",
    "number",
    "prescribed_at",
    "status",
    "transcription_type",
    "annulled_at",
    "annulment_reason",
    "habilitation_code",
    "prescriber_registration",
    "care_setting",
    "referral",
    "original_reference",
    *(
        f"patient__{name}"
        for name in (
            "first_name",
            "middle_name",
            "first_surname",
            "second_surname",
            "document_type",
            "document_number",
            "newborn_order",
            "mother_document_type",
            "mother_document_number",
            "birth_date",
            "sex",
            "municipality__name",
        )
    ),
    *(
        f"prescriber__{name}"
        for name in (
            "first_name",
            "middle_name",
            "first_surname",
            "second_surname",
            "document_type",
            "document_number",
        )
    ),
    "entity__name",
    "entity__nit",
    "entity__dv",
    "sede__name",
    "sede__address",
    "sede__phone",
    "payer__name",
    "payer__entity_type",
    "payer_code__code",
    *(
        f"{relation}__{name}"
        for relation in (
            "diagnosis",
            "related_diagnosis_1",
            "related_diagnosis_2",
            "orphan_disease",
        )
        for name in ("code", "name")
    ),
)
NOVELTY_FIELDS = ("created_at", "novelty_type", "original_number", "resulting_number", "reason")
UNIRS_TEXT_LENGTH = 300


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One audit entry as the history table shows it (its data's IP address left out)."""

    created_at: datetime.datetime
    sentence: str
    actor: str | None  # None: the system
    details: list[tuple[str, str]]


@dataclass(slots=True)
class PrescriptionDetail:
    prescription: Prescription
    # Each LineDetail carries `posology`, `ingredient_items` and `decision_items` (its
    # LineItems) and `indications` [(code, name shortened)].
    lines: list[LineDetail]
    decisions: list[tuple[LineDetail, LineItem]]
    novelties: list[Novelty]
    history: list[HistoryEntry]


def prescription_detail_get(*, user, entity, perms, external_id) -> PrescriptionDetail:
    """The prescription `external_id` as its detail page shows it to `user` acting for
    `entity` with `perms`; 404 when they may not see it (or it does not exist). The history
    leaves out the IP addresses its entries recorded."""
    queryset = prescriptions_visible_to(user=user, entity=entity, perms=perms)
    try:
        prescription = (
            queryset.select_related(*HEADER_RELATIONS)
            .only(*HEADER_FIELDS, "prescriber_id")
            .get(external_id=external_id)
        )
    except Prescription.DoesNotExist:
        raise Http404 from None
    lines = list(
        LineDetail.objects.filter(prescription_id=prescription.pk).order_by(
            "technology_type", "order"
        )
    )
    by_pk = {line.pk: line for line in lines}
    for line in lines:
        line.ingredient_items, line.indications, line.decision_items = [], [], []
    # What goes under each line (ingredients, UNIRS indications, junta decisions) in one
    # query of the view `prescriptions_line_item` rather than three prefetches (~3 ms of ORM
    # compile a page).
    items = LineItem.objects.filter(prescription_id=prescription.pk).order_by(
        "position", "code", "-decided_at"
    )
    for item in items:
        line = by_pk[item.line_id]
        if item.kind == LineItem.INGREDIENT:
            line.ingredient_items.append(item)
        elif item.kind == LineItem.INDICATION:
            line.indications.append((item.code, Truncator(item.name).chars(UNIRS_TEXT_LENGTH)))
        else:
            line.decision_items.append(item)
    type_labels = choice_labels(TechnologyType)
    for line in lines:
        line.label = line.label or type_labels[line.technology_type]
        line.posology = posology_text(line, line.dose_unit or "")
    decisions = [(line, item) for line in lines for item in line.decision_items]
    novelties = list(Novelty.objects.filter(prescription=prescription).only(*NOVELTY_FIELDS))
    entries = audit_entries_about(
        prescription_id=prescription.pk,
        line_ids=[line.pk for line in lines],
        decision_ids=[decision.record_id for _line, decision in decisions],
        novelty_ids=[novelty.pk for novelty in novelties],
    )
    return PrescriptionDetail(
        prescription=prescription,
        lines=lines,
        decisions=decisions,
        novelties=novelties,
        history=[_history_entry(entry) for entry in entries],
    )


def _history_entry(entry: AuditEntry) -> HistoryEntry:
    actor = entry.actor
    return HistoryEntry(
        created_at=entry.created_at,
        sentence=audit.sentence(entry.action),
        actor=(actor.get_full_name() or actor.username) if actor else None,
        details=[(capfirst(label), value) for label, value in audit.details(entry.data)],
    )
