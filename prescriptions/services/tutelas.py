"""Tutelas: the EPS/EOC Recobrante registers a court order and the technologies it orders
(research §2.2; models/tutela.py). The EPS registers tutelas of its own affiliates only."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.registries import rethus
from entities import audit
from entities.models import Entity
from entities.selectors import user_has_entity_perm
from mipres.lib.errors import DomainError

from ..enums import TechnologyType
from ..models import Patient, Tutela, TutelaAdditionalRuling
from ..selectors.patients import payer_for
from .prescribing import LineData, check_lines, create_lines, next_number

REGISTER_TUTELA = "prescriptions.register_tutela"

ERRORS = {
    "ruling_number": _("Indique el número del fallo."),
    "justification": _("La justificación médica es obligatoria."),
    "future_date": _("La fecha no puede ser posterior a hoy."),
    "before_ruling": _("La fecha no puede ser anterior a la del fallo."),
    "other_payer": _(
        "El paciente %(document)s está afiliado a %(payer)s: solo su pagador registra sus tutelas."
    ),
    "professional_incomplete": _("Indique el tipo y el número de documento del profesional."),
    "not_in_rethus": _("El profesional %(document)s no aparece activo en RETHUS."),
    "reason": _("Indique el motivo de la anulación."),
    "already_annulled": _("La tutela %(number)s ya está anulada."),
    "additional_ruling": _(
        "Cada fallo adicional necesita su número y una fecha entre la del fallo y hoy."
    ),
}


def _check_dates(ruling_date: datetime.date, later: dict) -> None:
    today = timezone.localdate()
    if ruling_date > today:
        raise DomainError(ERRORS["future_date"], field="ruling_date", code="future_date")
    for name, value in later.items():
        if value is None:
            continue
        if value > today:
            raise DomainError(ERRORS["future_date"], field=name, code="future_date")
        if name == "contempt_date" and value < ruling_date:
            # Desacato is non-compliance with the ruling: it cannot precede it.
            raise DomainError(ERRORS["before_ruling"], field=name, code="before_ruling")


def _professional_snapshot(document_type: str, document_number: str) -> dict:
    """The professional's fields as RETHUS names them; empty when none is given."""
    document_number = (document_number or "").strip().upper()
    if not document_type and not document_number:
        return {}
    if not (document_type and document_number):
        raise DomainError(
            ERRORS["professional_incomplete"],
            field="professional_document_number",
            code="professional_incomplete",
        )
    active = [r for r in rethus().records_for(document_type, document_number) if r.active]
    if not active:
        raise DomainError(
            ERRORS["not_in_rethus"] % {"document": f"{document_type} {document_number}"},
            field="professional_document_number",
            code="not_in_rethus",
        )
    record = active[0]
    names = (record.first_name, record.middle_name, record.first_surname, record.second_surname)
    return {
        "professional_document_type": document_type,
        "professional_document_number": document_number,
        "professional_name": " ".join(n for n in names if n),
        "professional_registration": record.registration_number,
    }


def tutela_register(
    *,
    actor,
    entity: Entity,
    patient: Patient,
    ruling_number: str,
    ruling_date: datetime.date,
    medical_justification: str,
    diagnosis,
    lines: list[LineData],
    first_instance_date: datetime.date | None = None,
    second_instance_date: datetime.date | None = None,
    court_date: datetime.date | None = None,
    contempt_date: datetime.date | None = None,
    ruling_clarification: str = "",
    related_diagnosis_1=None,
    related_diagnosis_2=None,
    orphan_disease=None,
    professional_document_type: str = "",
    professional_document_number: str = "",
    additional_rulings: list[tuple[datetime.date, str]] = (),
) -> Tutela:
    """Register a tutela (EstTut 4, activa) with a new NoTutela and its technology lines.

    Preconditions: `actor` holds prescriptions.register_tutela in `entity` (the EPS/EOC
    Recobrante); `entity` pays for the patient (active affiliation); the ruling has a
    number and a date, no date is after today and the desacato not before the ruling; a
    medical justification; each additional ruling (date, number) has a number and a date
    between the ruling's and today; the professional, when given, is active in RETHUS; the lines
    pass the rules of a prescription's lines except the profession scope (a judge orders
    them). Side effects, in one transaction: the Tutela, its lines (EstJM 1: no Junta for
    a court order) and the audit entry `prescriptions.tutela.registered`. Raises
    PermissionDenied without the permission, DomainError (with the field) otherwise;
    nothing is written on refusal.
    """
    if not user_has_entity_perm(user=actor, entity=entity, perm=REGISTER_TUTELA):
        raise PermissionDenied
    ruling_number = (ruling_number or "").strip()
    medical_justification = (medical_justification or "").strip()
    if not ruling_number:
        raise DomainError(ERRORS["ruling_number"], field="ruling_number", code="ruling_number")
    later = {
        "first_instance_date": first_instance_date,
        "second_instance_date": second_instance_date,
        "court_date": court_date,
        "contempt_date": contempt_date,
    }
    _check_dates(ruling_date, later)
    if not medical_justification:
        raise DomainError(
            ERRORS["justification"], field="medical_justification", code="justification"
        )
    additional = [(date, (number or "").strip()) for date, number in additional_rulings]
    today = timezone.localdate()
    if any(not number or not ruling_date <= date <= today for date, number in additional):
        raise DomainError(
            ERRORS["additional_ruling"], field="additional_rulings", code="additional_ruling"
        )
    professional = _professional_snapshot(professional_document_type, professional_document_number)
    check_lines(
        lines=lines,
        types=set(TechnologyType.values),
        codes=(diagnosis, related_diagnosis_1, related_diagnosis_2, orphan_disease),
    )
    payer = payer_for(patient)
    if payer.entity.pk != entity.pk:
        payer_name = payer.entity.name + (f" ({payer.payer_code.code})" if payer.payer_code else "")
        raise DomainError(
            ERRORS["other_payer"] % {"document": patient.document, "payer": payer_name},
            field="patient",
            code="other_payer",
        )
    with transaction.atomic():
        now = timezone.now()
        tutela = Tutela.objects.create(
            number=next_number(timezone.localdate(now)),
            registered_at=now,
            status=Tutela.Status.ACTIVA,
            entity=entity,
            payer_code=payer.payer_code,
            recorded_by=actor,
            patient=patient,
            ruling_number=ruling_number,
            ruling_date=ruling_date,
            ruling_clarification=(ruling_clarification or "").strip(),
            medical_justification=medical_justification,
            diagnosis=diagnosis,
            related_diagnosis_1=related_diagnosis_1,
            related_diagnosis_2=related_diagnosis_2,
            orphan_disease=orphan_disease,
            **later,
            **professional,
        )
        create_lines(None, lines, tutela=tutela)
        TutelaAdditionalRuling.objects.bulk_create(
            TutelaAdditionalRuling(tutela=tutela, ruling_date=date, ruling_number=number)
            for date, number in additional
        )
        audit.log(
            actor=actor,
            action="prescriptions.tutela.registered",
            entity=entity,
            target=tutela,
            data={
                "number": tutela.number,
                "ruling_number": ruling_number,
                "additional_rulings": [number for _date, number in additional],
                "patient": patient.document,
                "lines": [line.technology_type for line in lines],
            },
        )
    return tutela


def tutela_annul(*, actor, entity: Entity, tutela: Tutela, reason: str) -> Tutela:
    """Annul a tutela registered by mistake: EstTut 2, with the date and the reason.

    Preconditions: `actor` holds prescriptions.register_tutela in `entity` (the Recobrante
    who registers the EPS's tutelas); the tutela is the entity's and active; a reason is
    given. Side effects, in one transaction with the tutela locked: status, annulled_at,
    annulment_reason and the audit entry `prescriptions.tutela.annulled`. The tutela and
    its lines stay. Raises PermissionDenied, DomainError; nothing is written on refusal.
    """
    if not user_has_entity_perm(user=actor, entity=entity, perm=REGISTER_TUTELA):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ERRORS["reason"], field="reason", code="reason_required")
    with transaction.atomic():
        tutela = Tutela.objects.select_for_update().get(pk=tutela.pk, entity=entity)
        if not tutela.can_transition(Tutela.Status.ANULADA):
            raise DomainError(
                ERRORS["already_annulled"] % {"number": tutela.number}, code="already_annulled"
            )
        tutela.status = Tutela.Status.ANULADA
        tutela.annulled_at = timezone.now()
        tutela.annulment_reason = reason
        tutela.save(update_fields=["status", "annulled_at", "annulment_reason"])
        audit.log(
            actor=actor,
            action="prescriptions.tutela.annulled",
            entity=entity,
            target=tutela,
            data={"number": tutela.number, "reason": reason},
        )
    return tutela
