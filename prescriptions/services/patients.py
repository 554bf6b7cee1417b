"""Registering and updating patients (Admisión). Every write checks the actor, validates,
writes and audits in one transaction (STYLE R4). The identity rules are in
docs/patients.md: own documents are unique by type and number; a newborn without one is
registered with type MS and the mother's document, numbered 1, 2… per mother."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from entities import audit
from entities.models import Entity, Municipality
from entities.services.common import require_perm

from ..models import Patient
from ..models.patients import WITHOUT_OWN_DOCUMENT, Sex, age_in_years

MANAGE_PATIENTS = "prescriptions.manage_patients"
PATIENT_FIELDS = (
    "document_type",
    "document_number",
    "first_name",
    "middle_name",
    "first_surname",
    "second_surname",
    "birth_date",
    "sex",
    "municipality",
    "address",
    "phone",
    "email",
    "mother_document_type",
    "mother_document_number",
)
REQUIRED = ("document_type", "first_name", "first_surname", "birth_date", "sex", "municipality")
MAX_LENGTHS = {
    "first_name": 60,
    "middle_name": 60,
    "first_surname": 60,
    "second_surname": 60,
    "address": 200,
    "phone": 30,
    "email": 254,
}
OLDEST_AGE = 130
DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9]{3,17}$")
# Types whose numbers are only digits (cédula: at most 10).
DIGITS_ONLY = {DocumentType.CC: 10, DocumentType.TI: 17, DocumentType.NV: 17}
# A mother's document must be her own: not another "sin identificación" or a birth record.
MOTHER_TYPES_REFUSED = {DocumentType.MS, DocumentType.NV, DocumentType.AS}

ERRORS = {
    "required": _("Este campo es obligatorio."),
    "too_long": _("Escriba como máximo %(max)s caracteres."),
    "document_type": _("Tipo de documento «%(value)s» desconocido."),
    "document_shape": _("De 3 a 17 letras o dígitos, sin puntos, guiones ni espacios."),
    "digits_only": _("Un documento %(type)s tiene solo dígitos (como máximo %(max)s)."),
    "duplicate": _(
        "Ya existe un paciente con %(document)s: %(name)s. Búsquelo y actualice sus datos."
    ),
    "date": _("Escriba la fecha como AAAA-MM-DD."),
    "future_birth": _("La fecha de nacimiento no puede ser posterior a hoy."),
    "old_birth": _("Revise la fecha de nacimiento: daría más de %(max)s años."),
    "sex": _("Elija masculino, femenino o indeterminado."),
    "municipality": _("No existe un municipio con el código DIVIPOLA «%(value)s»."),
    "email": _("Escriba un correo electrónico válido."),
    "ms_adult": _(
        "«Menor sin identificación» (MS) es solo para menores de edad; el paciente tendría "
        "%(age)s años."
    ),
    "as_minor": _(
        "«Adulto sin identificación» (AS) es solo para mayores de edad; para un menor sin "
        "documento use MS con el documento de la madre."
    ),
    "mother_required": _(
        "Un menor sin identificación (MS) se registra con el documento de la madre: "
        "escriba su tipo y número."
    ),
    "mother_type": _("El documento de la madre debe ser uno propio (CC, CE, TI, PA…)."),
    "mother_incomplete": _("Indique tipo y número del documento de la madre, o ninguno."),
    "ms_number": _(
        "Para un menor sin identificación (MS) el número es el del documento de la madre: "
        "déjelo vacío o escriba %(number)s."
    ),
}


def _normalize_number(value) -> str:
    return "".join(str(value or "").split()).replace(".", "").replace("-", "").upper()


def document_number_error(document_type: str, number: str) -> str | None:
    """Why `number` is not a valid number for `document_type`, or None."""
    if not DOCUMENT_NUMBER.match(number):
        return str(ERRORS["document_shape"])
    max_digits = DIGITS_ONLY.get(document_type)
    if max_digits and not (number.isdigit() and len(number) <= max_digits):
        return str(ERRORS["digits_only"] % {"type": document_type, "max": max_digits})
    return None


def birth_date_error(birth_date: date, today: date | None = None) -> str | None:
    today = today or timezone.localdate()
    if birth_date > today:
        return str(ERRORS["future_birth"])
    if age_in_years(birth_date, today) > OLDEST_AGE:
        return str(ERRORS["old_birth"] % {"max": OLDEST_AGE})
    return None


def _clean(values: dict) -> dict:
    """Normalize and validate a patient's complete field values; raise ValidationError
    with a Spanish message per field. The MS rule fills `document_number` from the
    mother's."""
    data = {name: values.get(name) for name in PATIENT_FIELDS}
    for name in PATIENT_FIELDS:
        if isinstance(data[name], str):
            data[name] = " ".join(data[name].split())
    data["document_type"] = (data["document_type"] or "").upper()
    data["mother_document_type"] = (data["mother_document_type"] or "").upper()
    data["document_number"] = _normalize_number(data["document_number"])
    data["mother_document_number"] = _normalize_number(data["mother_document_number"])
    data["email"] = (data["email"] or "").lower()
    for name in ("middle_name", "second_surname", "address", "phone"):
        data[name] = data[name] or ""
    errors: dict[str, str] = {}
    for name in REQUIRED:
        if data[name] in (None, ""):
            errors[name] = str(ERRORS["required"])
    for name, max_length in MAX_LENGTHS.items():
        if len(data[name] or "") > max_length:
            errors[name] = str(ERRORS["too_long"] % {"max": max_length})

    document_type = data["document_type"]
    if document_type and document_type not in DocumentType.values:
        errors["document_type"] = str(ERRORS["document_type"] % {"value": document_type})
    if isinstance(data["municipality"], str) and data["municipality"]:
        code = data["municipality"]
        data["municipality"] = Municipality.objects.filter(code=code).first()
        if data["municipality"] is None:
            errors["municipality"] = str(ERRORS["municipality"] % {"value": code})
    if data["sex"] and data["sex"] not in Sex.values:
        errors["sex"] = str(ERRORS["sex"])
    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            errors["email"] = str(ERRORS["email"])
    birth_date = data["birth_date"]
    if isinstance(birth_date, str) and birth_date:
        try:
            birth_date = data["birth_date"] = date.fromisoformat(birth_date)
        except ValueError:
            errors["birth_date"] = str(ERRORS["date"])
    if isinstance(birth_date, date):
        error = birth_date_error(birth_date)
        if error:
            errors["birth_date"] = error
    _clean_documents(data, errors)
    if errors:
        raise ValidationError(errors)
    return data


def _clean_documents(data: dict, errors: dict) -> None:
    document_type, number = data["document_type"], data["document_number"]
    mother_type, mother_number = data["mother_document_type"], data["mother_document_number"]
    age = None
    if isinstance(data["birth_date"], date) and "birth_date" not in errors:
        age = age_in_years(data["birth_date"], timezone.localdate())

    if mother_type or mother_number or document_type == WITHOUT_OWN_DOCUMENT:
        if not (mother_type and mother_number):
            key = (
                "mother_required" if document_type == WITHOUT_OWN_DOCUMENT else "mother_incomplete"
            )
            field = "mother_document_number" if mother_type else "mother_document_type"
            errors[field] = str(ERRORS[key])
        elif mother_type not in DocumentType.values or mother_type in MOTHER_TYPES_REFUSED:
            errors["mother_document_type"] = str(ERRORS["mother_type"])
        else:
            error = document_number_error(mother_type, mother_number)
            if error:
                errors["mother_document_number"] = error

    if document_type == WITHOUT_OWN_DOCUMENT:
        if age is not None and age >= 18:
            errors["document_type"] = str(ERRORS["ms_adult"] % {"age": age})
        if number and mother_number and number != mother_number:
            errors["document_number"] = str(ERRORS["ms_number"] % {"number": mother_number})
        data["document_number"] = mother_number
        return
    if document_type == DocumentType.AS and age is not None and age < 18:
        errors["document_type"] = str(ERRORS["as_minor"])
    if not number:
        errors["document_number"] = str(ERRORS["required"])
    elif document_type in DocumentType.values:
        error = document_number_error(document_type, number)
        if error:
            errors["document_number"] = error


def _duplicate_error(document_type: str, number: str, *, exclude_pk=None) -> None:
    other = (
        Patient.objects.filter(document_type=document_type, document_number=number)
        .exclude(pk=exclude_pk)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                "document_number": ERRORS["duplicate"]
                % {"document": f"{document_type} {number}", "name": other.get_full_name()}
            }
        )


def _next_newborn_order(mother_number: str) -> int:
    highest = Patient.objects.filter(
        document_type=WITHOUT_OWN_DOCUMENT, document_number=mother_number
    ).aggregate(highest=Max("newborn_order"))["highest"]
    return (highest or 0) + 1


def _save(patient: Patient, *, update_fields=None) -> None:
    """Save in a savepoint. A newborn racing another of the same mother for an order
    number takes the next one; a document registered meanwhile is reported as a
    duplicate (the partial unique index is the guard)."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                patient.save(update_fields=update_fields)
            return
        except IntegrityError:
            if not patient.uses_mother_document:
                _duplicate_error(patient.document_type, patient.document_number)
                raise
            patient.newborn_order = _next_newborn_order(patient.document_number)
    raise ValidationError({"document_type": _("Intente de nuevo en un momento.")})


def _printable(value) -> str:
    if isinstance(value, Municipality):
        return value.code
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _check_field_names(fields: dict) -> None:
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"Not patient fields: {', '.join(sorted(unknown))}")


def patient_register(*, actor, entity: Entity, **fields) -> Patient:
    """Register a patient for Admisión of `entity` (prescriptions.manage_patients).

    `fields` are PATIENT_FIELDS (municipality as a Municipality or its DIVIPOLA code).
    For type MS the document number is the mother's and the newborn gets the next order
    for that mother. Writes the patient with `registered_by_entity` = `entity` and a
    `prescriptions.patient.registered` audit entry, in one transaction.

    Raises PermissionDenied without the permission, ValidationError (per-field Spanish
    messages) for bad input or an own document already registered.
    """
    require_perm(actor, entity, MANAGE_PATIENTS)
    _check_field_names(fields)
    data = _clean(fields)
    with transaction.atomic():
        patient = Patient(**data, registered_by_entity=entity, updated_by_entity=entity)
        if patient.uses_mother_document:
            patient.newborn_order = _next_newborn_order(patient.document_number)
        else:
            _duplicate_error(patient.document_type, patient.document_number)
        _save(patient)
        audit.log(
            actor=actor,
            action="prescriptions.patient.registered",
            entity=entity,
            target=patient,
            data={
                "document": patient.document,
                "fields": {name: _printable(data[name]) for name in PATIENT_FIELDS},
            },
        )
    return patient


def patient_update(*, actor, entity: Entity, patient: Patient, **fields) -> Patient:
    """Change a patient's data for Admisión of `entity` (any IPS may update any patient:
    patients are national). Only the given `fields` change; a newborn who gets a document
    of their own (MS → RC) keeps the mother's document as information.

    Writes the changed fields, `updated_by_entity` = `entity` and a
    `prescriptions.patient.updated` audit entry with each change as [before, after].
    Nothing is written when nothing changes. Raises PermissionDenied or ValidationError.
    """
    require_perm(actor, entity, MANAGE_PATIENTS)
    _check_field_names(fields)
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        current = {name: getattr(patient, name) for name in PATIENT_FIELDS}
        data = _clean({**current, **fields})
        changes = {
            name: [_printable(current[name]), _printable(data[name])]
            for name in PATIENT_FIELDS
            if _printable(current[name]) != _printable(data[name])
        }
        if not changes:
            return patient
        was_newborn = patient.uses_mother_document
        previous_mother_number = patient.document_number if was_newborn else None
        for name in changes:
            setattr(patient, name, data[name])
        update_fields = [*changes, "updated_by_entity", "updated_at"]
        if patient.uses_mother_document:
            if previous_mother_number != patient.document_number:
                patient.newborn_order = _next_newborn_order(patient.document_number)
                update_fields.append("newborn_order")
        else:
            if was_newborn:
                patient.newborn_order = None
                update_fields.append("newborn_order")
            _duplicate_error(patient.document_type, patient.document_number, exclude_pk=patient.pk)
        patient.updated_by_entity = entity
        _save(patient, update_fields=update_fields)
        audit.log(
            actor=actor,
            action="prescriptions.patient.updated",
            entity=entity,
            target=patient,
            data={"document": patient.document, "changes": changes},
        )
    return patient
