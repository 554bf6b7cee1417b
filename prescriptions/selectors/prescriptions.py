"""Scoped reads of prescriptions (STYLE R5): the consultas, the PDF, renewal, the detail's
history and the prescriber's recently used codes (the detail page: `selectors.detail`).

Who sees what (DESIGN §4, §6), always inside the entity the user acts for:
- a Prescriptor or Ordenador (`prescriptions.view_own`): the prescriptions they issued there;
- Admisión, Junta, Anulador (`prescriptions.view_entity`): every prescription of the entity;
- a payer's Administrativo (`supply.direct`, EPS/EOC/ET): the prescriptions it pays.
Anything else answers 404, so another entity's prescription is never revealed.

The consultas' pages (`prescription_page`) are keyset-paginated ("seek", the page's start
from `mipres.lib.pagination.boundary`: newest first by `(prescribed_at, id)`, the order the
`presc_*_recent` indexes end with) and never count the matching rows: at national volume a
COUNT(*) over an entity's whole history, and an OFFSET deep into it, cost more than the rest
of the page. A page is two queries whatever the number of rows and lines (three after the
first page, to find where it starts), each of a PostgreSQL view read through an unmanaged
model (models.reads; ~1.5 ms less ORM work a page than the annotated `values()` and the
joined lines they replace): the rows with the few names they show
(`prescriptions_consulta_row`), and their lines named as `technology_label` names them
(`prescriptions_line_summary`). The CSV export
(`prescription_list`) reads every matching prescription with its lines, in chunks.
"""

import datetime
import re
import uuid
from dataclasses import dataclass
from operator import attrgetter

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entities.models import AuditEntry, Entity
from mipres.lib.choices import choice_labels
from mipres.lib.days import day_start, next_day_start
from mipres.lib.errors import DomainError
from mipres.lib.pagination import Page, boundary, two_way_page

from ..enums import TechnologyType, TimeUnit
from ..models import (
    ActiveIngredient,
    CupsProcedure,
    Diagnosis,
    JuntaDecision,
    LineActiveIngredient,
    LineSummary,
    MeasurementUnit,
    Novelty,
    NutritionalProduct,
    OrphanDisease,
    Patient,
    Prescription,
    PrescriptionRow,
    TechnologyLine,
    UnirsIndication,
)
from ..models.catalogs import fold
from .patients import payer_for

VIEW_OWN = "prescriptions.view_own"
VIEW_ENTITY = "prescriptions.view_entity"
VIEW_AS_PAYER = "supply.direct"
VIEW_PERMS = (VIEW_OWN, VIEW_ENTITY, VIEW_AS_PAYER)

# The three consultas and the permission each needs.
SCOPE_OWN = "own"
SCOPE_ENTITY = "entity"
SCOPE_PAYER = "payer"
SCOPE_PERMS = {SCOPE_OWN: VIEW_OWN, SCOPE_ENTITY: VIEW_ENTITY, SCOPE_PAYER: VIEW_AS_PAYER}

LINE_CATALOG_FIELDS = (
    "procedure",
    "device_type",
    "complementary_service",
    "nutritional_type",
    "nutritional_product",
)
LINE_DETAIL_FIELDS = (
    *LINE_CATALOG_FIELDS,
    "dose_unit",
    "presentation_unit",
    "pharmaceutical_form",
    "route",
    "nutritional_form",
)


def prescriptions_visible_to(*, user, entity: Entity, perms) -> QuerySet[Prescription]:
    """Every prescription `user` may see while acting for `entity` with `perms`."""
    scopes = []
    if VIEW_ENTITY in perms:
        scopes.append(Q(entity=entity))
    elif VIEW_OWN in perms:
        scopes.append(Q(entity=entity, prescriber=user))
    if VIEW_AS_PAYER in perms:
        scopes.append(Q(payer=entity))
    if not scopes:
        return Prescription.objects.none()
    condition = scopes[0]
    for scope in scopes[1:]:
        condition |= scope
    return Prescription.objects.filter(condition)


def _scoped(*, scope: str, user, entity: Entity, model=Prescription) -> QuerySet:
    """A consulta's prescriptions, as `model` (Prescription, or the consultas' PrescriptionRow:
    both have the same ids and foreign key columns)."""
    if scope == SCOPE_OWN:
        return model.objects.filter(entity_id=entity.pk, prescriber_id=user.pk)
    if scope == SCOPE_ENTITY:
        return model.objects.filter(entity_id=entity.pk)
    if scope == SCOPE_PAYER:
        return model.objects.filter(payer_id=entity.pk)
    raise ValueError(scope)


@dataclass(frozen=True)
class PrescriptionFilters:
    """What the consultas filter by. `number` is exact (20 digits); `document` the patient's
    document number (any type; a newborn's is the mother's)."""

    number: str = ""
    document: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    status: int | None = None
    technology_type: str = ""


def _filtered(
    queryset: QuerySet,
    filters: PrescriptionFilters,
    *,
    document_field: str = "patient__document_number",
) -> QuerySet:
    """`queryset` (Prescription, or PrescriptionRow with its `patient_document_number`)
    filtered."""
    if filters.number:
        queryset = queryset.filter(number=filters.number)
    if filters.document:
        queryset = queryset.filter(**{document_field: filters.document})
    # Compare the indexed timestamp with local-day bounds rather than casting it to a date.
    if filters.date_from:
        queryset = queryset.filter(prescribed_at__gte=day_start(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(prescribed_at__lt=next_day_start(filters.date_to))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.technology_type:
        lines = TechnologyLine.objects.filter(
            prescription=OuterRef("pk"), technology_type=filters.technology_type
        )
        queryset = queryset.filter(Exists(lines))
    return queryset


def _list_lines() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=TechnologyLine.objects.select_related(*LINE_CATALOG_FIELDS).prefetch_related(
            Prefetch(
                "ingredients", queryset=LineActiveIngredient.objects.select_related("ingredient")
            )
        ),
    )


def prescription_list(
    *, scope: str, user, entity: Entity, filters: PrescriptionFilters | None = None
) -> QuerySet[Prescription]:
    """Every prescription of a consulta ("Mis prescripciones", "de la entidad", "a cargo"),
    filtered, newest first, with each prescription's lines prefetched
    (`prescription.lines.all()`): what the CSV exports."""
    queryset = _filtered(
        _scoped(scope=scope, user=user, entity=entity), filters or PrescriptionFilters()
    )
    # Two joins only: PostgreSQL's planning time grows steeply with each joined table (a
    # six-join page query planned in ~20 ms and ran in ~1 ms); the few distinct entities,
    # codes and diagnoses of a page come in small prefetch queries instead.
    return queryset.select_related("patient", "prescriber").prefetch_related(
        "entity", "payer", "payer_code", "diagnosis", _list_lines()
    )


# EstJM as the consultas show it, short (the detail page shows it in full).
JUNTA_BADGES = {
    1: ("text-bg-secondary", gettext_lazy("Sin junta")),
    2: ("text-bg-warning", gettext_lazy("Junta pendiente")),
    3: ("text-bg-success", gettext_lazy("Junta: aprobada")),
    4: ("text-bg-danger", gettext_lazy("Junta: no aprobada")),
}


def prescription_page(
    *,
    scope: str,
    user,
    entity: Entity,
    filters: PrescriptionFilters | None = None,
    after: uuid.UUID | None = None,
    before: uuid.UUID | None = None,
    size: int = 25,
) -> Page:
    """One page of a consulta, newest first: the first page, the one after `after` (older
    prescriptions) or the one before `before` (newer). Each bound is an index range on
    `(…, prescribed_at DESC, id DESC)`, so a page deep in the history costs what the first
    does, and nothing is counted. The rows are PrescriptionRow (the view
    `prescriptions_consulta_row`), each with its `lines` (LineSummary)."""
    scoped = _scoped(scope=scope, user=user, entity=entity, model=PrescriptionRow)
    queryset = _filtered(
        scoped, filters or PrescriptionFilters(), document_field="patient_document_number"
    )
    forward = True
    if (bound := boundary(scoped, "prescribed_at", "pk", external_id=after)) is not None:
        at, pk = bound
        queryset = queryset.filter(prescribed_at__lte=at).exclude(prescribed_at=at, pk__gte=pk)
    elif (bound := boundary(scoped, "prescribed_at", "pk", external_id=before)) is not None:
        at, pk = bound
        queryset = queryset.filter(prescribed_at__gte=at).exclude(prescribed_at=at, pk__lte=pk)
        forward = False
    order = ("-prescribed_at", "-pk") if forward else ("prescribed_at", "pk")
    page = two_way_page(
        list(queryset.order_by(*order)[: size + 1]),
        size=size,
        bound=bound is not None,
        backwards=not forward,
        key=attrgetter("external_id"),
    )
    _attach_line_summaries(page.rows)
    return page


def _attach_line_summaries(rows: list[PrescriptionRow]) -> None:
    """Every line of the page's prescriptions in one query of the view
    `prescriptions_line_summary`; a line the view names nothing for (a medicine without
    description or ingredients) is named by its technology type."""
    by_pk = {row.pk: row for row in rows}
    for row in rows:
        row.lines = []
    if not by_pk:
        return
    type_labels = choice_labels(TechnologyType)
    summaries = LineSummary.objects.filter(prescription_id__in=by_pk).order_by(
        "prescription_id", "technology_type", "order"
    )
    for summary in summaries:
        summary.label = summary.label or type_labels[summary.technology_type]
        by_pk[summary.prescription_id].lines.append(summary)


def prescription_get(*, user, entity: Entity, perms, external_id) -> Prescription:
    """One visible prescription with everything its PDF and its renewal read: header,
    lines with their catalog rows, ingredients, UNIRS indications and junta decisions,
    and novedades (the detail page reads `selectors.detail`). 404 when the user may not
    see it (or it does not exist)."""
    # Catalog rows and header relations come by prefetch rather than joins: PostgreSQL took
    # ~25 ms to plan the eleven-join header query and ~9 ms the ten-join line query, for
    # well under a millisecond of execution; a prefetch of a foreign key nobody set runs no
    # query at all.
    lines = TechnologyLine.objects.prefetch_related(
        *LINE_DETAIL_FIELDS,
        Prefetch(
            "ingredients",
            queryset=LineActiveIngredient.objects.select_related(
                "ingredient", "concentration_unit", "content_unit"
            ),
        ),
        "unirs_indications",
        Prefetch(
            "junta_decisions",
            queryset=JuntaDecision.objects.select_related("decided_by", "entity"),
        ),
    )
    queryset = prescriptions_visible_to(user=user, entity=entity, perms=perms).select_related(
        "patient", "prescriber"
    )
    queryset = queryset.prefetch_related(
        "entity__municipality",
        "sede",
        "recorded_by",
        "patient__municipality__department",
        "payer",
        "payer_code",
        "diagnosis",
        "related_diagnosis_1",
        "related_diagnosis_2",
        "orphan_disease",
        Prefetch("lines", queryset=lines),
        Prefetch("novelties", queryset=Novelty.objects.select_related("actor")),
    )
    try:
        return queryset.get(external_id=external_id)
    except Prescription.DoesNotExist:
        raise Http404 from None


# What the history shows of an entry's actor.
ACTOR_NAME_FIELDS = (
    "username",
    "first_name",
    "middle_name",
    "first_surname",
    "second_surname",
)


def audit_entries_about(
    *, prescription_id: int, line_ids, decision_ids, novelty_ids
) -> QuerySet[AuditEntry]:
    """The audit entries about a prescription, its lines, junta decisions and novedades,
    newest first (whichever entity wrote them: the page asking is already scoped)."""
    types = ContentType.objects.get_for_models(Prescription, TechnologyLine, JuntaDecision, Novelty)
    condition = Q(content_type=types[Prescription], object_id=str(prescription_id))
    for model, ids in (
        (TechnologyLine, line_ids),
        (JuntaDecision, decision_ids),
        (Novelty, novelty_ids),
    ):
        if ids:
            condition |= Q(content_type=types[model], object_id__in=[str(i) for i in ids])
    return (
        AuditEntry.objects.filter(condition)
        .select_related("actor")
        .only("created_at", "action", "data", *(f"actor__{name}" for name in ACTOR_NAME_FIELDS))
        .order_by("-created_at")
    )


def technology_label(line: TechnologyLine) -> str:
    """The technology a line names, for lists, the CSV and the PDF."""
    if line.description:
        return line.description
    if line.technology_type == "M":
        names = [
            f"{item.ingredient.name} {item.concentration.normalize():f}"
            for item in line.ingredients.all()
        ]
        return " + ".join(names) or line.get_technology_type_display()
    if line.technology_type == "N" and line.nutritional_product_id:
        return line.nutritional_product.name
    for name in LINE_CATALOG_FIELDS:
        value = getattr(line, name)
        if value is not None:
            return value.name
    return line.get_technology_type_display()


def amount_text(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _time(amount, unit, template) -> str:
    """«cada 12 hora(s)», «durante 30 día(s)»; the units without a number stand alone."""
    if not unit:
        return ""
    label = str(TimeUnit(unit).label).lower()
    if unit in (TimeUnit.SEGUN_RESPUESTA, TimeUnit.UNICA):
        return label
    return template % {"amount": amount or "", "unit": label}


def posology(line: TechnologyLine) -> str:
    """«850 mg cada 12 hora(s) durante 30 día(s)», or per use for procedures, devices and
    complementary services."""
    unit = line.dose_unit if line.dose is not None else None
    return posology_text(line, (unit.symbol or unit.name) if unit else "")


def posology_text(line, dose_unit: str) -> str:
    """`posology` of a line (a TechnologyLine, or a LineDetail) whose dose unit is named
    `dose_unit`."""
    if line.dose is not None:
        what = f"{amount_text(line.dose)} {dose_unit}".strip()
    elif line.quantity_per_use is not None:
        what = _("%(quantity)s por uso") % {"quantity": amount_text(line.quantity_per_use)}
    else:
        what = ""
    parts = [
        what,
        _time(line.frequency_every, line.frequency_unit, _("cada %(amount)s %(unit)s")),
        _time(line.duration_amount, line.duration_unit, _("durante %(amount)s %(unit)s")),
    ]
    return " ".join(p for p in parts if p)


# The form ------------------------------------------------------------------------------


def patient_summary(patient: Patient) -> dict:
    """What the form shows of a chosen patient: identity, age and who pays (never chosen by
    hand), or why nobody can pay."""
    try:
        payer, payer_error = payer_for(patient), ""
    except DomainError as error:
        payer, payer_error = None, str(error.message)
    return {"patient": patient, "payer": payer, "payer_error": payer_error}


def last_prescription_for(*, user, entity: Entity, patient: Patient) -> Prescription | None:
    """The newest prescription `user` issued in `entity` for `patient` (to renew it)."""
    return (
        Prescription.objects.filter(entity=entity, prescriber=user, patient=patient)
        .order_by("-prescribed_at", "-id")
        .first()
    )


# Catalog name (as in prescriptions.catalogs.CATALOGS) → (model, how to read the codes the
# prescriber used, newest first).
def _diagnosis_codes(prescriber, depth):
    rows = (
        Prescription.objects.filter(prescriber=prescriber)
        .order_by("-prescribed_at")
        .values_list("diagnosis__code", "related_diagnosis_1__code", "related_diagnosis_2__code")[
            :depth
        ]
    )
    return [code for row in rows for code in row]


def _orphan_codes(prescriber, depth):
    return (
        Prescription.objects.filter(prescriber=prescriber, orphan_disease__isnull=False)
        .order_by("-prescribed_at")
        .values_list("orphan_disease__code", flat=True)[:depth]
    )


def _line_codes(path):
    def codes(prescriber, depth):
        return (
            TechnologyLine.objects.filter(
                prescription__prescriber=prescriber, **{f"{path}__isnull": False}
            )
            .order_by("-prescription__prescribed_at", "-id")
            .values_list(f"{path}__code", flat=True)[:depth]
        )

    return codes


def _ingredient_codes(path):
    def codes(prescriber, depth):
        return (
            LineActiveIngredient.objects.filter(line__prescription__prescriber=prescriber)
            .order_by("-line__prescription__prescribed_at", "-id")
            .values_list(f"{path}__code", flat=True)[:depth]
        )

    return codes


RECENT_SOURCES = {
    "cie10": (Diagnosis, _diagnosis_codes),
    "enfermedades_huerfanas": (OrphanDisease, _orphan_codes),
    "cups": (CupsProcedure, _line_codes("procedure")),
    "dci": (ActiveIngredient, _ingredient_codes("ingredient")),
    "unidades_medida": (MeasurementUnit, _ingredient_codes("concentration_unit")),
    "productos_nutricionales": (NutritionalProduct, _line_codes("nutritional_product")),
}


def recent_codes(*, prescriber, catalog: str, limit: int = 8) -> list[str]:
    """The codes of `catalog` the prescriber used last, newest first, without repeats (one
    query over the prescriber's newest rows)."""
    source = RECENT_SOURCES.get(catalog)
    if source is None:
        return []
    seen: dict[str, None] = {}
    for code in source[1](prescriber, limit * 4):
        if code and code not in seen:
            seen[code] = None
            if len(seen) == limit:
                break
    return list(seen)


# Search-as-you-type over the large catalogs (the form's code fields).
SEARCHABLE_CATALOGS = {
    "cie10": Diagnosis,
    "enfermedades_huerfanas": OrphanDisease,
    "cups": CupsProcedure,
    "dci": ActiveIngredient,
    "unidades_medida": MeasurementUnit,
    "productos_nutricionales": NutritionalProduct,
    "indicaciones_unirs": UnirsIndication,
}


def exact_filter(model, text: str) -> Q | None:
    """Entries whose code, symbol (units) or whole name is exactly `text`: «g», «0062»,
    «gramo» and «gramo(s)» all name the gram, and only the gram."""
    folded = fold(text)
    if not folded:
        return None
    exact = Q(code__iexact=re.sub(r"[\s.\-]", "", folded))
    exact |= Q(search_name__in=[folded, f"{folded}(S)", f"{folded}(ES)"])
    if hasattr(model, "symbol"):
        exact |= Q(symbol__iexact=text.strip())
    return exact


def catalog_search(*, catalog: str, text: str, prescriber, limit: int = 20) -> list:
    """Up to `limit` entries of `catalog` matching `text` (code prefix or every word of the
    name; a unit's symbol too), enabled first. An exact match of the code, the symbol or
    the whole name always leads; the prescriber's recently used codes, newest first, only
    order the rest (so «g» never offers the recent «mg» first). Without text, just those
    recent codes. Each entry gets `.recent`. Raises KeyError for a catalog that is not
    searchable."""
    model = SEARCHABLE_CATALOGS[catalog]
    recent = recent_codes(prescriber=prescriber, catalog=catalog)
    rank = {code: position for position, code in enumerate(recent)}
    text = text.strip()[:100]
    if text:
        matches = model.objects.search(text)
        exact = exact_filter(model, text)
        exact_entries = list(model.objects.enabled().filter(exact)) if exact else []
        exact_entries.sort(key=lambda entry: rank.get(entry.code, len(rank)))
        leading = list(matches.filter(code__in=recent, enabled=True))
        leading.sort(key=lambda entry: rank.get(entry.code, len(rank)))
        leading = exact_entries + leading
        leading_codes = {entry.code for entry in leading}
        rest = list(matches.exclude(code__in=leading_codes)[:limit])
    else:
        leading = list(model.objects.enabled().filter(code__in=recent))
        leading.sort(key=lambda entry: rank.get(entry.code, len(rank)))
        rest = []
    results, seen = [], set()
    for entry in [*leading, *rest]:
        if entry.code not in seen:
            seen.add(entry.code)
            entry.recent = entry.code in rank
            results.append(entry)
    return results[:limit]
