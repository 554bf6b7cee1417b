"""Demo prescriptions in every state: active, pending Junta, approved, rejected, annulled,
transcribed, and a tutela. Made through the same services a user's clicks call, by the demo
users who hold each role, on the demo patients and the starter catalogs. Idempotent: it does
nothing once the demo IPS has prescriptions."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from entities.models import Entity

from .enums import CareSetting, JuntaModality, JuntaStatus, TranscriptionType
from .models import (
    ActiveIngredient,
    AdministrationRoute,
    ComplementaryService,
    CupsProcedure,
    Diagnosis,
    DoseUnit,
    MeasurementUnit,
    NutritionalProductType,
    PharmaceuticalForm,
    Prescription,
    PresentationUnit,
)
from .selectors import patient_find
from .services.junta import junta_decide
from .services.novelties import prescription_annul, prescription_transcribe
from .services.prescribing import IngredientData, LineData, prescription_issue
from .services.tutelas import tutela_register

IPS_NIT, EPS_NIT = "900200401", "900100201"
MEDICO, NUTRICIONISTA, JUNTA, ANULADOR = "1000000404", "1000000405", "1000000406", "1000000407"
TRANSCRIPTOR, RECOBRANTE = "1000000202", "1000000203"


def _user(number: str) -> User:
    return User.objects.get(document_type="CC", document_number=number)


def _code(model, code: str):
    return model.objects.get(code=code)


def _metformin() -> LineData:
    return LineData(
        technology_type="M",
        supply_type=2,
        justification="Control glucémico insuficiente con dieta y ejercicio (demo).",
        total_quantity=Decimal(3),
        fields={
            "medicine_type": 1,
            "pharmaceutical_form": _code(PharmaceuticalForm, "COLFF001"),
            "route": _code(AdministrationRoute, "048"),
            "dose": Decimal(850),
            "dose_unit": _code(DoseUnit, "0168"),
            "frequency_every": 12,
            "frequency_unit": 2,
            "duration_amount": 3,
            "duration_unit": 5,
            "presentation_unit": _code(PresentationUnit, "11"),
            "special_indication": 10,
            "description": "METFORMINA 850 mg tableta",
            "recommendations": "Tomar con las comidas.",
        },
        ingredients=[
            IngredientData(
                _code(ActiveIngredient, "00965"), Decimal(850), _code(MeasurementUnit, "0168")
            )
        ],
    )


def _hba1c() -> LineData:
    return LineData(
        technology_type="P",
        supply_type=1,
        justification="Seguimiento del control glucémico (demo).",
        total_quantity=Decimal(1),
        fields={
            "procedure": _code(CupsProcedure, "903426"),
            "quantity_per_use": Decimal(1),
            "frequency_every": 1,
            "frequency_unit": 8,
            "duration_amount": 1,
            "duration_unit": 8,
        },
    )


def _diapers() -> LineData:
    return LineData(
        technology_type="S",
        supply_type=2,
        justification="Incontinencia urinaria en paciente con movilidad reducida (demo).",
        total_quantity=Decimal(90),
        fields={
            "complementary_service": _code(ComplementaryService, "139"),
            "quantity_per_use": Decimal(3),
            "frequency_every": 1,
            "frequency_unit": 3,
            "duration_amount": 30,
            "duration_unit": 3,
        },
    )


def _nutrition() -> LineData:
    return LineData(
        technology_type="N",
        supply_type=1,
        justification="Alergia múltiple a la proteína de la leche de vaca (demo).",
        total_quantity=Decimal(8),
        fields={
            "nutritional_type": _code(NutritionalProductType, "1201"),
            "nutritional_route": 1,
            "duration_amount": 1,
            "duration_unit": 5,
            "presentation_unit": _code(PresentationUnit, "13"),
        },
    )


def seed_demo_prescriptions() -> None:
    ips = Entity.objects.get(nit=IPS_NIT)
    if Prescription.objects.filter(entity=ips).exists():
        return
    eps = Entity.objects.get(nit=EPS_NIT)
    medico = _user(MEDICO)
    diabetes, hta = _code(Diagnosis, "E119"), _code(Diagnosis, "I10X")
    patient_a = patient_find("CC", "43100001")  # contributivo, EPS099
    patient_b = patient_find("CC", "71100002")  # subsidiado, EPSS99

    def issue(patient, lines, *, actor=medico, setting=CareSetting.AMBULATORIO_NO_PRIORIZADO):
        return prescription_issue(
            actor=actor,
            entity=ips,
            patient=patient,
            care_setting=setting,
            diagnosis=diabetes,
            related_diagnosis_1=hta,
            lines=lines,
        )

    issue(patient_a, [_metformin(), _hba1c()])  # active, no Junta needed
    issue(patient_b, [_diapers()])  # pending Junta
    approved = issue(patient_a, [_nutrition()], actor=_user(NUTRICIONISTA))
    rejected = issue(patient_b, [_diapers()])
    today = timezone.localdate()
    for prescription, result in (
        (approved, JuntaStatus.APROBADA),
        (rejected, JuntaStatus.NO_APROBADA),
    ):
        junta_decide(
            actor=_user(JUNTA),
            entity=ips,
            line=prescription.lines.get(),
            result=result,
            modality=JuntaModality.PRESENCIAL,
            act_number=f"ACTA-DEMO-{prescription.pk}",
            act_date=today,
            technical_justification="Evaluación de la Junta de Profesionales (demo).",
        )
    annulled = issue(patient_a, [_metformin()])
    prescription_annul(
        actor=_user(ANULADOR),
        entity=ips,
        prescription=annulled,
        reason="Prescrita por error al paciente equivocado (demo).",
    )
    prescription_transcribe(
        actor=_user(TRANSCRIPTOR),
        entity=eps,
        transcription_type=TranscriptionType.SIN_CONECTIVIDAD,
        original_date=today - datetime.timedelta(days=2),
        original_reference="FORMATO-FISICO-0001",
        professional_document_type="CC",
        professional_document_number=MEDICO,
        patient=patient_a,
        care_setting=CareSetting.AMBULATORIO_PRIORIZADO,
        diagnosis=diabetes,
        lines=[_metformin()],
        habilitation_code=ips.reps_code,
    )
    tutela_register(
        actor=_user(RECOBRANTE),
        entity=eps,
        patient=patient_a,
        ruling_number="2026-00123 (demo)",
        ruling_date=today - datetime.timedelta(days=10),
        medical_justification="Fallo de tutela que ordena el suministro (demo).",
        diagnosis=diabetes,
        lines=[_diapers()],
    )
