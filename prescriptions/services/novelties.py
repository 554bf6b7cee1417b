"""Novedades of a prescription (research §3.4–§3.5): annulment (TipoNov 2) and transcription
(TipoNov 3). Each writes the prescription, a Novelty linking the original and resulting
numbers, and an audit entry, in one transaction.

Who annuls: only the Anulador of the prescribing entity (DESIGN §6). The research leaves
open whether the prescriber may annul their own prescriptions ([U] §3.5); we keep one
role, so every annulment goes through the same confirmation, reason and audit.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.registries import active_professions, technology_types_for
from entities import audit
from entities.models import Entity, Membership
from entities.permissions import EntityType, Role
from entities.selectors import user_has_entity_perm
from mipres.lib.errors import DomainError

from ..enums import NoveltyType, PrescriptionStatus, TechnologyType, TranscriptionType
from ..models import Novelty, Patient, Prescription
from ..selectors.patients import payer_for
from .prescribing import LineData, check_lines, create_lines, next_number, prescriber_registration

ANNUL = "prescriptions.annul"
IN_FORCE = (1, 2)  # supply.models.IN_FORCE: activo, procesado
PROCESADO = 2
TRANSCRIBE = "prescriptions.transcribe"

# EstPres's state machine (STYLE R6): an annulled prescription stays annulled; a change
# after annulment is a new prescription under a new number.
TRANSITIONS: dict[int, set[int]] = {
    PrescriptionStatus.ACTIVA: {PrescriptionStatus.ANULADA},
    PrescriptionStatus.ANULADA: set(),
}

ERRORS = {
    "reason": _("Indique el motivo de la anulación."),
    "other_entity": _("La prescripción %(number)s no es de su entidad."),
    "already_annulled": _("La prescripción %(number)s ya está anulada (desde el %(date)s)."),
    "transcription_type": _("Indique el tipo de transcripción (1 a 6)."),
    "original_reference": _("Indique la referencia de la prescripción original (su número)."),
    "original_date_future": _("La fecha de la prescripción original no puede ser posterior a hoy."),
    "not_in_rethus": _(
        "El profesional %(document)s no aparece activo en RETHUS: no se puede transcribir una "
        "prescripción a su nombre."
    ),
    "not_registered": _(
        "El profesional %(document)s no está registrado en MIPRES abierto: debe registrarse "
        "como persona natural (PASO 1) antes de transcribir una prescripción a su nombre."
    ),
    "out_of_scope": _("La profesión de %(name)s no le permite prescribir %(type)s."),
    "self": _(
        "El profesional y el paciente son la misma persona: la autoprescripción no se admite."
    ),
    "unknown_ips": _(
        "No hay una IPS registrada con el código de habilitación %(code)s. Déjelo vacío si "
        "prescribió un profesional independiente."
    ),
    "other_payer": _(
        "El paciente %(document)s está afiliado a %(payer)s: solo su pagador puede transcribir "
        "sus prescripciones."
    ),
}


@dataclass(frozen=True)
class AnnulmentBlocker:
    """A supply record in force on one line that blocks the prescription's annulment."""

    line_key: str
    kind: str  # "direccionamiento" or "entrega_ambito"
    delivery: str  # NoEntrega (or NoEntrega.NoSubEntrega)
    status: int  # 1 activo, 2 procesado

    @property
    def description(self) -> str:
        names = {"key": self.line_key, "delivery": self.delivery}
        if self.kind == "direccionamiento":
            if self.status == PROCESADO:
                return _("%(key)s: direccionamiento procesado (entrega %(delivery)s)") % names
            return _("%(key)s: direccionamiento activo (entrega %(delivery)s)") % names
        if self.status == PROCESADO:
            return _("%(key)s: entrega en ámbito procesada (entrega %(delivery)s)") % names
        return _("%(key)s: entrega en ámbito activa (entrega %(delivery)s)") % names


def annulment_blockers(prescription: Prescription) -> list[AnnulmentBlocker]:
    """What blocks the annulment (DESIGN §4): every direccionamiento and every entrega en
    ámbito of the prescription's lines that is not annulled, whatever its state (activo or
    procesado). The supply chain is annulled first, newest step first, then the
    prescription. Called inside the annulment's transaction after the prescription is
    locked; the supply services lock the prescription before directing or delivering, so
    none slips in between.

    The supply app sits above this one (DESIGN §2), so the reverse relations are named by
    their query paths instead of importing its models. States 1 and 2: supply.models.IN_FORCE.
    """
    lines = prescription.lines.all()
    rows = [
        ("direccionamiento", row)
        for row in lines.filter(deliverables__direccionamientos__status__in=IN_FORCE).values_list(
            "technology_type",
            "order",
            "deliverables__delivery_number",
            "deliverables__sub_number",
            "deliverables__direccionamientos__status",
        )
    ] + [
        ("entrega_ambito", row)
        for row in lines.filter(
            deliverables__entregas__in_ambito=True,
            deliverables__entregas__status__in=IN_FORCE,
        ).values_list(
            "technology_type",
            "order",
            "deliverables__delivery_number",
            "deliverables__sub_number",
            "deliverables__entregas__status",
        )
    ]
    blockers = {
        AnnulmentBlocker(
            line_key=f"{tipo}{order}",
            kind=kind,
            delivery=f"{number}.{sub}" if sub else str(number),
            status=status,
        )
        for kind, (tipo, order, number, sub, status) in rows
    }
    return sorted(blockers, key=lambda b: (b.line_key[0], int(b.line_key[1:]), b.delivery))


def _blocking_message(blockers: list[AnnulmentBlocker]) -> str:
    listed = "; ".join(blocker.description for blocker in blockers)
    return ngettext(
        "No se puede anular mientras su cadena de suministro siga vigente (%(listed)s): "
        "anule primero ese registro (del último paso al primero) y luego la prescripción.",
        "No se puede anular mientras su cadena de suministro siga vigente (%(listed)s): "
        "anule primero esos registros (del último paso al primero) y luego la prescripción.",
        len(blockers),
    ) % {"listed": listed}


def prescription_annul(
    *, actor, entity: Entity, prescription: Prescription, reason: str
) -> Prescription:
    """Annul a prescription: EstPres 2 (anulada), with the date and the reason.

    Preconditions: `actor` holds prescriptions.annul in `entity` (the Anulador); the
    prescription belongs to `entity`; it is active; a reason is given; no line has a
    direccionamiento or entrega en ámbito in force (`annulment_blockers`). Side effects, in one
    transaction with the prescription locked: status, annulled_at and annulment_reason; a
    Novelty of type 2 (original and resulting number: the prescription's own); the audit
    entry `prescriptions.prescription.annulled`. The prescription and its lines stay.
    Raises PermissionDenied without the permission, DomainError otherwise; nothing is
    written on refusal.
    """
    if not user_has_entity_perm(user=actor, entity=entity, perm=ANNUL):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ERRORS["reason"], field="reason", code="reason_required")
    with transaction.atomic():
        prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
        number = prescription.number
        if prescription.entity_id != entity.pk:
            raise DomainError(ERRORS["other_entity"] % {"number": number}, code="other_entity")
        if PrescriptionStatus.ANULADA not in TRANSITIONS[prescription.status]:
            date = timezone.localtime(prescription.annulled_at).strftime("%Y-%m-%d %H:%M")
            raise DomainError(
                ERRORS["already_annulled"] % {"number": number, "date": date},
                code="already_annulled",
            )
        blocking = annulment_blockers(prescription)
        if blocking:
            raise DomainError(_blocking_message(blocking), code="supply_in_force")
        now = timezone.now()
        prescription.status = PrescriptionStatus.ANULADA
        prescription.annulled_at = now
        prescription.annulment_reason = reason
        prescription.save(update_fields=["status", "annulled_at", "annulment_reason"])
        Novelty.objects.create(
            novelty_type=NoveltyType.ANULACION,
            prescription=prescription,
            original_number=number,
            resulting_number=number,
            created_at=now,
            actor=actor,
            reason=reason,
        )
        audit.log(
            actor=actor,
            action="prescriptions.prescription.annulled",
            entity=entity,
            target=prescription,
            data={"number": number, "reason": reason},
        )
    return prescription


def _professional(document_type: str, document_number: str, lines: list[LineData]) -> User:
    """The registered person behind a transcription, active in RETHUS with a profession
    that may prescribe every line's type."""
    document_number = (document_number or "").strip().upper()
    document = f"{document_type} {document_number}"
    professions = active_professions(document_type, document_number)
    if not professions:
        raise DomainError(
            ERRORS["not_in_rethus"] % {"document": document},
            field="professional_document_number",
            code="not_in_rethus",
        )
    professional = User.objects.filter(
        document_type=document_type, document_number=document_number
    ).first()
    if professional is None:
        raise DomainError(
            ERRORS["not_registered"] % {"document": document},
            field="professional_document_number",
            code="professional_not_registered",
        )
    types = technology_types_for(professions)
    for index, line in enumerate(lines):
        if line.technology_type not in types:
            message = ERRORS["out_of_scope"] % {
                "name": professional.get_full_name(),
                "type": TechnologyType(line.technology_type).label.lower(),
            }
            raise DomainError(message, field=f"lines.{index}.technology_type", code="out_of_scope")
    return professional


def _prescribing_entity(*, habilitation_code: str, payer: Entity, professional) -> tuple:
    """(entity, habilitation code) of a transcribed prescription: the IPS with that REPS
    code, or, left blank, the transcribing EPS/EOC for an independent professional, with the
    professional's REPS code from their membership there when they have one."""
    code = (habilitation_code or "").strip()
    if code:
        ips = Entity.objects.filter(entity_type=EntityType.IPS, reps_code=code).first()
        if ips is None:
            raise DomainError(
                ERRORS["unknown_ips"] % {"code": code},
                field="habilitation_code",
                code="unknown_ips",
            )
        return ips, code
    own_code = (
        Membership.objects.active()
        .filter(user=professional, entity=payer, role__in=[Role.PRESCRIPTOR, Role.ORDENADOR])
        .exclude(reps_code="")
        .values_list("reps_code", flat=True)
        .first()
    )
    return payer, own_code or ""


def prescription_transcribe(
    *,
    actor,
    entity: Entity,
    transcription_type: int,
    original_date: datetime.date,
    original_reference: str,
    professional_document_type: str,
    professional_document_number: str,
    patient: Patient,
    care_setting: int,
    diagnosis,
    lines: list[LineData],
    habilitation_code: str = "",
    original_time: datetime.time | None = None,
    related_diagnosis_1=None,
    related_diagnosis_2=None,
    orphan_disease=None,
    referral: bool = False,
) -> Prescription:
    """Record a prescription made outside the system (TipoTransc 1–6) under a new number.

    Preconditions: `actor` holds prescriptions.transcribe in `entity` (the EPS/EOC
    Transcriptor); `entity` pays for the patient (active affiliation); the professional is
    active in RETHUS, registered as a person (PASO 1), not the patient, and their
    profession may prescribe every line's type; the IPS's habilitation code, when given,
    is a registered IPS; the original date is not after today; the lines pass the rules
    of an issued prescription (`check_lines`).

    Side effects, in one transaction: a Prescription in state 4 with a new NoPrescripcion,
    `prescribed_at` = the original date (and time), `prescriber` = the professional,
    `recorded_by` = `actor`, `transcription_type`, `original_reference`; its lines (EstJM
    by type, as when issued); a Novelty of type 3 (original number = the original
    reference, resulting number = the new number); the audit entry
    `prescriptions.prescription.transcribed` in `entity`. Raises PermissionDenied without
    the permission, DomainError (with the field) otherwise; nothing is written on refusal.
    """
    if not user_has_entity_perm(user=actor, entity=entity, perm=TRANSCRIBE):
        raise PermissionDenied
    if transcription_type not in TranscriptionType.values:
        raise DomainError(
            ERRORS["transcription_type"], field="transcription_type", code="transcription_type"
        )
    original_reference = (original_reference or "").strip()
    if not original_reference:
        raise DomainError(
            ERRORS["original_reference"], field="original_reference", code="original_reference"
        )
    prescribed_at = timezone.make_aware(
        datetime.datetime.combine(original_date, original_time or datetime.time(0, 0))
    )
    if original_date > timezone.localdate() or prescribed_at > timezone.now():
        raise DomainError(
            ERRORS["original_date_future"], field="original_date", code="original_date_future"
        )
    professional = _professional(professional_document_type, professional_document_number, lines)
    if (patient.document_type, patient.document_number) == (
        professional.document_type,
        professional.document_number,
    ):
        raise DomainError(ERRORS["self"], field="patient", code="self_prescription")
    check_lines(
        lines=lines,
        types=set(TechnologyType.values),  # the profession's scope was checked above
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
    prescribing_entity, code = _prescribing_entity(
        habilitation_code=habilitation_code, payer=entity, professional=professional
    )
    with transaction.atomic():
        prescription = Prescription.objects.create(
            number=next_number(timezone.localdate()),
            prescribed_at=prescribed_at,
            entity=prescribing_entity,
            habilitation_code=code,
            prescriber=professional,
            prescriber_registration=prescriber_registration(professional),
            recorded_by=actor,
            patient=patient,
            payer=payer.entity,
            payer_code=payer.payer_code,
            care_setting=care_setting,
            referral=referral,
            diagnosis=diagnosis,
            related_diagnosis_1=related_diagnosis_1,
            related_diagnosis_2=related_diagnosis_2,
            orphan_disease=orphan_disease,
            transcription_type=transcription_type,
            original_reference=original_reference,
            status=PrescriptionStatus.ACTIVA,
        )
        create_lines(prescription, lines)
        Novelty.objects.create(
            novelty_type=NoveltyType.TRANSCRIPCION,
            prescription=prescription,
            original_number=original_reference,
            resulting_number=prescription.number,
            actor=actor,
            reason=TranscriptionType(transcription_type).label,
        )
        audit.log(
            actor=actor,
            action="prescriptions.prescription.transcribed",
            entity=entity,
            target=prescription,
            data={
                "number": prescription.number,
                "original_reference": original_reference,
                "transcription_type": transcription_type,
                "professional": f"{professional.document_type} {professional.document_number}",
                "patient": patient.document,
                "lines": [line.technology_type for line in lines],
            },
        )
    return prescription
