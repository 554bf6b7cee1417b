"""Browser tests drive Debian's Chromium through Playwright (never `playwright install`)."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


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


@pytest.fixture
def page(page):
    """Fail in seconds, not half a minute, when something is not on the page."""
    page.set_default_timeout(8000)
    return page
