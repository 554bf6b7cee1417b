from playwright.sync_api import expect


def demo_account(world: dict, entity_type: str, role: str) -> dict:
    users = world["users"]
    return next(u for u in users if u["entity_type"] == entity_type and role in u["roles"])


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/cuentas/ingresar/")
    page.get_by_label("Tipo de documento").select_option(user["document_type"])
    page.get_by_label("Número de documento").fill(user["document_number"])
    page.get_by_label("Contraseña").fill(user["password"])
    page.get_by_role("button", name="Ingresar").click()


def test_ips_delegate_logs_in_and_sees_the_entity(page, live_server, demo_world):
    delegate = demo_account(demo_world, "IPS", "delegado")
    log_in(page, live_server, delegate)
    expect(page.get_by_role("heading", name="Sus entidades y roles")).to_be_visible()
    card_link = page.get_by_role("main").get_by_role("link", name=delegate["entity_name"])
    expect(card_link).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Delegado")).to_be_visible()
    card_link.click()
    expect(page.get_by_role("heading", name=delegate["entity_name"])).to_be_visible()
    expect(page.get_by_text("Usuarios activos y sus roles")).to_be_visible()
    page.get_by_role("link", name="Auditoría").click()
    expect(page.get_by_text("Rol activado para un usuario.").first).to_be_visible()


def test_wrong_password_shows_the_spanish_message(page, live_server, demo_world):
    user = {**demo_account(demo_world, "PROVEEDOR", "dispensador"), "password": "equivocada"}
    log_in(page, live_server, user)
    expect(page.get_by_text("no son correctos")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/cuentas/ingresar/")
