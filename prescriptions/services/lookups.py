"""The national patient lookup (by document, from any IPS): limited per user and audited.

Patients are national, so whoever may register or prescribe can look any document up.
Every lookup is counted against the user (PATIENT_LOOKUPS_PER_MINUTE, mipres.lib.ratelimit)
and leaves an AuditEntry with the document asked for and what was found, so walking
consecutive numbers is both slowed down and on record.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from entities.audit import log
from mipres.lib import ratelimit
from mipres.lib.errors import DomainError

from ..models import Patient
from ..selectors.patients import patient_find, patient_search

DEFAULT_LOOKUPS_PER_MINUTE = 30
TOO_MANY = _(
    "Ha consultado demasiados documentos en el último minuto. Espere un momento e intente de nuevo."
)


def patients_search(*, actor, entity, document_type: str, document_number: str) -> list[Patient]:
    """`patient_search` for `actor`: the patient with that document and the newborns
    registered with it (DomainError when the user's lookups are over the limit)."""
    _count(actor)
    patients = patient_search(document_type, document_number)
    _audit(actor, entity, document_type, document_number, patients)
    return patients


def patient_lookup(
    *, actor, entity, document_type: str, document_number: str, newborn_order: int | None = None
) -> Patient | None:
    """`patient_find` for `actor`, limited and audited as `patients_search`."""
    _count(actor)
    patient = patient_find(document_type, document_number, newborn_order=newborn_order)
    _audit(actor, entity, document_type, document_number, [patient] if patient else [])
    return patient


def _count(actor) -> None:
    limit = getattr(settings, "PATIENT_LOOKUPS_PER_MINUTE", DEFAULT_LOOKUPS_PER_MINUTE)
    if not ratelimit.hit(f"patient-lookup:{actor.pk}", limit, 60):
        raise DomainError(TOO_MANY, code="too_many_lookups")


def _audit(actor, entity, document_type, document_number, found: list[Patient]) -> None:
    with transaction.atomic():
        log(
            actor=actor,
            action="prescriptions.patient.looked_up",
            entity=entity,
            target=found[0] if found else None,
            data={
                "document": f"{document_type} {document_number}".strip(),
                "found": [str(patient.external_id) for patient in found],
            },
        )
