"""The Junta de Profesionales decides the lines that need it (research §3.3, DESIGN §4).

A line that needs the Junta starts at EstJM 2 (pendiente); the Junta of the prescribing
entity (the IPS, or the EPS/EOC for its independent professionals) approves it (3) or not
(4), recording the act. The decision is final: a decided line is never decided again.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities import audit
from entities.models import Entity
from entities.selectors import user_has_entity_perm
from mipres.lib.errors import DomainError

from ..enums import JuntaModality, JuntaStatus, PrescriptionStatus
from ..models import JuntaDecision, Prescription, TechnologyLine

JUNTA_DECIDE = "prescriptions.junta_decide"

# EstJM's state machine (STYLE R6): only a pending line is decided, once.
TRANSITIONS: dict[int, set[int]] = {
    JuntaStatus.NO_REQUIERE: set(),
    JuntaStatus.PENDIENTE: {JuntaStatus.APROBADA, JuntaStatus.NO_APROBADA},
    JuntaStatus.APROBADA: set(),
    JuntaStatus.NO_APROBADA: set(),
}

ERRORS = {
    "other_entity": _(
        "La tecnología %(line)s de la prescripción %(number)s no es de su entidad: "
        "la decide la junta de la entidad que prescribió."
    ),
    "annulled": _("La prescripción %(number)s está anulada: sus tecnologías no se evalúan."),
    "not_pending": _(
        "La tecnología %(line)s de la prescripción %(number)s no está pendiente de junta "
        "(estado actual: %(status)s)."
    ),
    "result": _("Indique si la junta aprobó o no aprobó la tecnología."),
    "modality": _("Indique la modalidad de la junta: presencial o virtual."),
    "act_number": _("Indique el número del acta."),
    "act_date_future": _("La fecha del acta no puede ser posterior a hoy."),
    "act_date_before": _(
        "La fecha del acta (%(act_date)s) no puede ser anterior a la de la prescripción "
        "%(number)s (%(prescribed)s): la junta evalúa lo ya prescrito."
    ),
    "justification": _("La justificación técnica es obligatoria."),
}


def junta_decide(
    *,
    actor,
    entity: Entity,
    line: TechnologyLine,
    result: int,
    modality: int,
    act_number: str,
    act_date: datetime.date,
    technical_justification: str,
    observations: str = "",
) -> JuntaDecision:
    """Record the Junta's decision on a pending line: EstJM 3 (aprobada) or 4 (no aprobada).

    Preconditions: `actor` holds prescriptions.junta_decide in `entity`; the line belongs to
    an active prescription of `entity` and is at EstJM 2; the act has a number, a date not
    after today nor before the prescription's date, a modality and a technical
    justification. Side effects, in one transaction with the prescription and the line
    locked: the line's EstJM, a
    JuntaDecision (CodEntJM = `entity`, FProceso = now) and the audit entry
    `prescriptions.line.junta_decided` (target: the prescription, so its history shows it).
    Raises PermissionDenied without the permission, DomainError (with the field) otherwise;
    nothing is written on refusal.
    """
    if not user_has_entity_perm(user=actor, entity=entity, perm=JUNTA_DECIDE):
        raise PermissionDenied
    act_number = (act_number or "").strip()
    technical_justification = (technical_justification or "").strip()
    if result not in TRANSITIONS[JuntaStatus.PENDIENTE]:
        raise DomainError(ERRORS["result"], field="result", code="result")
    if modality not in JuntaModality.values:
        raise DomainError(ERRORS["modality"], field="modality", code="modality")
    if not act_number:
        raise DomainError(ERRORS["act_number"], field="act_number", code="act_number")
    if act_date > timezone.localdate():
        raise DomainError(ERRORS["act_date_future"], field="act_date", code="act_date_future")
    if not technical_justification:
        raise DomainError(
            ERRORS["justification"], field="technical_justification", code="justification"
        )
    with transaction.atomic():
        # The prescription first, as prescription_annul does: an annulment and a decision
        # on the same prescription run one after the other, never interleaved.
        prescription = (
            Prescription.objects.select_for_update().filter(pk=line.prescription_id).first()
        )
        line = TechnologyLine.objects.select_for_update().get(pk=line.pk)
        names = {"line": line.key, "number": prescription.number if prescription else ""}
        if prescription is None or prescription.entity_id != entity.pk:  # a tutela's line
            raise DomainError(ERRORS["other_entity"] % names, code="other_entity")
        if prescription.status == PrescriptionStatus.ANULADA:
            raise DomainError(ERRORS["annulled"] % names, code="annulled")
        prescribed = timezone.localdate(prescription.prescribed_at)
        if act_date < prescribed:
            raise DomainError(
                ERRORS["act_date_before"]
                % {
                    **names,
                    "act_date": f"{act_date:%Y-%m-%d}",
                    "prescribed": f"{prescribed:%Y-%m-%d}",
                },
                field="act_date",
                code="act_date_before_prescription",
            )
        if result not in TRANSITIONS[line.junta_status]:
            status = JuntaStatus(line.junta_status).label
            raise DomainError(ERRORS["not_pending"] % {**names, "status": status}, code="decided")
        line.junta_status = result
        line.save(update_fields=["junta_status"])
        decision = JuntaDecision.objects.create(
            line=line,
            entity=entity,
            decided_by=actor,
            decided_at=timezone.now(),
            result=result,
            modality=modality,
            act_number=act_number,
            act_date=act_date,
            technical_justification=technical_justification,
            observations=(observations or "").strip(),
        )
        audit.log(
            actor=actor,
            action="prescriptions.line.junta_decided",
            entity=entity,
            target=prescription,
            data={
                "number": prescription.number,
                "line": line.key,
                "result": result,
                "act_number": act_number,
                "act_date": act_date.isoformat(),
                "modality": modality,
            },
        )
    return decision
