import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from entities.models import (
    AuditEntry,
    Department,
    Entity,
    Membership,
    Municipality,
    NetworkLink,
    TerritorialLink,
)
from entities.permissions import ROLES_BY_ENTITY_TYPE, EntityType
from patients import demo as patients_demo
from supply import demo as supply_demo

pytestmark = pytest.mark.django_db
CATALOG_DIR = os.environ.get("CATALOG_DIR", "")


def _credentials() -> dict:
    out = StringIO()
    call_command("demo_credentials", "--json", stdout=out)
    return json.loads(out.getvalue())


def _counts():
    counts = [m.objects.count() for m in (User, Entity, Membership, NetworkLink, TerritorialLink)]
    # A registry import run is an event even when it changes nothing; everything else is not.
    changes = AuditEntry.objects.exclude(action__endswith=".imported").count()
    return [*counts, changes]


def test_seed_demo_builds_a_coherent_world_and_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    verified = Entity.objects.filter(status="verified")
    types = sorted(verified.values_list("entity_type", flat=True))
    assert types == ["EOC", "EPS", "ET", "IPS", "IPS", "PROVEEDOR", "PROVEEDOR"]
    # Two registrations wait: one for the Ministry, one for its legal representative.
    pending = Entity.objects.filter(status="pending")
    assert sorted(e.awaiting_confirmation for e in pending) == [False, True]
    assert all(e.pending_delegate for e in pending)
    eps = Entity.objects.get(entity_type="EPS")
    assert sorted(eps.payer_codes.values_list("regime", flat=True)) == [
        "contributivo",
        "subsidiado",
    ]
    # A subsidiado network link always names an ET that associated the code.
    for link in NetworkLink.objects.filter(payer_code__regime="subsidiado"):
        assert TerritorialLink.objects.active().filter(
            territory=link.territory, payer_code=link.payer_code
        )
    for entity in verified.filter(entity_type__in=["IPS", "PROVEEDOR"]):
        assert entity.sedes.exists()


def test_demo_credentials_cover_every_role_of_every_entity_and_log_in(rf):
    call_command("seed_demo", stdout=StringIO())
    data = _credentials()
    users = data["users"]
    keys = {
        "document_type",
        "document_number",
        "password",
        "entity_nit",
        "entity_name",
        "entity_type",
        "roles",
    }
    assert all(set(u) == keys for u in users)
    for entity_type in EntityType:
        expected = set(ROLES_BY_ENTITY_TYPE[entity_type])
        for entity_nit in {u["entity_nit"] for u in users if u["entity_type"] == entity_type}:
            roles = {r for u in users if u["entity_nit"] == entity_nit for r in u["roles"]}
            assert roles == expected, (entity_type, entity_nit)
    stages = {p["stage"] for p in data["people"]}
    assert stages == {"registrado", "con_credenciales"}
    for p in data["people"]:
        person = User.objects.get(document_number=p["document_number"])
        assert person.has_usable_password() == (p["password"] is not None)
    assert len(data["pending_entities"]) == 2
    for u in users + data["admins"]:
        login = f"{u['document_type']} {u['document_number']}"
        user = authenticate(rf.post("/"), username=login, password=u["password"])
        assert user is not None, login
    for u in users:
        membership = Membership.objects.active().get(
            user__document_number=u["document_number"], entity__nit=u["entity_nit"]
        )
        assert [membership.role] == u["roles"]


def test_load_divipola_reports_and_accepts_latin1_semicolons(tmp_path: Path):
    csv = tmp_path / "municipios.csv"
    csv.write_bytes(
        "code;name;department_code;department_name\n"
        "05002;ABEJORRAL;05;Antioquia\n"
        "05001;MEDELLÍN;05;Antioquia\n"
        "123;CORTO;05;Antioquia\n"
        "25754;SOACHA;25;Cundinamarca\n".encode("latin-1")
    )
    out, err = StringIO(), StringIO()
    call_command("load_divipola", str(csv), stdout=out, stderr=err)
    assert "2 creados, 1 actualizados" in out.getvalue()
    assert "línea 4" in err.getvalue() and "5 dígitos" in err.getvalue()
    assert Municipality.objects.get(code="25754").department.name == "Cundinamarca"
    assert Municipality.objects.get(code="05001").name == "MEDELLÍN"


def test_the_repository_ships_33_departments_and_their_capitals():
    assert Department.objects.count() == 33
    assert Municipality.objects.get(code="05001").name == "Medellín"
    assert Municipality.objects.get(code="11001").department_id == "11"
    assert Municipality.objects.count() == 32  # Cundinamarca's capital is Bogotá (11001)


@pytest.mark.skipif(not CATALOG_DIR, reason="CATALOG_DIR is not set (CI sets it)")
def test_full_divipola_from_catalog_dir():
    call_command("load_divipola", str(Path(CATALOG_DIR) / "municipios.csv"), stdout=StringIO())
    assert Municipality.objects.count() == 1123
    assert Department.objects.count() == 33
    assert Municipality.objects.get(code="05001").name == "MEDELLÍN"
    assert Municipality.objects.get(code="11001").department.name.startswith("Bogotá")
    assert Municipality.objects.get(code="94343").department_id == "94"  # Barranco Minas


def test_seed_demo_makes_prescriptions_in_every_state():
    from prescriptions.models import Novelty, Prescription, TechnologyLine, Tutela

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    statuses = set(Prescription.objects.values_list("status", flat=True))
    assert statuses == {2, 4}  # activa and anulada
    junta = set(
        TechnologyLine.objects.filter(prescription__isnull=False).values_list(
            "junta_status", flat=True
        )
    )
    assert junta == {1, 2, 3, 4}
    assert Prescription.objects.filter(transcription_type__isnull=False).count() == 1
    assert set(Novelty.objects.values_list("novelty_type", flat=True)) == {2, 3}
    assert Tutela.objects.count() == 1
    # Idempotent: the prescription module's six, the supply demo's own, and the two of the
    # patient page's demo patient (patients.demo: the walk and every state she reads).
    document_type, document_number = patients_demo.PATIENT
    of_patient = Prescription.objects.filter(
        patient__document_type=document_type, patient__document_number=document_number
    ).count()
    assert of_patient == 2
    assert Prescription.objects.count() == 6 + len(supply_demo.PRESCRIPTIONS) + of_patient
