"""Issue 4's «Done when», second half, in Chromium: the IPS's Junta member approves a
complementary service, and the IPS's Anulador annuls another prescription with a reason."""

import datetime
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from entities.models import Entity, Municipality, PayerCode
from prescriptions import models as m
from prescriptions.services.prescribing import IngredientData, LineData, prescription_issue

from .test_login import demo_account, log_in

IPS_NIT = "900200401"  # Clínica del Valle de Aburrá (demo)


def _catalog() -> dict:
    def row(model, code, name, **extra):
        return model.objects.get_or_create(
            code=code, defaults={"name": name, "source": "demo", **extra}
        )[0]

    return {
        "dx": row(m.Diagnosis, "E119", "Diabetes mellitus no insulinodependiente"),
        "dci": row(m.ActiveIngredient, "00123", "METFORMINA"),
        "mg": row(m.MeasurementUnit, "0168", "miligramo", symbol="mg"),
        "dose_mg": row(m.DoseUnit, "0168", "miligramo", symbol="mg"),
        "caja": row(m.PresentationUnit, "11", "CAJA"),
        "service": row(m.ComplementaryService, "139", "Pañales"),
    }


def _patient() -> m.Patient:
    patient, _ = m.Patient.objects.get_or_create(
        document_type="CC",
        document_number="43999001",
        defaults={
            "first_name": "Rosa",
            "first_surname": "Arango",
            "birth_date": datetime.date(1950, 3, 2),
            "sex": "F",
            "municipality": Municipality.objects.get(code="05001"),
        },
    )
    m.Affiliation.objects.get_or_create(
        patient=patient,
        defaults={
            "payer_code": PayerCode.objects.get(code="EPS099"),
            "regime": "contributivo",
            "active": True,
            "start_date": datetime.date(2020, 1, 1),
            "source": "demo",
        },
    )
    return patient


def _prescriptions(world: dict) -> tuple[m.Prescription, m.Prescription]:
    """Two prescriptions of the demo médico: a medicine with a complementary service (the
    service waits for the Junta), and a medicine alone (to be annulled)."""
    catalog = _catalog()
    medico_data = demo_account(world, "IPS", "prescriptor")
    medico = User.objects.get(document_number=medico_data["document_number"])
    ips = Entity.objects.get(nit=IPS_NIT)
    medicine = LineData(
        technology_type="M",
        supply_type=1,
        justification="Control glucémico insuficiente.",
        total_quantity=Decimal("2"),
        fields={
            "medicine_type": 1,
            "dose": Decimal("850"),
            "dose_unit": catalog["dose_mg"],
            "presentation_unit": catalog["caja"],
            "description": "METFORMINA 850 mg tableta",
        },
        ingredients=[IngredientData(catalog["dci"], Decimal("850"), catalog["mg"])],
    )
    service = LineData(
        technology_type="S",
        supply_type=2,
        justification="Incontinencia urinaria.",
        total_quantity=Decimal("90"),
        fields={"complementary_service": catalog["service"], "quantity_per_use": Decimal("3")},
    )
    common = {
        "actor": medico,
        "entity": ips,
        "patient": _patient(),
        "care_setting": 12,
        "diagnosis": catalog["dx"],
    }
    with_service = prescription_issue(lines=[medicine, service], **common)
    alone = prescription_issue(lines=[medicine], **common)
    return with_service, alone


def test_the_junta_approves_the_service_and_the_anulador_annuls_another_prescription(
    page, live_server, demo_world
):
    with_service, alone = _prescriptions(demo_world)
    card = page.get_by_role("main")

    # The Junta member approves the complementary service with an act.
    log_in(page, live_server, demo_account(demo_world, "IPS", "junta"))
    card.get_by_role("link", name="Junta de Profesionales").click()
    expect(page.get_by_role("heading", name="Tecnologías pendientes de junta")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=with_service.number)
    expect(row).to_contain_text(re.compile("pañales", re.IGNORECASE))
    row.get_by_role("link", name=re.compile("Decidir")).click()
    page.get_by_label("Número del acta").fill("JP-2026-031")
    page.get_by_label("Fecha del acta").fill(timezone.localdate().isoformat())
    page.get_by_label("Presencial").check()
    page.get_by_label("Justificación técnica").fill("Cumple criterios: incontinencia crónica.")
    page.get_by_label("Aprobada", exact=True).check()
    page.get_by_role("button", name="Registrar decisión").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{with_service.number}: EstJM 3")
    decided = page.get_by_role("row").filter(has_text=with_service.number)
    expect(decided).to_contain_text("EstJM 3")
    expect(decided).to_contain_text("JP-2026-031")
    with_service.refresh_from_db()
    assert with_service.lines.get(technology_type="S").junta_status == 3

    # The Anulador annuls the other prescription, giving a reason.
    page.context.clear_cookies()
    log_in(page, live_server, demo_account(demo_world, "IPS", "anulador"))
    card.get_by_role("link", name="Anulación").click()
    page.get_by_label("Número de prescripción").fill(alone.number)
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("row").filter(has_text=alone.number).get_by_role(
        "link", name=re.compile("Anular")
    ).click()
    expect(
        page.get_by_role("heading", name=f"Anular la prescripción {alone.number}")
    ).to_be_visible()
    page.get_by_role("button", name="Anular la prescripción").click()  # without a reason
    expect(page.get_by_text("Indique el motivo de la anulación.")).to_be_visible()
    page.get_by_label("Motivo de la anulación").fill("Duplicada por error de digitación.")
    page.get_by_role("button", name="Anular la prescripción").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"La prescripción {alone.number} quedó anulada"
    )
    expect(page.get_by_role("row").filter(has_text=alone.number)).to_contain_text("Anulada")
    alone.refresh_from_db()
    with_service.refresh_from_db()
    assert (alone.status, alone.annulment_reason) == (2, "Duplicada por error de digitación.")
    assert with_service.status == 4
