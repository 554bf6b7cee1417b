"""Issue 17 §21: every worklist fits 1280 px without scrolling sideways, and on a 390 px phone
its rows stack so each row's action is on screen."""

import re

from playwright.sync_api import expect

from entities.models import Entity

from .test_login import log_in

WORKLISTS = {
    "pagador": ["por-direccionar", "direccionados"],
    "proveedor": ["por-programar", "por-reportar", "por-facturar"],
    "dispensador": ["por-entregar"],
}
# The first row's action (its last cell's first link) must be on screen.
ACTIONS = {"por-direccionar": "Direccionar", "por-entregar": "Entregar"}
# How far the page and each table scroll sideways (0 when they fit).
OVERFLOW = """() => {
  const root = document.documentElement;
  const tables = [...document.querySelectorAll('main table')].map(
    (t) => Math.max(t.scrollWidth, t.parentElement.scrollWidth) - t.parentElement.clientWidth);
  return Math.max(root.scrollWidth - root.clientWidth, ...tables, 0);
}"""


def _user(world: dict, step: str) -> dict:
    return next(user for user in world["supply_users"] if user["step"] == step)


def test_worklists_fit_1280_and_stack_on_a_phone(page, live_server, demo_world):
    for step, paths in WORKLISTS.items():
        user = _user(demo_world, step)
        page.context.clear_cookies()
        page.set_viewport_size({"width": 1280, "height": 900})
        log_in(page, live_server, user)
        entity = Entity.objects.get(nit=user["entity_nit"])
        for path in paths:
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{live_server.url}/suministro/{entity.external_id}/{path}/")
                rows = page.locator("main table tbody tr")
                expect(rows.first).to_be_visible()
                assert page.evaluate(OVERFLOW) <= 1, (path, width)
                action = rows.first.locator("td").last.get_by_role("link").first
                if path in ACTIONS:
                    action = rows.first.get_by_role(
                        "link", name=re.compile(f"^{ACTIONS[path]}\\b")
                    ).first
                box = action.bounding_box()
                assert box is not None and box["x"] >= 0, (path, width)
                assert box["x"] + box["width"] <= width, (path, width, box)
