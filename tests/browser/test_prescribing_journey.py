"""Issue 4's «done when», first part: the demo médico fills a prescription with a medicine, a
procedure and a complementary service with the keyboard and the catalog search, submits,
sees the number and downloads the PDF."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import ProfessionalRecord
from entities.models import PayerCode
from prescriptions import models as m
from prescriptions.catalogs import load_starter_catalogs
from prescriptions.models import Prescription

from .test_login import log_in

PATIENT = ("CC", "43100001")


def demo_medico(world: dict) -> dict:
    medico = next(
        u for u in world["users"] if u["entity_type"] == "IPS" and u["roles"] == ["prescriptor"]
    )
    record = ProfessionalRecord.objects.filter(
        document_type=medico["document_type"], document_number=medico["document_number"]
    ).first()
    assert record is not None and record.profession == "medicina"
    return medico


def demo_patient():
    """The demo patient affiliated to EPS099 (created here if the demo lacks it)."""
    if not m.Diagnosis.objects.filter(code="E119").exists():
        load_starter_catalogs()
    patient = m.Patient.objects.filter(document_type=PATIENT[0], document_number=PATIENT[1]).first()
    if patient is None:
        from entities.models import Municipality

        patient = m.Patient.objects.create(
            document_type=PATIENT[0],
            document_number=PATIENT[1],
            first_name="María",
            middle_name="Elena",
            first_surname="Zapata",
            second_surname="Restrepo",
            birth_date=datetime.date(1968, 3, 14),
            sex="F",
            municipality=Municipality.objects.get(code="05001"),
        )
        m.Affiliation.objects.create(
            patient=patient,
            payer_code=PayerCode.objects.get(code="EPS099"),
            regime="contributivo",
            start_date=datetime.date(2012, 2, 1),
            source="demo",
        )
    return patient


@pytest.mark.django_db(transaction=True)
def test_the_demo_medico_prescribes_three_technologies_and_downloads_the_pdf(
    page, live_server, demo_world
):
    medico = demo_medico(demo_world)
    patient = demo_patient()
    log_in(page, live_server, medico)
    page.get_by_role("link", name="Nueva prescripción").first.click()
    expect(page.get_by_role("heading", name="Nueva prescripción")).to_be_visible()

    # The patient by document: name and payer appear as the number is typed.
    page.get_by_label("Número de documento").fill(PATIENT[1])
    panel = page.locator("#patient-panel")
    expect(panel).to_contain_text(patient.get_full_name())
    expect(panel).to_contain_text("EPS099")
    # No ámbito is chosen in advance (issue 17 item 28).
    page.get_by_label("Ámbito de atención").select_option("12")

    # The diagnosis by code, chosen with the keyboard; its name shows under it.
    diagnosis = page.get_by_label("Diagnóstico principal (CIE-10)")
    diagnosis.fill("e11.9")
    expect(page.get_by_role("option", name=re.compile("E119"))).to_be_visible()
    diagnosis.press("Enter")
    expect(diagnosis).to_have_value("E119")
    expect(page.locator(".catalog-field", has=diagnosis)).to_contain_text("sin mencion")

    # Line 1, the medicine the form opens with.
    line = page.locator("[data-line]").nth(0)
    ingredient = line.get_by_label("Principio activo").first
    ingredient.fill("metformi")
    expect(page.get_by_role("option", name=re.compile("00965"))).to_be_visible()
    ingredient.press("Enter")
    expect(ingredient).to_have_value("00965")
    line.get_by_label("Concentración").first.fill("850")
    unit = line.get_by_label("Unidad", exact=True).first
    unit.fill("mg")
    expect(page.get_by_role("option", name=re.compile("0168"))).to_be_visible()
    unit.press("Enter")
    expect(unit).to_have_value("0168")
    line.get_by_label("Forma farmacéutica").select_option("COLFF001")
    line.get_by_label("Vía de administración").select_option("048")
    line.get_by_label("Dosis", exact=True).fill("850")
    line.get_by_label("Unidad de dosis").select_option("0168")
    line.get_by_label("Cada").fill("12")
    line.get_by_label("Durante").fill("30")
    expect(line.locator("[data-suggestion]")).to_contain_text("60 administraciones")
    line.get_by_label("Cantidad total").fill("2")
    line.get_by_label("Unidad de presentación").select_option("11")
    line.get_by_label("Justificación").fill("Control glucémico insuficiente con dieta.")

    # Line 2, a procedure, added with the keyboard shortcut.
    page.keyboard.press("Alt+p")
    line = page.locator("[data-line]").nth(1)
    expect(line).to_contain_text("Procedimiento")
    cups = line.get_by_label("Procedimiento (CUPS)")
    expect(cups).to_be_focused()
    cups.fill("hemoglobina glic")
    expect(page.get_by_role("option", name=re.compile("903426"))).to_be_visible()
    cups.press("Enter")
    expect(cups).to_have_value("903426")
    line.get_by_label("Cantidad por uso").fill("1")
    line.get_by_label("Cada").fill("3")
    line.get_by_label("Unidad de frecuencia").select_option("5")
    line.get_by_label("Durante").fill("6")
    line.get_by_label("Unidad de duración").select_option("5")
    expect(line.get_by_label("Cantidad total")).to_have_value("2")  # suggested: 6 / 3 × 1
    line.get_by_label("Justificación").fill("Seguimiento de la diabetes.")

    # Line 3, a complementary service, added with the button.
    page.get_by_role("button", name=re.compile("Agregar servicio complementario")).click()
    line = page.locator("[data-line]").nth(2)
    line.get_by_label("Servicio complementario").select_option("139")
    line.get_by_label("Tipo de prestación").select_option("2")
    line.get_by_label("Cantidad por uso").fill("3")
    line.get_by_label("Cada").fill("1")
    line.get_by_label("Durante").fill("30")
    expect(line.get_by_label("Cantidad total")).to_have_value("90")
    line.get_by_label("Justificación").fill("Incontinencia urinaria.")

    page.get_by_role("button", name="Emitir prescripción").click()
    # The demo médico prescribed metformina and the HbA1c to this patient lately: each is a
    # caution to confirm before issuing again (issue 17 item 4).
    cautions = page.locator("#cautions input[type=checkbox]")
    expect(cautions.first).to_be_visible()
    expect(page.locator("#cautions")).to_contain_text("misma tecnología (00965)")
    for index in range(cautions.count()):
        cautions.nth(index).check()
    page.get_by_role("button", name="Emitir prescripción").click()
    number = page.locator("[data-prescription-number]")
    expect(number).to_have_text(re.compile(r"^\d{20}$"))
    prescription = Prescription.objects.get(number=number.inner_text())
    assert sorted(line.key for line in prescription.lines.all()) == ["M1", "P1", "S1"]
    assert prescription.lines.get(technology_type="S").junta_status == 2
    expect(
        page.get_by_text("Requiere junta de profesionales y pendiente evaluación")
    ).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
