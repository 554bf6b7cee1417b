"""The payer's worklists read through their PostgreSQL views (supply.models.payer_reads):
exports read every row in chunks, and the filters on dates, prescription number and patient
document reach every list."""

import datetime

import pytest

from prescriptions.models import TechnologyLine
from supply.selectors import payer as selectors

from .conftest import direct, plan
from .test_chain import deliver, program
from .test_payer_exports import csv_rows, url

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def test_exports_read_every_row_across_chunks(client, world, monkeypatch):
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 2)
    direct(world, "S1", deliveries=[plan(number, "1", days=number) for number in range(1, 6)])
    TechnologyLine.objects.filter(prescription=world["prescription"]).update(description="")
    client.force_login(world["eps_admin"])
    directed = csv_rows(client.get(url("directed", world), {"formato": "csv"}))
    assert len(directed) == 1 + 5
    lines = csv_rows(client.get(url("to_direct", world), {"formato": "csv"}))
    header, body = lines[0], lines[1:]
    assert {row[header.index("Consecutivo")] for row in body} == {"M1", "S1", "P1"}
    page = client.get(url("to_direct", world)).context["page"].rows
    labels = {row[header.index("Consecutivo")]: row[header.index("Tecnología")] for row in body}
    assert labels == {row.key: row.label for row in page}  # named in every chunk
    assert all(labels.values())


def test_directed_filters_by_the_day_it_was_directed(client, world):
    [direccionamiento] = direct(world, "M1")
    client.force_login(world["eps_admin"])

    def pks(**params):
        return [row.pk for row in client.get(url("directed", world), params).context["page"].rows]

    today, tomorrow = TODAY(), TODAY() + datetime.timedelta(days=1)
    assert pks(date_from=today.isoformat(), date_to=today.isoformat()) == [direccionamiento.pk]
    assert pks(date_from=tomorrow.isoformat()) == []
    assert pks(number=world["prescription"].number, document="43000111") == [direccionamiento.pk]
    assert pks(number="2" * 20) == []


def test_report_sections_filter_by_number_and_document(client, world):
    [direccionamiento] = direct(world, "M1")
    entrega = deliver(world, program(world, direccionamiento))
    client.force_login(world["eps_admin"])

    def pks(**params):
        response = client.get(url("payer_reports", world), {"seccion": "suministro", **params})
        return [row.pk for row in response.context["page"].rows]

    assert pks() == [entrega.pk]
    assert pks(number=world["prescription"].number) == [entrega.pk]
    assert pks(number="2" * 20) == []
    assert pks(document="43000111") == [entrega.pk]
    assert pks(document="99999999") == []


def test_patient_pending_is_the_patients_own(client, world):
    [direccionamiento] = direct(world, "M1")
    client.force_login(world["eps_admin"])
    target = url("patient_pending", world)
    rows = client.get(target, {"document_type": "CC", "document_number": "43000111"})
    assert [row.pk for row in rows.context["rows"]] == [direccionamiento.pk]
    other = client.get(target, {"document_type": "TI", "document_number": "43000111"})
    assert other.context["rows"] == []
