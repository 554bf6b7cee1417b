"""Issue 15's «done when»: the demo patient asks for a code, reads it from the outbox, sees
a prescription with one line delivered, one pendiente and one not yet directed, asks to
renew a sucesiva line; the demo médico renews it; the patient's page shows the new
prescription."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from prescriptions.models import Prescription

from .test_login import log_in


@pytest.mark.django_db(transaction=True)
def test_the_patient_sees_the_supply_and_gets_a_renewal(page, live_server, demo_world, browser):
    patient = demo_world["patient_access"][0]
    walk_number = patient["prescriptions"][0]

    # The code, from the e-mail the console backend would print.
    page.goto(f"{live_server.url}/paciente/")
    page.get_by_label("Tipo de documento").select_option(patient["document_type"])
    page.get_by_label("Número de documento").fill(patient["document_number"])
    mail.outbox.clear()
    page.get_by_role("button", name="Enviarme el código").click()
    expect(page.get_by_role("heading", name="Escriba el código")).to_be_visible()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("Código de 6 dígitos").fill(code)
    page.get_by_role("button", name="Ver mis prescripciones").click()

    # The walk's prescription: delivered, pendiente, not yet directed; its QR.
    card = page.locator("section", has=page.get_by_role("heading", name=re.compile(walk_number)))
    expect(card.locator("[data-line=M1]")).to_contain_text("Entregada el")
    expect(card.locator("[data-line=M2]")).to_contain_text("Pendiente: le deben")
    expect(card.locator("[data-line=P1]")).to_contain_text("Por direccionar")
    expect(card.get_by_role("img", name=re.compile("Código QR"))).to_be_visible()

    # The sucesiva line near its end: ask to renew it.
    sucesiva = card.locator("[data-line=M3]")
    sucesiva.get_by_role("button", name="Pedir renovación").click()
    expect(page.get_by_role("status").first).to_contain_text("renueve su prescripción")
    expect(card.locator("[data-line=M3]")).to_contain_text("esperando la respuesta de su IPS")

    # The médico of the IPS renews it from the list of requests.
    medico = next(
        u
        for u in demo_world["users"]
        if u["entity_type"] == "IPS" and u["roles"] == ["prescriptor"]
    )
    context = browser.new_context(locale="es-CO", timezone_id="America/Bogota")
    staff = context.new_page()
    staff.set_default_timeout(8000)
    log_in(staff, live_server, medico)
    staff.get_by_role("link", name="Solicitudes de renovación").first.click()
    row = staff.locator("tr", has_text=walk_number)
    row.get_by_role("button", name="Renovar").click()
    expect(staff.get_by_role("heading", name=re.compile("Renovar la prescripción"))).to_be_visible()
    expect(staff.locator("[data-line]")).to_have_count(1)
    staff.get_by_role("button", name="Emitir prescripción").click()
    number = staff.locator("[data-prescription-number]")
    # The form asks to confirm that the patient already has this technology prescribed.
    warnings = staff.get_by_role("group", name=re.compile("Confirme cada advertencia"))
    expect(number.or_(warnings)).to_be_visible()
    if warnings.is_visible():
        for box in warnings.get_by_role("checkbox").all():
            box.check()
        staff.get_by_role("button", name="Emitir prescripción").click()
    expect(number).to_have_text(re.compile(r"^\d{20}$"))
    new_number = number.inner_text()
    assert (
        Prescription.objects.get(number=new_number).lines.get().description.startswith("ENALAPRIL")
    )

    # The patient's page shows the new prescription, and the request as accepted.
    page.reload()
    expect(page.get_by_role("heading", name=re.compile(new_number))).to_be_visible()
    expect(card.locator("[data-line=M3]")).to_contain_text("Su IPS aceptó renovarla")
    context.close()
