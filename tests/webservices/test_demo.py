"""webservices/demo.py: deterministic GUIDs for the demo world, listed by demo_credentials
under `web_services`, and a proveedor path that runs right away."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def _web_services() -> list[dict]:
    out = io.StringIO()
    call_command("demo_credentials", "--json", stdout=out)
    return json.loads(out.getvalue())["web_services"]


def test_every_demo_subject_has_a_working_guid(demo, client):
    rows = _web_services()
    keys = {
        "entity_type",
        "entity_name",
        "payer_code",
        "nit",
        "guid",
        "sedes",
        "pending_prescriptions",
    }
    assert all(set(row) == keys for row in rows)
    codes = {row["payer_code"] for row in rows if row["payer_code"]}
    assert {"EPS099", "EPSS99", "EAS099"} <= codes
    for row in rows:
        response = client.get(f"/WSSUMMIPRESNOPBS/api/GenerarToken/{row['nit']}/{row['guid']}")
        assert response.status_code == 200, row
        if row["entity_type"] == "PROVEEDOR":
            assert row["payer_code"] is None and row["sedes"]


def test_seeding_twice_keeps_the_guids(demo):
    before = _web_services()
    call_command("seed_demo", stdout=io.StringIO())
    assert _web_services() == before


def test_a_proveedor_finds_its_pending_prescriptions(demo, client):
    rows = [
        r for r in _web_services() if r["entity_type"] == "PROVEEDOR" and r["pending_prescriptions"]
    ]
    assert rows, "the demo world directs something not yet programmed to a proveedor"
    row = rows[0]
    token = json.loads(
        client.get(f"/WSSUMMIPRESNOPBS/api/GenerarToken/{row['nit']}/{row['guid']}").content
    )
    number = row["pending_prescriptions"][0]
    listed = client.get(
        f"/WSSUMMIPRESNOPBS/api/DireccionamientoXPrescripcion/{row['nit']}/{token}/{number}"
    ).json()
    assert any(item["EstDireccionamiento"] == 1 for item in listed)
