"""The payer's worklists download as CSV and XLSX with the same filters (issue 5 §9)."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from .conftest import direct, plan
from .test_chain import deliver, program

pytestmark = pytest.mark.django_db


def url(name, world):
    return reverse(f"supply:{name}", args=[world["eps"].external_id])


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def xlsx_text(response) -> str:
    """Every string of the workbook (XlsxWriter writes them shared or inline)."""
    assert "spreadsheetml" in response["Content-Type"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        names = [n for n in book.namelist() if n.endswith(".xml")]
        return "".join(book.read(name).decode() for name in names)


def test_to_direct_csv_and_xlsx_follow_the_filters(client, world):
    direct(world, "M1", deliveries=[plan(quantity="1")])
    client.force_login(world["eps_admin"])
    rows = csv_rows(client.get(url("to_direct", world), {"formato": "csv"}))
    header, body = rows[0], rows[1:]
    assert header[0] == "Número de prescripción"
    keys = {row[header.index("Consecutivo")]: row for row in body}
    assert set(keys) == {"M1", "S1", "P1"}
    assert keys["M1"][header.index("Cantidad por asignar")] == "1"
    filtered = csv_rows(
        client.get(url("to_direct", world), {"formato": "csv", "technology_type": "S"})
    )
    assert [row[header.index("Consecutivo")] for row in filtered[1:]] == ["S1"]
    content = xlsx_text(client.get(url("to_direct", world), {"formato": "xlsx"}))
    assert world["prescription"].number in content
    assert "Cantidad por asignar" in content


def test_directed_exports(client, world):
    [direccionamiento] = direct(world, "M1")
    client.force_login(world["eps_admin"])
    rows = csv_rows(client.get(url("directed", world), {"formato": "csv"}))
    header = rows[0]
    assert [row[header.index("IdDireccionamiento")] for row in rows[1:]] == [
        str(direccionamiento.pk)
    ]
    assert rows[1][header.index("Paso de la cadena")] == "Direccionado"
    assert rows[1][header.index("Proveedor")] == world["provider"].name
    assert csv_rows(client.get(url("directed", world), {"formato": "csv", "status": 0}))[1:] == []
    content = xlsx_text(client.get(url("directed", world), {"formato": "xlsx"}))
    assert world["provider"].name in content


def test_reports_and_patient_pending_exports(client, world):
    [first] = direct(world, "M1")
    deliver(world, program(world, first))
    direct(world, "S1", deliveries=[plan(quantity="30")])
    client.force_login(world["eps_admin"])
    rows = csv_rows(client.get(url("payer_reports", world), {"formato": "csv"}))
    assert rows[0][0] == "ID" and "IdEntrega" in rows[0]
    assert [row[2] for row in rows[1:]] == ["M1"]
    content = xlsx_text(client.get(url("payer_reports", world), {"formato": "xlsx"}))
    assert world["prescription"].number in content
    params = {"document_type": "CC", "document_number": "43000111", "formato": "csv"}
    rows = csv_rows(client.get(url("patient_pending", world), params))
    assert [row[rows[0].index("Tecnología")] for row in rows[1:]] == ["S1"]
    params["formato"] = "xlsx"
    assert "S1" in xlsx_text(client.get(url("patient_pending", world), params))


def test_exports_keep_the_guards(client, world):
    client.force_login(world["prov_admin"])
    assert client.get(url("to_direct", world), {"formato": "csv"}).status_code == 404
