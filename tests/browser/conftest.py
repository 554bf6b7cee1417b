"""Browser tests drive Debian's Chromium through Playwright (never `playwright install`).

Every page a browser test loads is checked with axe-core (static/vendor/axe-core, WCAG 2 A
and AA plus axe's best practices): a serious or critical violation fails the test at its
end, listing the page, the rule and the elements. `axe_check(page)` checks the page as it is
now (after a dialog opened or a form was answered, say)."""

import contextlib
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
# In the page: run axe once loaded, keep the run's promise (axe runs one at a time) and
# hand the serious and critical violations to the test through `__axeReport`.
AXE_ON_LOAD = """
window.__axeFindings = () => axe.run(document).then((result) => result.violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => ({
    page: location.pathname + location.search, rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  })));
window.addEventListener("load", () => {
  if (window.top !== window || !window.axe) return;
  window.__axeRun = window.__axeFindings()
    .then((found) => window.__axeReport(found))
    .catch(() => null);
});
"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "es-CO", "timezone_id": "America/Bogota"}


@pytest.fixture
def demo_world(live_server):
    """The demo world, committed so the live server sees it."""
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_credentials", "--json", stdout=out)
    return json.loads(out.getvalue())


def axe_check(page) -> list[dict]:
    """The serious and critical axe violations of the page as it is now."""
    return page.evaluate(
        "() => (window.__axeRun || Promise.resolve()).then(() => window.__axeFindings())"
    )


def _described(findings: list[dict]) -> str:
    return "\n".join(
        f"{f['page']}: {f['rule']} ({f['impact']}) {f['help']}: {', '.join(f['nodes'])}"
        for f in findings
    )


@pytest.fixture
def page(page):
    """Fail in seconds, not half a minute, when something is not on the page; and fail the
    test on a serious or critical accessibility violation of any page it loaded."""
    page.set_default_timeout(8000)
    findings: list[dict] = []
    page.expose_binding("__axeReport", lambda _source, found: findings.extend(found))
    page.add_init_script(path=str(AXE))
    page.add_init_script(script=AXE_ON_LOAD)
    yield page
    if not page.is_closed():
        with contextlib.suppress(Exception):  # a page torn down mid-check: checked on load
            findings.extend(axe_check(page))
    unique = {(f["page"], f["rule"]): f for f in findings}
    assert not unique, "Accessibility (axe-core):\n" + _described(list(unique.values()))
