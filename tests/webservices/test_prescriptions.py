"""WSMIPRESNOPBS: prescription bundles by GUID (research §1.9, §3.8)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prescriptions.services.prescribing import prescription_issue

from ..prescriptions.conftest import medicine_line
from .conftest import GUIDS, PRES

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today().isoformat()


def _get(client, op, *segments):
    return client.get(f"/{PRES}/api/{op}/" + "/".join(str(s) for s in segments))


def test_prescriptions_by_date_have_the_bundle_shape(client, world, creds):
    nit, number = world["eps"].nit, world["prescription"].number
    response = _get(client, "Prescripcion", nit, TODAY, GUIDS["eps"])
    assert response.status_code == 200
    (bundle,) = response.json()
    assert list(bundle) == [
        "prescripcion",
        "medicamentos",
        "procedimientos",
        "dispositivos",
        "productosnutricionales",
        "serviciosComplementarios",
    ]
    header = bundle["prescripcion"]
    assert header["NoPrescripcion"] == number
    assert header["NroIDPaciente"] == "43000111" and header["CodEPS"] == "EPT001"
    assert header["NroIDIPS"] == world["ips"].nit and header["EstPres"] == 4
    (medicine,) = bundle["medicamentos"]
    assert medicine["ConOrden"] == 1 and medicine["CantTotalF"] == 2
    assert medicine["PrincipiosActivos"][0]["CodPriAct"] == "00123"
    assert medicine["CausaS1"] is None and "RznCausaS31" in medicine
    assert bundle["serviciosComplementarios"][0]["EstJM"] == 3
    assert bundle["procedimientos"][0]["CodCUPS"] == "890201"


def test_by_number_and_by_patient(client, world, creds):
    nit, number, patient = world["eps"].nit, world["prescription"].number, world["patient"]
    (bundle,) = _get(client, "PrescripcionXNumero", nit, GUIDS["eps"], number).json()
    assert bundle["prescripcion"]["NoPrescripcion"] == number
    found = _get(
        client, "PrescripcionPaciente", nit, TODAY, GUIDS["eps"], "CC", patient.document_number
    ).json()
    assert len(found) == 1
    assert _get(client, "PrescripcionPaciente", nit, TODAY, GUIDS["eps"], "TI", "1").json() == []


def test_the_ips_sees_what_it_prescribed_others_nothing(client, world, creds):
    number = world["prescription"].number
    ips = _get(client, "PrescripcionXNumero", world["ips"].nit, GUIDS["ips"], number).json()
    assert len(ips) == 1
    for who in ("provider", "other_provider"):
        nit = world[who].nit
        assert _get(client, "PrescripcionXNumero", nit, GUIDS[who], number).json() == []


def test_guid_is_the_token_and_refusals(client, world, creds):
    nit = world["eps"].nit
    assert _get(client, "Prescripcion", nit, TODAY, "no-es-un-guid").status_code == 401
    assert _get(client, "Prescripcion", nit, "ayer", GUIDS["eps"]).status_code == 400
    assert _get(client, "prescripcion", nit, TODAY, GUIDS["eps"].lower()).status_code == 200
    assert _get(client, "Prescripcion", world["ips"].nit, TODAY, GUIDS["eps"]).status_code == 401


def test_junta_novedades_and_tutelas(client, world, creds):
    nit, number = world["eps"].nit, world["prescription"].number
    rows = _get(client, "JuntaProfesional", nit, GUIDS["eps"], number).json()
    assert [r["junta_profesional"]["TipoTecnologia"] for r in rows] == ["S"]
    assert rows[0]["junta_profesional"]["EstJM"] == 3
    rows = _get(client, "JuntaProfesionalXFecha", nit, GUIDS["eps"], TODAY).json()
    assert len(rows) == 1
    assert _get(client, "NovedadesPrescripcion", nit, TODAY, GUIDS["eps"]).json() == []
    for op, segments in (
        ("Tutelas", (nit, TODAY, GUIDS["eps"])),
        ("TutelaXNumero", (nit, GUIDS["eps"], number)),
        ("TutelaXPaciente", (nit, TODAY, GUIDS["eps"], "CC", "43000111")),
        ("NovedadesTutelas", (nit, TODAY, GUIDS["eps"])),
    ):
        response = _get(client, op, *segments)
        assert response.status_code == 200 and response.json() == []


def test_a_constant_number_of_queries(client, world, creds, catalog):
    nit = world["eps"].nit

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _get(client, "Prescripcion", nit, TODAY, GUIDS["eps"]).status_code == 200
        return len(queries)

    one = count()
    for _ in range(3):
        prescription_issue(
            actor=world["medico"],
            entity=world["ips"],
            patient=world["patient"],
            care_setting=12,
            diagnosis=catalog["dx"],
            lines=[medicine_line(catalog)],
        )
    assert len(_get(client, "Prescripcion", nit, TODAY, GUIDS["eps"]).json()) == 4
    assert count() == one
