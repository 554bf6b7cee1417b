"""WSMIPRESNOPBS tutelas: every tutela answers `fallosAdicionales` right after `tutela`
(an array, empty when the tutela has no additional ruling), as clients parse it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prescriptions.services.tutelas import tutela_register

from ..accounts.factories import UserFactory
from ..entities.factories import grant
from ..prescriptions.conftest import medicine_line
from .conftest import GUIDS, PRES

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _register(world, catalog, rulings=()):
    user = UserFactory()
    grant(user, world["eps"], "recobrante")
    return tutela_register(
        actor=user,
        entity=world["eps"],
        patient=world["patient"],
        ruling_number="2026-00045",
        ruling_date=TODAY - datetime.timedelta(days=30),
        medical_justification="Ordenado por el juez.",
        diagnosis=catalog["dx"],
        lines=[medicine_line(catalog)],
        additional_rulings=rulings,
    )


def _get(client, op, *segments):
    response = client.get(f"/{PRES}/api/{op}/" + "/".join(str(s) for s in segments))
    assert response.status_code == 200
    return response.json()


def test_every_tutela_route_answers_fallos_adicionales_after_tutela(client, world, creds, catalog):
    ruled = TODAY - datetime.timedelta(days=3)
    with_rulings = _register(world, catalog, [(ruled, "IMP-2026-7")])
    without = _register(world, catalog)
    nit, guid, patient = world["eps"].nit, GUIDS["eps"], world["patient"]
    answers = {
        "Tutelas": _get(client, "Tutelas", nit, TODAY, guid),
        "TutelaXPaciente": _get(
            client,
            "TutelaXPaciente",
            nit,
            TODAY,
            guid,
            patient.document_type,
            patient.document_number,
        ),
        "TutelaXNumero": _get(client, "TutelaXNumero", nit, guid, with_rulings.number)
        + _get(client, "TutelaXNumero", nit, guid, without.number),
    }
    for bundles in answers.values():
        assert len(bundles) == 2
        by_number = {b["tutela"]["NoTutela"]: b for b in bundles}
        for bundle in bundles:
            assert list(bundle)[:2] == ["tutela", "fallosAdicionales"]
        assert by_number[with_rulings.number]["fallosAdicionales"] == [
            {"FFalloAdic": ruled.isoformat(), "NroFalloAdic": "IMP-2026-7"}
        ]
        assert by_number[without.number]["fallosAdicionales"] == []


def test_fallos_adicionales_cost_a_constant_number_of_queries(client, world, creds, catalog):
    nit, guid = world["eps"].nit, GUIDS["eps"]
    _register(world, catalog, [(TODAY, "A")])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _get(client, "Tutelas", nit, TODAY, guid)
        return len(queries)

    one = count()
    for n in range(3):
        _register(world, catalog, [(TODAY, f"B{n}"), (TODAY, f"C{n}")])
    assert count() == one
