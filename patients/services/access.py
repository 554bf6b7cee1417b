"""The patient's sign-in by a one-time code (issue 15 §1).

Nothing here tells whether a document exists: asking for a code answers the same for a
registered patient, an unknown document and a patient without contact data, and a wrong
code answers the same whether or not the document exists. Codes are 6 digits, stored as a
keyed hash, single-use, valid for 10 minutes; a new one is sent at most once a minute.
Five wrong codes in 15 minutes lock the document, and five from one address lock the
address, for 15 minutes.
"""

import datetime
import re
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import DocumentType
from entities import audit
from mipres.lib import ratelimit
from mipres.lib.errors import DomainError
from mipres.lib.mail import send_templated
from prescriptions.models import Patient

from ..models import AccessCode, AccessFailure
from ..sms import send_sms

CODE_TTL = datetime.timedelta(minutes=10)
RESEND_AFTER = datetime.timedelta(minutes=1)
FAILURE_LIMIT = 5
FAILURE_WINDOW = datetime.timedelta(minutes=15)
# Code requests per hour: per document, and per address (a clinic's desk asks for many).
REQUESTS_PER_DOCUMENT = 6
REQUESTS_PER_ADDRESS = 30
CODE = re.compile(r"^\d{6}$")


def normalize_number(number: str) -> str:
    return re.sub(r"[\s.\-]", "", number or "").upper()


def _keyed(purpose: str, value: str) -> str:
    return salted_hmac(f"patients.{purpose}", value, algorithm="sha256").hexdigest()


def document_hash(document_type: str, document_number: str) -> str:
    return _keyed("document", f"{document_type}:{normalize_number(document_number)}")


def _code_hash(patient_id: int, code: str) -> str:
    return _keyed("code", f"{patient_id}:{code}")


def _patient(document_type: str, document_number: str) -> Patient | None:
    """The patient with this document of their own. A newborn identified by the mother's
    document (MS) shares that number with twins: such patients are not found here."""
    if document_type == DocumentType.MS:
        return None
    return Patient.objects.filter(
        document_type=document_type, document_number=normalize_number(document_number)
    ).first()


def is_locked(document_type: str, document_number: str, address: str | None) -> bool:
    since = timezone.now() - FAILURE_WINDOW
    recent = AccessFailure.objects.filter(created_at__gte=since)
    if recent.filter(document_hash=document_hash(document_type, document_number)).count() >= (
        FAILURE_LIMIT
    ):
        return True
    return bool(address) and recent.filter(address=address).count() >= FAILURE_LIMIT


def code_request(*, document_type: str, document_number: str, address: str | None) -> None:
    """Send a new code to the patient's contacts, when there is a patient with contact data
    and no code went out in the last minute. Refuses only when asked too often (the same
    answer for any document)."""
    document = document_hash(document_type, document_number)
    if not ratelimit.hit(f"patient-code:{document}", REQUESTS_PER_DOCUMENT, 3600) or (
        address and not ratelimit.hit(f"patient-code-ip:{address}", REQUESTS_PER_ADDRESS, 3600)
    ):
        raise DomainError(
            _("Pidió demasiados códigos. Espere una hora e intente de nuevo."), code="rate"
        )
    patient = _patient(document_type, document_number)
    if patient is None or not (patient.email or patient.phone):
        return
    now = timezone.now()
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        last = AccessCode.objects.filter(patient=patient).order_by("-created_at").first()
        if last is not None and now - last.created_at < RESEND_AFTER:
            return
        code = f"{secrets.randbelow(10**6):06d}"
        AccessCode.objects.create(
            patient=patient, code_hash=_code_hash(patient.pk, code), expires_at=now + CODE_TTL
        )
        channels = [
            name for name, value in (("email", patient.email), ("sms", patient.phone)) if value
        ]
        audit.log(
            actor=None, action="patients.code.sent", target=patient, data={"channels": channels}
        )
        transaction.on_commit(lambda: _deliver(patient, code))


def _deliver(patient: Patient, code: str) -> None:
    minutes = int(CODE_TTL.total_seconds() // 60)
    if patient.email:
        send_templated(
            to=[patient.email],
            template="patients/email/access_code",
            context={"code": code, "minutes": minutes, "patient": patient},
        )
    if patient.phone:
        send_sms(
            patient.phone,
            _("MIPRES: su código es %(code)s. Vence en %(minutes)s minutos. No lo comparta.")
            % {"code": code, "minutes": minutes},
        )


def code_verify(
    *, document_type: str, document_number: str, code: str, address: str | None
) -> Patient:
    """The patient whose unused, unexpired code this is; the code is spent. A wrong code
    counts as a failure of the document and of the address."""
    locked = DomainError(
        _("Demasiados intentos fallidos. Por seguridad, espere 15 minutos y pida un código nuevo."),
        code="locked",
    )
    if is_locked(document_type, document_number, address):
        raise locked
    code = (code or "").strip()
    patient = _patient(document_type, document_number) if CODE.match(code) else None
    now = timezone.now()
    if patient is not None:
        with transaction.atomic():
            match = (
                AccessCode.objects.select_for_update()
                .filter(
                    patient=patient,
                    used_at__isnull=True,
                    expires_at__gt=now,
                    code_hash=_code_hash(patient.pk, code),
                )
                .first()
            )
            if match is not None:
                match.used_at = now
                match.save(update_fields=["used_at"])
                AccessFailure.objects.filter(
                    document_hash=document_hash(document_type, document_number)
                ).delete()
                audit.log(actor=None, action="patients.code.used", target=patient)
                return patient
    AccessFailure.objects.create(
        document_hash=document_hash(document_type, document_number), address=address or None
    )
    if is_locked(document_type, document_number, address):
        raise locked
    raise DomainError(
        _("El código no es correcto o ya venció. Revíselo o pida un código nuevo."),
        field="code",
        code="wrong_code",
    )
