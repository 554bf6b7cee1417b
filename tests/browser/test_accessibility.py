"""WCAG AA in the pages people use every day (issue 17 §25): the `page` fixture runs axe-core
on every page loaded (tests/browser/conftest.py) and fails on a serious or critical
violation; this test loads the public pages and, for one user of each kind, the pages its home page
links to and the pages those link to."""

from urllib.parse import urlsplit

from .test_login import demo_account, log_in

USERS = [
    ("IPS", "delegado"),
    ("IPS", "prescriptor"),
    ("EPS", "administrativo"),
    ("PROVEEDOR", "administrativo"),
    ("PROVEEDOR", "dispensador"),
]
PUBLIC = ["/cuentas/ingresar/", "/ayuda/", "/cuentas/registro/"]
PAGES_PER_USER = 10


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
    own = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith(
            ("/admin/", "/static/", "/cuentas/salir")
        ):
            continue
        if parts.path not in {urlsplit(u).path for u in own} and "formato=" not in href:
            own.append(href)
    return own


def test_pages_have_no_serious_accessibility_violations(page, live_server, demo_world):
    for path in PUBLIC:
        page.goto(f"{live_server.url}{path}")
    for entity_type, role in USERS:
        page.context.clear_cookies()
        log_in(page, live_server, demo_account(demo_world, entity_type, role))
        # The home page's links, then the links of those pages (the entity's modules).
        queue, seen = _links(page, live_server.url), set()
        while queue and len(seen) < PAGES_PER_USER:
            href = queue.pop(0)
            if urlsplit(href).path in seen:
                continue
            seen.add(urlsplit(href).path)
            page.goto(href)
            queue += _links(page, live_server.url)
