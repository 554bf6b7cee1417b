"""The two journeys of the user administration issue, end to end in Chromium, following the
links of the emails (read from Django's outbox: the live server runs in this process)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect
from stdnum.co import nit

from accounts.models import User
from entities.models import Entity, Membership

PASSWORD = "Clave.Segura.2026"


@pytest.fixture
def site_url(settings, live_server):
    """Links in emails point at the live server."""
    settings.SITE_URL = live_server.url
    return live_server.url


def _last_link(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    return re.search(r"(http://\S+)", message.body).group(1)


def _log_in(page, base, number, password):
    page.goto(f"{base}/cuentas/ingresar/")
    page.get_by_label("Tipo de documento").select_option("CC")
    page.get_by_label("Número de documento").fill(number)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name=re.compile("Bienvenido"))).to_be_visible()


def _log_out(page):
    page.locator(".navbar .dropdown-toggle").last.click()
    page.get_by_role("button", name="Salir").click()


def _set_password_from_email(page, email):
    page.goto(_last_link(email))
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    page.get_by_role("button", name="Guardar contraseña").click()
    expect(page.get_by_text("Su contraseña quedó creada")).to_be_visible()


def test_a_medico_registers_gets_credentials_is_activated_and_sees_his_role(
    page, site_url, demo_world
):
    base = site_url
    # PASO 1.
    page.goto(f"{base}/cuentas/registro/persona/")
    page.get_by_label("Número de documento").fill("1000009001")
    page.get_by_label("Primer nombre").fill("Julián")
    page.get_by_label("Primer apellido").fill("Zapata")
    page.get_by_label("Fecha de nacimiento").fill("1980-05-17")
    page.locator("#id_email").fill("julian.zapata@example.org")
    page.get_by_label("Confirme el correo electrónico").fill("julian.zapata@example.org")
    page.get_by_role("button", name="Registrarme").click()
    expect(page.get_by_text("Registro exitoso")).to_be_visible()
    # PASO 2 as a health professional (he is active in the demo RETHUS).
    page.get_by_role("link", name=re.compile("PASO 2")).click()
    page.get_by_label("Profesional de la salud").check()
    page.get_by_label("Número de documento").fill("1000009001")
    page.get_by_role("button", name="Solicitar usuario y contraseña").click()
    expect(page.get_by_text("Revise su correo")).to_be_visible()
    _set_password_from_email(page, "julian.zapata@example.org")

    # The demo IPS delegate activates him as Prescriptor, asking only his document.
    delegate = next(
        u for u in demo_world["users"] if u["entity_type"] == "IPS" and u["roles"] == ["delegado"]
    )
    _log_in(page, base, delegate["document_number"], delegate["password"])
    main = page.get_by_role("main")
    main.get_by_role("link", name="Administración de usuarios").first.click()
    page.get_by_role("link", name="Activar usuario").first.click()
    page.get_by_label("Número de documento").fill("1000009001")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_text("Julián Zapata").first).to_be_visible()
    page.get_by_label("Rol").select_option("prescriptor")
    page.get_by_role("button", name="Activar").click()
    expect(page.get_by_role("alert").filter(has_text="Prescriptor")).to_be_visible()
    _log_out(page)

    # He logs in and sees his role at the IPS.
    _log_in(page, base, "1000009001", PASSWORD)
    expect(page.get_by_role("main").get_by_text("Prescriptor")).to_be_visible()
    expect(page.get_by_role("main").get_by_text(delegate["entity_name"])).to_be_visible()
    medico = User.objects.get(document_number="1000009001")
    assert Membership.objects.active().filter(user=medico, role="prescriptor").count() == 1


def test_a_legal_representative_registers_an_ips_and_its_delegate_activates_a_dispensador(
    page, site_url, demo_world
):
    base = site_url
    legal = next(p for p in demo_world["people"] if p["document_number"] == "1000009101")
    designated = next(p for p in demo_world["people"] if p["document_number"] == "1000009102")
    # The legal representative registers the IPS (it is in the demo REPS).
    page.goto(f"{base}/cuentas/registro/entidad/")
    page.get_by_label("Número de documento del representante legal").fill(legal["document_number"])
    page.get_by_label("Tipo de entidad").select_option("IPS")
    page.locator("#id_nit").fill("900400301")
    right = nit.calc_check_digit("900400301")
    page.get_by_label("Dígito de verificación").fill(str((int(right) + 1) % 10))
    page.get_by_label("Razón social").fill("Clínica Demo del Pacífico (demo)")
    page.get_by_label("Municipio").select_option("76001")
    page.get_by_label("Dirección").fill("Calle 5 # 38-14, Cali")
    page.get_by_label("Código de habilitación REPS (IPS)").fill("760010000301")
    page.get_by_label("Número de documento del delegado").fill(designated["document_number"])
    page.get_by_role("button", name="Registrar la entidad").click()
    # A wrong check digit: the message beside the field, everything typed kept.
    expect(page.get_by_text("no corresponde a este NIT")).to_be_visible()
    expect(page.get_by_label("Razón social")).to_have_value("Clínica Demo del Pacífico (demo)")
    page.get_by_label("Dígito de verificación").fill(right)
    page.get_by_role("button", name="Registrar la entidad").click()
    expect(page.get_by_text("Confirme el registro desde su correo")).to_be_visible()
    page.goto(_last_link(f"cc{legal['document_number']}@demo.mipres.local"))
    expect(page.get_by_text("Registro confirmado")).to_be_visible()

    # A Ministry administrator verifies it in the Django admin.
    admin = demo_world["admins"][0]
    page.goto(f"{base}/admin/")
    page.locator("#id_username").fill(f"CC {admin['document_number']}")
    page.locator("#id_password").fill(admin["password"])
    page.locator("input[type=submit]").click()
    page.goto(f"{base}/admin/entities/entity/?status__exact=pending")
    page.get_by_role("row", name=re.compile("Clínica Demo del Pacífico")).get_by_role(
        "checkbox"
    ).check()
    page.locator("select[name=action]").select_option("verify")
    page.locator("button[name=index]").click()
    expect(page.get_by_text("1 entidad(es) verificada(s).")).to_be_visible()
    page.context.clear_cookies()

    # The delegate follows the invitation: PASO 2 as Delegado administrativo.
    delegate_email = f"cc{designated['document_number']}@demo.mipres.local"
    page.goto(_last_link(delegate_email))
    page.get_by_label("Delegado administrativo").check()
    page.get_by_label("Tipo de entidad").select_option("IPS")
    page.get_by_label("NIT de la entidad").fill("900400301")
    page.get_by_label("Número de documento").fill(designated["document_number"])
    page.get_by_role("button", name="Solicitar usuario y contraseña").click()
    expect(page.get_by_text("Revise su correo")).to_be_visible()
    _set_password_from_email(page, delegate_email)
    _log_in(page, base, designated["document_number"], PASSWORD)

    # A new sede, then a dispensador who delivers there.
    card = page.get_by_role("main").locator(".card").filter(has_text="Clínica Demo del Pacífico")
    card.get_by_role("link", name="Administración de usuarios").click()
    page.get_by_role("link", name="Nueva sede").click()
    page.get_by_label("Código de sede").fill("01")
    page.get_by_label("Nombre").fill("Sede Centro Cali")
    page.get_by_label("Dirección").fill("Carrera 1 # 10-20")
    page.get_by_label("Municipio").select_option("76001")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Sede Centro Cali").first).to_be_visible()
    page.get_by_role("link", name="Usuarios", exact=True).first.click()
    page.get_by_role("link", name="Activar usuario").first.click()
    page.get_by_label("Número de documento").fill("1000009005")
    page.get_by_label("Rol").select_option("dispensador")
    page.get_by_label(re.compile("Sede Centro Cali")).check()
    page.get_by_role("button", name="Activar").click()
    expect(page.get_by_role("alert").filter(has_text="Dispensador")).to_be_visible()

    entity = Entity.objects.get(nit="900400301")
    membership = Membership.objects.active().get(entity=entity, role="dispensador")
    assert membership.user.document_number == "1000009005"
    assert [s.name for s in membership.sedes.all()] == ["Sede Centro Cali"]
