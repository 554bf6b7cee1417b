"""Issuing a prescription: the rules of DESIGN.md §4 and research §3, in one transaction."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.registries import active_professions, rethus, technology_types_for
from entities import audit
from entities.models import Entity, Membership
from entities.permissions import Role
from mipres.lib.errors import DomainError

from ..enums import (
    AMBULATORY_SETTINGS,
    JuntaStatus,
    MedicineType,
    PrescriptionStatus,
    TechnologyType,
)
from ..models import LineActiveIngredient, Patient, Prescription, TechnologyLine
from ..selectors.patients import payer_for
from .plausibility import (
    ConfirmationRequired,
    check_hard_limits,
    duplicate_cautions,
    limit_cautions,
    unit_cautions,
)

ERRORS = {
    "no_role": _("Para prescribir necesita el rol Prescriptor u Ordenador en esta entidad."),
    "not_in_rethus": _("Usted no aparece activo en RETHUS: no puede prescribir."),
    "out_of_scope": _("Su profesión no le permite prescribir %(type)s."),
    "orderer_only_n": _("Como Ordenador solo puede ordenar productos nutricionales."),
    "self": _("No puede prescribirse a sí mismo."),
    "no_lines": _("Agregue al menos una tecnología."),
    "disabled_code": _("El código %(code)s está deshabilitado en el catálogo vigente."),
    "no_ingredient": _("Indique al menos un principio activo del medicamento."),
    "quantity": _("La cantidad total debe ser mayor que cero."),
    "dose": _("La dosis debe ser mayor que cero."),
    "sede": _("La sede no es una sede activa de esta entidad."),
    "submission_key": _(
        "Este formulario ya se usó para otra prescripción: abra una prescripción nueva."
    ),
}


@dataclass
class IngredientData:
    ingredient: object
    concentration: Decimal
    concentration_unit: object
    content: Decimal | None = None
    content_unit: object = None


@dataclass
class LineData:
    """One line as the form or the web service gives it (catalog rows already resolved)."""

    technology_type: str
    supply_type: int
    justification: str
    total_quantity: Decimal
    fields: dict = field(default_factory=dict)  # the type's own TechnologyLine fields
    ingredients: list[IngredientData] = field(default_factory=list)
    unirs_indications: list = field(default_factory=list)


def next_number(day) -> str:
    """The next NoPrescripcion for `day`: AAAAMMDD + a 12-digit consecutive.

    One atomic upsert (INSERT … ON CONFLICT … RETURNING): two concurrent submits cannot read
    the same value.
    """
    table = "prescriptions_prescriptionnumbercounter"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (last,) = cursor.fetchone()
    return f"{day:%Y%m%d}{last:012d}"


def junta_status_for(technology_type: str, care_setting: int, medicine_type=None) -> int:
    """EstJM at issue: 2 for what needs the Junta (UNIRS medicines, nutritional products in
    ambulatory settings, complementary services), 1 otherwise (research §3.3)."""
    needs_junta = (
        (technology_type == TechnologyType.MEDICAMENTO and medicine_type == MedicineType.UNIRS)
        or (
            technology_type == TechnologyType.PRODUCTO_NUTRICIONAL
            and care_setting in AMBULATORY_SETTINGS
        )
        or technology_type == TechnologyType.SERVICIO_COMPLEMENTARIO
    )
    return JuntaStatus.PENDIENTE if needs_junta else JuntaStatus.NO_REQUIERE


def allowed_types(*, actor, entity: Entity, records=None) -> set[str]:
    """The technology types `actor` may prescribe in `entity` (DESIGN §4 profession scope).
    `records`: the actor's RETHUS records when the caller already read them.
    Raises PermissionDenied without a prescribing role, DomainError outside RETHUS."""
    roles = _prescribing_roles(actor, entity)
    if not roles or entity.status != Entity.Status.VERIFIED:
        raise PermissionDenied
    if records is None:
        professions = active_professions(actor.document_type, actor.document_number)
    else:
        professions = {record.profession for record in records if record.active}
    types = technology_types_for(professions)
    if not types:
        raise DomainError(ERRORS["not_in_rethus"], code="not_in_rethus")
    if Role.PRESCRIPTOR not in roles:
        types &= {TechnologyType.PRODUCTO_NUTRICIONAL}
    return types


def _prescribing_roles(actor, entity: Entity) -> set[str]:
    """The actor's active prescribing roles in `entity`. A request user carries their
    active roles (`entity_accesses`, cached with the user by accounts.backends and
    forgotten on any change to their memberships or entities): the permission guard of
    the view read them already, so they are not read again; any other actor, one query."""
    wanted = {Role.PRESCRIPTOR, Role.ORDENADOR}
    accesses = getattr(actor, "entity_accesses", None)
    if accesses is None:
        return set(
            Membership.objects.active()
            .filter(user=actor, entity=entity, role__in=wanted)
            .values_list("role", flat=True)
        )
    return {role for a in accesses if a.entity.pk == entity.pk for role in a.roles} & wanted


def _check_line(line: LineData, index: int, types: set[str]) -> None:
    if line.total_quantity is None or line.total_quantity <= 0:
        raise DomainError(
            ERRORS["quantity"], field=f"lines.{index}.total_quantity", code="quantity"
        )
    dose = line.fields.get("dose")
    if dose is not None and dose <= 0:
        raise DomainError(ERRORS["dose"], field=f"lines.{index}.dose", code="dose")
    if line.technology_type not in types:
        message = ERRORS["out_of_scope"] % {
            "type": TechnologyType(line.technology_type).label.lower()
        }
        raise DomainError(message, field=f"lines.{index}.technology_type", code="out_of_scope")
    for value in line.fields.values():
        if hasattr(value, "enabled") and not value.enabled:
            raise DomainError(
                ERRORS["disabled_code"] % {"code": value.code},
                field=f"lines.{index}",
                code="disabled_code",
            )
    check_hard_limits(line, index)
    if line.technology_type == TechnologyType.MEDICAMENTO and not line.ingredients:
        raise DomainError(ERRORS["no_ingredient"], field=f"lines.{index}", code="no_ingredient")


def check_lines(*, lines: list[LineData], types: set[str], codes=()) -> None:
    """The checks every new document's header codes and lines pass, whether issued here,
    transcribed or ordered by a tutela: at least one line, no disabled diagnosis or orphan
    disease among `codes` (None skipped), and each line within `types` and the quantity,
    duration and catalog rules. Raises DomainError with the field it concerns."""
    if not lines:
        raise DomainError(ERRORS["no_lines"], code="no_lines")
    for code in codes:
        if code is not None and not code.enabled:
            raise DomainError(
                ERRORS["disabled_code"] % {"code": code.code}, field="diagnosis", code="disabled"
            )
    for index, line in enumerate(lines):
        _check_line(line, index, types)


def prescription_issue(
    *,
    actor,
    entity: Entity,
    patient: Patient,
    care_setting: int,
    diagnosis,
    lines: list[LineData],
    related_diagnosis_1=None,
    related_diagnosis_2=None,
    orphan_disease=None,
    referral: bool = False,
    sede=None,
    submission_key: uuid.UUID | None = None,
    confirmed: Collection[str] | None = None,
) -> Prescription:
    """Issue a prescription with its lines: state 4 (activa), a new NoPrescripcion.

    The payer comes from the patient's active affiliation (or the ET of their
    municipality); each line's EstJM is set by its type. Raises PermissionDenied (no
    prescribing role), DomainError (profession scope, self-prescription, disabled codes,
    duration rules, no payer) with the field it concerns; nothing is written on refusal.

    `submission_key`: the form's one-time key. A prescription already issued with it by
    `actor` in `entity` is returned as it is (a second post of the same form, or concurrent
    posts: they meet at the unique constraint and all get the one row); the key of another
    prescriber or entity is refused.

    `confirmed`: the codes of the cautions (plausibility.Caution) the prescriber confirmed.
    While a caution is not among them, ConfirmationRequired (a DomainError) lists them all;
    the confirmed ones are recorded on the prescription and in its audit entry. None: the
    caller has nobody to ask (the demo seeders), so no caution is raised.
    """
    # A form posted again is not looked for here: its key is unique in the database, so
    # its INSERT fails and the prescription issued with the key is answered then (below).
    # Every post of a form but the first pays for it, instead of every post a query.
    # The actor's RETHUS records, read once for the profession scope and the registration.
    records = rethus().records_for(actor.document_type, actor.document_number)
    types = allowed_types(actor=actor, entity=entity, records=records)
    if sede is not None and (sede.entity_id != entity.pk or not sede.active):
        raise DomainError(ERRORS["sede"], field="sede", code="sede")
    if (patient.document_type, patient.document_number) == (
        actor.document_type,
        actor.document_number,
    ):
        raise DomainError(ERRORS["self"], field="patient", code="self_prescription")
    check_lines(
        lines=lines,
        types=types,
        codes=(diagnosis, related_diagnosis_1, related_diagnosis_2, orphan_disease),
    )
    cautions = []
    if confirmed is not None:
        cautions = unit_cautions(lines) + limit_cautions(lines)
        cautions += duplicate_cautions(prescriber=actor, patient=patient, lines=lines)
        if any(caution.code not in confirmed for caution in cautions):
            # A twin post of this form may have committed since the check above, and its
            # prescription is then this one's «duplicate»: answer with it instead.
            issued = submission_key and _issued_with(submission_key, actor=actor, entity=entity)
            if issued:
                return issued
            raise ConfirmationRequired(cautions)
    payer = payer_for(patient)
    registration = prescriber_registration(actor, records=records)
    try:
        return _create(
            actor=actor,
            entity=entity,
            patient=patient,
            payer=payer,
            registration=registration,
            lines=lines,
            cautions=cautions,
            fields={
                "sede": sede,
                "care_setting": care_setting,
                "referral": referral,
                "diagnosis": diagnosis,
                "related_diagnosis_1": related_diagnosis_1,
                "related_diagnosis_2": related_diagnosis_2,
                "orphan_disease": orphan_disease,
                "submission_key": submission_key,
            },
        )
    except IntegrityError:
        # Another post of the same form committed first (the unique submission_key).
        if submission_key is None:
            raise
        issued = _issued_with(submission_key, actor=actor, entity=entity)
        if issued is None:
            raise
        return issued


def _issued_with(submission_key, *, actor, entity) -> Prescription | None:
    """The prescription a form with `submission_key` already issued, or None. A key
    another user or entity used is refused: it is one form, of one prescriber."""
    issued = Prescription.objects.filter(submission_key=submission_key).first()
    if issued is not None and (issued.prescriber_id, issued.entity_id) != (actor.pk, entity.pk):
        raise DomainError(ERRORS["submission_key"], code="submission_key")
    return issued


def _create(*, actor, entity, patient, payer, registration, lines, cautions, fields):
    with transaction.atomic():
        now = timezone.now()
        prescription = Prescription.objects.create(
            number=next_number(timezone.localdate(now)),
            prescribed_at=now,
            entity=entity,
            habilitation_code=entity.reps_code,
            prescriber=actor,
            prescriber_registration=registration,
            recorded_by=actor,
            patient=patient,
            payer=payer.entity,
            payer_code=payer.payer_code,
            status=PrescriptionStatus.ACTIVA,
            confirmed_cautions=[
                {"code": caution.code, "message": str(caution.message)} for caution in cautions
            ],
            **fields,
        )
        create_lines(prescription, lines)
        data = {
            "number": prescription.number,
            "patient": f"{patient.document_type} {patient.document_number}",
            "lines": [f"{line.technology_type}" for line in lines],
        }
        if cautions:
            data["confirmed_cautions"] = prescription.confirmed_cautions
        audit.log(
            actor=actor,
            action="prescriptions.prescription.issued",
            entity=entity,
            target=prescription,
            data=data,
        )
    return prescription


def prescriber_registration(actor, *, records=None) -> str:
    """The actor's active ReTHUS registration number, or "" when ReTHUS lists none (the
    prescription, tutela and novelty services record it on what they write). `records`:
    the actor's RETHUS records when the caller already read them."""
    if records is None:
        records = rethus().records_for(actor.document_type, actor.document_number)
    active = [r.registration_number for r in records if r.active]
    return active[0] if active else ""


def create_lines(prescription: Prescription | None, lines: list[LineData], *, tutela=None) -> None:
    """Write `lines` with their ConOrden per type, for a prescription or (prescription None)
    for `tutela`, whose lines never go to the Junta (a judge ordered them). A step of the
    issuing services (prescription, tutela, novelty): call it inside their transaction, after
    their checks; it neither checks permissions nor audits."""
    counters: dict[str, int] = {}
    rows = []
    for line in lines:
        counters[line.technology_type] = counters.get(line.technology_type, 0) + 1
        if tutela is not None:
            junta_status = JuntaStatus.NO_REQUIERE
        else:
            junta_status = junta_status_for(
                line.technology_type, prescription.care_setting, line.fields.get("medicine_type")
            )
        rows.append(
            TechnologyLine(
                prescription=prescription,
                tutela=tutela,
                technology_type=line.technology_type,
                order=counters[line.technology_type],
                supply_type=line.supply_type,
                justification=line.justification,
                total_quantity=line.total_quantity,
                junta_status=junta_status,
                **line.fields,
            )
        )
    # One INSERT for the lines, one for their ingredients and one for their UNIRS
    # indications, whatever the number of lines (PostgreSQL returns the new lines' ids).
    TechnologyLine.objects.bulk_create(rows)
    LineActiveIngredient.objects.bulk_create(
        LineActiveIngredient(
            line=created,
            order=position,
            ingredient=item.ingredient,
            concentration=item.concentration,
            concentration_unit=item.concentration_unit,
            content=item.content,
            content_unit=item.content_unit,
        )
        for created, line in zip(rows, lines, strict=True)
        for position, item in enumerate(line.ingredients, start=1)
    )
    through = TechnologyLine.unirs_indications.through
    through.objects.bulk_create(
        through(technologyline=created, unirsindication=indication)
        for created, line in zip(rows, lines, strict=True)
        for indication in dict.fromkeys(line.unirs_indications)
    )
