"""The targets of bench/run.py's `body=prescripcion` write (`presc-issue`): the prescription
form «Nueva prescripción» as a prescriber posts it, with three lines (two medicines and a
procedure), one distinct prescription per request.

Each target is the form's fields (all but the CSRF token, which run.py adds from the
session's cookie) with a submission key of its own: the form's one-time key is unique in
the database, and a second post with the same key answers with the prescription already
issued instead of a new one. The patients are those of the database with an active
affiliation (the demo's, or the volume load's newest), each given technologies its
prescriber has not prescribed to it in an active prescription of the last
`PRESCRIPTION_LIMITS["duplicate_days"]` days: the form would otherwise stop at the
«already prescribed» caution and re-render instead of issuing. With few patients (the demo
world) a patient comes back with other codes, round after round, until the catalogs' codes
run out.

Runs inside Django (run.py calls `issue_targets` from `manage.py shell`).
"""

from __future__ import annotations

import datetime
import uuid

# The medicine and procedure of the prescribing tests (tests/prescriptions), their codes
# taken from the catalogs in the database when the preferred one is missing.
MEDICINE = {
    "technology_type": "M",
    "supply_type": "1",
    "medicine_type": "1",
    "concentration_1": "500",
    "pharmaceutical_form": "C42998",
    "route": "048",
    "dose": "500",
    "frequency_every": "12",
    "frequency_unit": "2",
    "special_indication": "10",
    "duration_amount": "30",
    "duration_unit": "3",
    "total_quantity": "2",
    "presentation_unit": "11",
    "justification": "Carga de prueba (bench): control insuficiente con la terapia previa.",
}
PROCEDURE = {
    "technology_type": "P",
    "supply_type": "1",
    "quantity_per_use": "1",
    "frequency_every": "1",
    "frequency_unit": "8",
    "duration_amount": "1",
    "duration_unit": "3",
    "total_quantity": "1",
    "justification": "Carga de prueba (bench): valoración.",
}
UNIT = "0168"  # mg, both the dose unit and the concentration unit (no thousandfold caution)
DIAGNOSIS = "E119"


def _code(model, preferred: str) -> str:
    """`preferred` when the catalog has it enabled, else its first enabled code."""
    enabled = model.objects.filter(enabled=True)
    if enabled.filter(code=preferred).exists():
        return preferred
    first = enabled.order_by("code").values_list("code", flat=True).first()
    if first is None:
        raise ValueError(f"the catalog {model._meta.verbose_name} has no enabled code")
    return first


def _used_codes(prescriber, patient_ids: list[int]) -> dict[int, set[tuple[str, str]]]:
    """(type, code) of every technology `prescriber` prescribed to each patient in an
    active prescription recent enough for the duplicate caution (single-ingredient
    medicines by their ingredient, procedures by their CUPS code)."""
    from django.conf import settings
    from django.utils import timezone

    from prescriptions.enums import PrescriptionStatus
    from prescriptions.models import LineActiveIngredient, TechnologyLine

    days = settings.PRESCRIPTION_LIMITS["duplicate_days"]
    lines = TechnologyLine.objects.filter(
        prescription__patient_id__in=patient_ids,
        prescription__prescriber=prescriber,
        prescription__status=PrescriptionStatus.ACTIVA,
        prescription__prescribed_at__gte=timezone.now() - datetime.timedelta(days=days),
    )
    used: dict[int, set[tuple[str, str]]] = {}
    for patient_id, code in lines.filter(technology_type="P").values_list(
        "prescription__patient_id", "procedure__code"
    ):
        used.setdefault(patient_id, set()).add(("P", code))
    for patient_id, code in LineActiveIngredient.objects.filter(
        line__in=lines.filter(technology_type="M")
    ).values_list("line__prescription__patient_id", "ingredient__code"):
        used.setdefault(patient_id, set()).add(("M", code))
    return used


def issue_targets(
    *, document_type: str, document_number: str, nit: str, limit: int
) -> list[dict[str, str]]:
    """Up to `limit` posts of the prescription form for the prescriber with that document
    in the entity with that NIT, each a new prescription: patients in turn (newest first),
    each round with two active ingredients and a CUPS code the patient has not had from
    this prescriber."""
    from accounts.models import User
    from prescriptions.models import (
        ActiveIngredient,
        AdministrationRoute,
        Affiliation,
        CupsProcedure,
        Diagnosis,
        DoseUnit,
        MeasurementUnit,
        PharmaceuticalForm,
        PresentationUnit,
    )

    prescriber = User.objects.get(document_type=document_type, document_number=document_number)
    patients = list(
        Affiliation.objects.filter(
            active=True, payer_code__active=True, patient__newborn_order__isnull=True
        )
        .exclude(patient__document_type=document_type, patient__document_number=document_number)
        .order_by("-patient_id")
        .values_list("patient_id", "patient__document_type", "patient__document_number")[:limit]
    )
    ingredients = list(
        ActiveIngredient.objects.filter(enabled=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    procedures = list(
        CupsProcedure.objects.filter(enabled=True).order_by("code").values_list("code", flat=True)
    )
    medicine = {
        **MEDICINE,
        "concentration_unit_1": _code(MeasurementUnit, UNIT),
        "dose_unit": _code(DoseUnit, UNIT),
        "pharmaceutical_form": _code(PharmaceuticalForm, MEDICINE["pharmaceutical_form"]),
        "route": _code(AdministrationRoute, MEDICINE["route"]),
        "presentation_unit": _code(PresentationUnit, MEDICINE["presentation_unit"]),
    }
    header = {
        "care_setting": "12",
        "diagnosis": _code(Diagnosis, DIAGNOSIS),
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
    }
    used = _used_codes(prescriber, [pk for pk, _t, _n in patients])
    # Each patient's free codes, in catalog order; round r takes the r-th pair and code.
    free = {
        pk: (
            [c for c in ingredients if ("M", c) not in used.get(pk, ())],
            [c for c in procedures if ("P", c) not in used.get(pk, ())],
        )
        for pk, _t, _n in patients
    }
    targets: list[dict[str, str]] = []
    for round_ in range(len(ingredients)):
        added = False
        for pk, patient_type, patient_number in patients:
            medicines, cups = free[pk]
            if len(medicines) < 2 * round_ + 2 or len(cups) < round_ + 1:
                continue
            lines = [
                {**medicine, "ingredient_1": medicines[2 * round_]},
                {**medicine, "ingredient_1": medicines[2 * round_ + 1]},
                {**PROCEDURE, "procedure": cups[round_]},
            ]
            form = {
                "document_type": patient_type,
                "document_number": patient_number,
                "submission_key": str(uuid.uuid4()),
                **header,
            }
            for index, line in enumerate(lines):
                form.update({f"lines-{index}-{key}": value for key, value in line.items()})
            targets.append(form)
            added = True
            if len(targets) >= limit:
                return targets
        if not added:
            break
    return targets
