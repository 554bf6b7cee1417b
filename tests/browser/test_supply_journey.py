"""Issue 5's «Done when», in Chromium with the demo users: the EPS directs a sucesiva line in
two deliveries, the proveedor programs both at a sede, the dispensador delivers the first
partially with a cause, the proveedor reports and invoices it; the EPS then tries to annul
that direccionamiento and is refused, and the proveedor annuls the second delivery's
programación."""

import re

from playwright.sync_api import expect

from entities.models import Entity
from supply.models import Direccionamiento, Programacion, StepStatus

from .test_login import log_in


def _user(world: dict, step: str) -> dict:
    return next(user for user in world["supply_users"] if user["step"] == step)


def _fresh(world: dict) -> dict:
    return next(stage for stage in world["supply_stages"] if stage["stage"] == "fresca")


def _log_out(page):
    page.context.clear_cookies()


def _module(page, live_server, entity_nit: str, path: str, number: str) -> None:
    entity = Entity.objects.get(nit=entity_nit)
    page.goto(f"{live_server.url}/suministro/{entity.external_id}/{path}/?number={number}")


def test_sucesiva_line_from_direccionamiento_to_invoice_and_annulments(
    page, live_server, demo_world
):
    fresh = _fresh(demo_world)
    number = fresh["prescription_number"]
    payer = _user(demo_world, "pagador")
    provider = _user(demo_world, "proveedor")
    dispensador = _user(demo_world, "dispensador")

    # The EPS directs the fresh line in two deliveries of 30 to the proveedor.
    log_in(page, live_server, payer)
    page.get_by_role("link", name="Suministro").first.click()
    expect(page.get_by_role("link", name="Por direccionar")).to_be_visible()
    _module(page, live_server, payer["entity_nit"], "por-direccionar", number)
    row = page.locator("tr", has_text=number).filter(has_text=fresh["line"])
    row.get_by_role("link", name="Direccionar", exact=True).click()
    provider_entity = Entity.objects.get(nit=fresh["provider_nit"])
    page.locator("#id_provider").select_option(value=str(provider_entity.pk))
    page.locator("#id_technology_code").fill("19934567-02")  # the CUM to deliver
    page.locator("#schedule-count").fill("2")
    page.get_by_role("button", name=re.compile("Generar")).click()
    rows = page.locator("#delivery-rows tbody tr.delivery-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("[data-field=quantity]")).to_have_value("30")
    expect(rows.nth(1).locator("[data-field=quantity]")).to_have_value("30")
    page.get_by_role("button", name="Direccionar", exact=True).click()
    expect(page.locator(".alert-success")).to_be_visible()
    direcciones = Direccionamiento.objects.filter(deliverable__prescription__number=number)
    assert sorted(d.deliverable.delivery_number for d in direcciones) == [1, 2]
    _log_out(page)

    # The proveedor programs both deliveries at its sede.
    log_in(page, live_server, provider)
    for _delivery in (1, 2):
        _module(page, live_server, provider["entity_nit"], "por-programar", number)
        page.locator("tr", has_text=number).get_by_role("link", name="Programar").first.click()
        page.locator("#id_sede").select_option(index=1)
        page.get_by_role("button", name=re.compile("Programar")).click()
        expect(page.locator(".alert-success")).to_be_visible()
    assert (
        Programacion.objects.filter(
            deliverable__prescription__number=number, status=StepStatus.ACTIVO
        ).count()
        == 2
    )
    _log_out(page)

    # The dispensador delivers the first delivery partially, with a cause.
    log_in(page, live_server, dispensador)
    _module(page, live_server, dispensador["entity_nit"], "por-entregar", number)
    first = page.locator("tr", has_text=number).filter(has_text=re.compile(r"\b1\b")).first
    first.get_by_role("link", name="Entregar").click()
    page.locator("#id_quantity").fill("20")
    page.get_by_role("radio", name="Parcial").check()
    page.locator("#id_cause").select_option(value=str(demo_cause_id("4")))
    page.locator("#id_batch").fill("LOTE-2026-11")
    page.get_by_role("button", name=re.compile("Registrar entrega")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    _log_out(page)

    # The proveedor reports and invoices it.
    log_in(page, live_server, provider)
    _module(page, live_server, provider["entity_nit"], "por-reportar", number)
    page.locator("tr", has_text=number).get_by_role("link", name="Reportar").first.click()
    page.get_by_role("radio", name="Sí, se entregó").check()
    page.locator("#id_value").fill("60000")
    page.get_by_role("button", name="Reportar entrega").click()
    expect(page.locator(".alert-success")).to_be_visible()
    _module(page, live_server, provider["entity_nit"], "por-facturar", number)
    page.locator("tr", has_text=number).get_by_role("link", name="Facturar").first.click()
    page.locator("#id_invoice_number").fill("FE-DEMO-1")
    page.locator("#id_units").fill("20")
    page.locator("#id_unit_value").fill("3000")
    page.locator("#id_cuota_moderadora").fill("4000")
    expect(page.locator("#invoice-total")).to_have_value(re.compile("56"))
    page.get_by_role("button", name="Registrar facturación").click()
    expect(page.locator(".alert-success")).to_be_visible()
    _log_out(page)

    delivered = Direccionamiento.objects.get(
        deliverable__prescription__number=number, deliverable__delivery_number=1
    )
    second = Programacion.objects.get(
        deliverable__prescription__number=number, deliverable__delivery_number=2
    )

    # The EPS tries to annul the delivered direccionamiento: refused in seed 004's words.
    log_in(page, live_server, payer)
    entity = Entity.objects.get(nit=payer["entity_nit"])
    page.goto(
        f"{live_server.url}/suministro/{entity.external_id}/anular/direccionamiento/{delivered.pk}/"
    )
    page.get_by_label("Motivo de la anulación").fill("Cambio de proveedor")
    page.get_by_role("button", name=re.compile("Anular")).click()
    expect(page.locator(".alert-danger")).to_contain_text(
        "no puede anularse el direccionamiento ni la programación"
    )
    delivered.refresh_from_db()
    assert delivered.status == StepStatus.PROCESADO
    _log_out(page)

    # The proveedor annuls the second delivery's programación from the timeline.
    log_in(page, live_server, provider)
    page.goto(f"{live_server.url}/suministro/{provider_entity.external_id}/prescripcion/{number}/")
    step = page.locator(".supply-step[data-kind=programacion][data-status='1']")
    step.get_by_role("link", name="Anular").click()
    page.get_by_label("Motivo de la anulación").fill("El paciente cambió de sede")
    page.get_by_role("button", name=re.compile("Anular")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    second.refresh_from_db()
    assert second.status == StepStatus.ANULADO
    assert Direccionamiento.objects.get(pk=second.direccionamiento_id).status == StepStatus.ACTIVO


def demo_cause_id(code: str) -> int:
    from prescriptions.models import NonDeliveryCause

    return NonDeliveryCause.objects.get(code=code).pk
