"""A prescribing world: an IPS with a médico and a nutricionista, an EPS paying for a patient,
and the catalog rows a prescription needs."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import ProfessionalRecord
from entities.models import Municipality
from prescriptions import models as m

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, PayerCodeFactory, grant


def rethus_record(user, profession):
    ProfessionalRecord.objects.create(
        document_type=user.document_type,
        document_number=user.document_number,
        first_name=user.first_name,
        first_surname=user.first_surname,
        profession=profession,
        registration_number=f"RM-{user.document_number}",
        active=True,
        source="test",
    )


@pytest.fixture
def catalog(db):
    def row(model, code, name, **extra):
        return model.objects.create(code=code, name=name, source="starter", **extra)

    return {
        "dx": row(
            m.Diagnosis, "E119", "Diabetes mellitus no insulinodependiente sin complicaciones"
        ),
        "dx_old": m.Diagnosis.objects.create(
            code="K350", name="Apendicitis aguda con peritonitis generalizada", enabled=False
        ),
        "cups": row(m.CupsProcedure, "890201", "Consulta de primera vez por medicina general"),
        "dci": row(m.ActiveIngredient, "00123", "METFORMINA"),
        "mg": row(m.MeasurementUnit, "0168", "miligramo", symbol="mg"),
        "dose_mg": row(m.DoseUnit, "0168", "miligramo", symbol="mg"),
        "caja": row(m.PresentationUnit, "11", "CAJA"),
        "tablet": row(m.PharmaceuticalForm, "C42998", "TABLETA"),
        "oral": row(m.AdministrationRoute, "048", "ORAL"),
        "service": row(m.ComplementaryService, "139", "Pañales"),
        "nut_type": row(m.NutritionalProductType, "1201", "Fórmula de aminoácidos libres"),
    }


@pytest.fixture
def prescribing(db, catalog):
    ips = EntityFactory(entity_type="IPS")
    medico, nutri = UserFactory(), UserFactory()
    grant(medico, ips, "prescriptor")
    grant(nutri, ips, "ordenador")
    rethus_record(medico, "medicina")
    rethus_record(nutri, "nutricion_dietetica")
    eps = EntityFactory(entity_type="EPS")
    code = PayerCodeFactory(entity=eps, code="EPT001", regime="contributivo")
    patient = m.Patient.objects.create(
        document_type="CC",
        document_number="43000111",
        first_name="Rosa",
        first_surname="Arango",
        birth_date=datetime.date(1950, 3, 2),
        sex="F",
        municipality=Municipality.objects.get(code="05001"),
    )
    m.Affiliation.objects.create(
        patient=patient,
        payer_code=code,
        regime="contributivo",
        active=True,
        start_date=datetime.date(2020, 1, 1),
        source="test",
    )
    return {
        "ips": ips,
        "medico": medico,
        "nutri": nutri,
        "eps": eps,
        "code": code,
        "patient": patient,
    }


def medicine_line(catalog, **overrides):
    from prescriptions.services.prescribing import IngredientData, LineData

    fields = {
        "medicine_type": 1,
        "pharmaceutical_form": catalog["tablet"],
        "route": catalog["oral"],
        "dose": Decimal("850"),
        "dose_unit": catalog["dose_mg"],
        "frequency_every": 12,
        "frequency_unit": 2,
        "duration_amount": 30,
        "duration_unit": 3,
        "presentation_unit": catalog["caja"],
        "special_indication": 10,
        "description": "METFORMINA 850 mg tableta",
    }
    fields.update(overrides.pop("fields", {}))
    data = {
        "technology_type": "M",
        "supply_type": 1,
        "justification": "Control glucémico insuficiente con dieta.",
        "total_quantity": Decimal("2"),
        "fields": fields,
        "ingredients": [IngredientData(catalog["dci"], Decimal("850"), catalog["mg"])],
    }
    data.update(overrides)
    return LineData(**data)


def service_line(catalog, **overrides):
    from prescriptions.services.prescribing import LineData

    data = {
        "technology_type": "S",
        "supply_type": 2,
        "justification": "Incontinencia urinaria.",
        "total_quantity": Decimal("90"),
        "fields": {
            "complementary_service": catalog["service"],
            "quantity_per_use": Decimal("3"),
            "frequency_every": 1,
            "frequency_unit": 3,
            "duration_amount": 30,
            "duration_unit": 3,
        },
    }
    data.update(overrides)
    return LineData(**data)
