"""Issue 17 items 2 and 27, in Chromium: the unit search never offers the recently used unit
ahead of the one typed exactly, a dose unit a thousand times the concentration unit is a
caution the prescriber confirms, and the transcription and tutela forms search their catalog
codes as the prescription form does."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from entities.models import Entity
from prescriptions.models import Prescription

from .test_login import demo_account, log_in
from .test_prescribing_journey import demo_medico, demo_patient

PATIENT_B = "71100002"  # subsidiado, EPSS99


def _choose(page, field, typed: str, code: str) -> None:
    field.fill(typed)
    expect(page.locator(".catalog-results:visible li.active")).to_contain_text(code)
    field.press("Enter")
    expect(field).to_have_value(code)


@pytest.mark.django_db(transaction=True)
def test_typing_g_picks_grams_and_mg_against_g_asks_for_confirmation(page, live_server, demo_world):
    medico = demo_medico(demo_world)
    demo_patient()
    log_in(page, live_server, medico)
    page.get_by_role("link", name="Nueva prescripción").first.click()
    page.get_by_label("Número de documento").fill(PATIENT_B)
    expect(page.locator("#patient-panel")).to_contain_text("EPSS99")
    page.get_by_label("Ámbito de atención").select_option("12")
    _choose(page, page.get_by_label("Diagnóstico principal (CIE-10)"), "e11.9", "E119")

    line = page.locator("[data-line]").nth(0)
    _choose(page, line.get_by_label("Principio activo").first, "metformi", "00965")
    line.get_by_label("Concentración").first.fill("1")
    unit = line.get_by_label("Unidad", exact=True).first
    # The demo médico prescribed metformina in mg: «mg» is a recent unit, yet «g», «gramo»
    # and the code name the gram, which leads and is highlighted.
    for typed in ("g", "gramo"):
        unit.fill(typed)
        first = page.locator(".catalog-results:visible li").first
        expect(first).to_contain_text("0062")
        expect(first).to_have_class(re.compile(r"\bactive\b"))
    unit.press("Enter")
    expect(unit).to_have_value("0062")
    # Now the slip the issue describes: concentration in mg, dose in g.
    _choose(page, unit, "mg", "0168")
    line.get_by_label("Forma farmacéutica").select_option("COLFF001")
    line.get_by_label("Vía de administración").select_option("048")
    line.get_by_label("Dosis", exact=True).fill("1")
    line.get_by_label("Unidad de dosis").select_option("0062")
    line.get_by_label("Cada").fill("12")
    line.get_by_label("Durante").fill("30")
    line.get_by_label("Cantidad total").fill("2")
    line.get_by_label("Unidad de presentación").select_option("11")
    line.get_by_label("Justificación").fill("Control glucémico insuficiente con dieta.")
    before = Prescription.objects.count()
    page.get_by_role("button", name="Emitir prescripción").click()

    cautions = page.locator("#cautions")
    expect(cautions).to_contain_text("la concentración está en mg y la dosis en g")
    expect(page.locator("[data-line]").nth(0)).to_contain_text("difieren mil veces")
    assert Prescription.objects.count() == before  # nothing issued yet
    boxes = cautions.get_by_role("checkbox")  # the demo may hold a metformina for her too
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.get_by_role("button", name="Emitir prescripción").click()
    number = page.locator("[data-prescription-number]")
    expect(number).to_have_text(re.compile(r"^\d{20}$"))
    issued = Prescription.objects.get(number=number.inner_text())
    assert issued.confirmed_cautions[0]["code"].startswith("unit_factor:")


def _open(page, live_server, demo_world, role: str, url_name: str) -> None:
    user = demo_account(demo_world, "EPS", role)
    entity = Entity.objects.get(name=user["entity_name"])
    log_in(page, live_server, user)
    expect(page.get_by_role("heading", name="Sus entidades y roles")).to_be_visible()
    page.goto(live_server.url + reverse(f"prescriptions:{url_name}", args=[entity.external_id]))


@pytest.mark.django_db(transaction=True)
def test_the_transcription_form_searches_its_catalog_codes(page, live_server, demo_world):
    _open(page, live_server, demo_world, "transcriptor", "transcription_create")
    _choose(page, page.get_by_label("Diagnóstico principal (CIE-10)"), "e11.9", "E119")
    page.get_by_role("button", name="Agregar Medicamento").click()
    # The page came back with what was typed; the new line's codes are searched too.
    expect(page.get_by_label("Diagnóstico principal (CIE-10)")).to_have_value("E119")
    _choose(page, page.get_by_label("Principio activo (código DCI)"), "metformi", "00965")
    _choose(page, page.get_by_label("Unidad de concentración"), "g", "0062")
    # The short catalogs are lists of their entries, as in the prescription form.
    dose_unit = page.get_by_label("Unidad de dosis (código)")
    expect(dose_unit).to_have_js_property("tagName", "SELECT")
    dose_unit.select_option("0168")
    expect(page.get_by_label("Unidad de presentación (código)")).to_have_js_property(
        "tagName", "SELECT"
    )


@pytest.mark.django_db(transaction=True)
def test_the_tutela_form_searches_its_catalog_codes(page, live_server, demo_world):
    _open(page, live_server, demo_world, "recobrante", "tutela_create")
    _choose(page, page.get_by_label("Diagnóstico principal (CIE-10)"), "e11.9", "E119")
    page.get_by_role("button", name="Agregar Procedimiento").click()
    _choose(page, page.get_by_label("Código CUPS"), "hemoglobina glic", "903426")
    page.get_by_role("button", name="Agregar Servicio complementario").click()
    service = page.get_by_label("Servicio complementario (código)")
    expect(service).to_have_js_property("tagName", "SELECT")
    service.select_option("139")
    expect(page.get_by_label("Código CUPS")).to_have_value("903426")
