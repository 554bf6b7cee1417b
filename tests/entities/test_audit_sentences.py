"""The history and audit pages say what happened in Spanish (issue 17 §24): every action
code a service writes has a sentence, and an entry's data shows with Spanish labels."""

import ast
import re
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.apps import apps
from django.template.loader import render_to_string

from entities import audit
from entities.models import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "entities", "prescriptions", "supply", "webservices", "patients", "jobs")
CODE = re.compile(rf"^({'|'.join(APPS)})\.[a-z_]+\.[a-z_]+$")


def _is_module_path(text: str) -> bool:
    """ "supply.views.provider" or "accounts.forms.login_name": a dotted path to code."""
    module = text.rsplit(".", 1)[0]
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def codes_in_source() -> set[str]:
    """Every string of the code's source shaped like an action code ("app.thing.verb")."""
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and CODE.match(node.value)
                    and not _is_module_path(node.value)
                ):
                    found.add(node.value)
    return found


def built_codes() -> set[str]:
    """The codes services build: a supply step's annulment, a renewal's answer."""
    steps = {
        f"supply.{model._meta.model_name}.annulled"
        for model in apps.get_app_config("supply").get_models()
        # The unmanaged models read views (the timeline's steps): nothing annuls them.
        if model._meta.managed and any(f.name == "annulment_reason" for f in model._meta.fields)
    }
    return steps | {"patients.renewal.accepted", "patients.renewal.declined"}


def test_the_scan_finds_the_services_codes():
    found = codes_in_source()
    assert {"entities.membership.inactivated", "supply.entrega.created"} <= found
    assert "webservices.errors.exception_handler" not in found


def test_every_action_code_has_a_spanish_sentence():
    missing = sorted((codes_in_source() | built_codes()) - set(audit.SENTENCES))
    assert not missing, missing


@pytest.mark.django_db
def test_the_log_shows_the_sentence_and_the_details_not_the_code():
    entry = AuditEntry(
        action="entities.membership.inactivated",
        data={"user": "CC 52000021", "role": "prescriptor", "reason": "Licencia", "ip": "10.0.0.9"},
    )
    html = render_to_string("entities/_audit_log.html", {"entries": [entry]})
    assert "Rol inactivado para un usuario." in html
    assert "Usuario:</span> CC 52000021" in html and "Motivo:</span> Licencia" in html
    assert "entities.membership.inactivated" not in html and "10.0.0.9" not in html
    html = render_to_string("entities/_audit_log.html", {"entries": [entry], "show_ip": True})
    assert "Dirección IP:</span> 10.0.0.9" in html


@pytest.mark.django_db
def test_admin_edits_and_unknown_codes_still_read_as_sentences():
    assert audit.sentence("entities.sede.changed") == "Cambio en la administración: sede."
    assert audit.sentence("x.y.z") == "Evento x.y.z."
    assert audit.details({"first_time": True, "lines": ["M1", "P1"]}) == [
        ("primera vez", "sí"),
        ("líneas", "M1, P1"),
    ]
