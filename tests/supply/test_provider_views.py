"""The proveedor's Administrativo in the browser: Por programar, Por reportar, Por facturar,
their forms, refusals and exports (issue 5 §3, §5, §9)."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from prescriptions.services.prescribing import LineData, prescription_issue
from supply.models import Facturacion, Programacion, ReporteEntrega, StepStatus
from supply.services import (
    entrega_create,
    procedure_supply_create,
    programacion_create,
    reporte_entrega_create,
)

from ..prescriptions.factories import DeviceTypeFactory
from .conftest import direct, plan, procedure_line

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today
PROCEDURE_NOTE = "ÚNICAMENTE el proveedor del procedimiento"
# A worklist page: the session, the user with their entity accesses (shared by the decorator
# and the navigation), the payers of the filter, the page's rows, then their deliverables
# with prescription, patient, line and payer (never a count, whatever the number of rows).
WORKLIST_QUERIES = 5


def url(name, entity, *args):
    return reverse(f"supply:{name}", args=[entity.external_id, *args])


def login(client, user):
    client.force_login(user)
    return client


def program(world, direccionamiento, sede=None):
    return programacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        direccionamiento=direccionamiento,
        sede=sede or world["sede"],
    )


def deliver(world, programacion, **overrides):
    fields = {
        "actor": world["dispensador"],
        "entity": world["provider"],
        "programacion": programacion,
        "technology_code": "19943546-01",
        "quantity": programacion.quantity,
        "total": True,
        "delivered_on": TODAY(),
        "batch": "L123",
        "receiver_document_type": "CC",
        "receiver_document_number": "43000111",
    }
    fields.update(overrides)
    return entrega_create(**fields)


def report(world, entrega, value="15000"):
    return reporte_entrega_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        entrega=entrega,
        delivered=True,
        value=Decimal(value),
    )


def chains(world, *, upto: str) -> list:
    """Three deliveries of S1 (30 each, FecMaxEnt in 5, 20 and 40 days), carried to the
    step `upto` ("direccionamiento", "programacion", "entrega" or "reporte")."""
    deliveries = [plan(1, "30", days=5), plan(2, "30", days=20), plan(3, "30", days=40)]
    steps = direct(world, "S1", deliveries=deliveries)
    stages = ["direccionamiento", "programacion", "entrega", "reporte"]
    for make in (program, deliver, report)[: stages.index(upto)]:
        steps = [make(world, step) for step in steps]
    return steps


def parse_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def xlsx_text(response) -> str:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = [n for n in archive.namelist() if n.startswith("xl/") and n.endswith(".xml")]
    return "".join(archive.read(name).decode("utf-8") for name in names)


def deliveries(response) -> list[str]:
    """The delivery (NoEntrega) of each row of a worklist page, in order."""
    return [row["deliverable"].label for row in response.context["page"].rows]


def lights(response) -> list[str]:
    """The deadline light of each row of a worklist page, in order."""
    return re.findall(r'data-light="([^"]+)"', response.content.decode())


def field_errors(response, name) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(name, [])]


# Por programar -----------------------------------------------------------------------------


def test_to_program_lists_direccionamientos_by_deadline_with_lights(
    client, world, django_assert_max_num_queries
):
    chains(world, upto="direccionamiento")
    login(client, world["prov_admin"])
    with django_assert_max_num_queries(WORKLIST_QUERIES):
        response = client.get(url("to_program", world["provider"]))
    assert response.status_code == 200
    assert deliveries(response) == ["1", "2", "3"]
    assert lights(response) == ["15_dias", "30_dias", "a_tiempo"]
    content = response.content.decode()
    assert world["prescription"].number in content
    assert "Programar" in content


def test_to_program_shows_vence_hoy_apart_from_within_15_and_vencido(client, world):
    """Issue 17 §22: a FecMaxEnt of today has its own light, between «Vencido» and ≤ 15."""
    direct(world, "S1", deliveries=[plan(days=0), plan(number=2, days=13)])
    login(client, world["prov_admin"])
    response = client.get(url("to_program", world["provider"]))
    assert lights(response) == ["hoy", "15_dias"]
    assert "Vence hoy" in response.content.decode()
    assert deliveries(client.get(url("to_program", world["provider"]), {"light": "hoy"})) == ["1"]


def test_to_program_filters(client, world):
    chains(world, upto="direccionamiento")
    login(client, world["prov_admin"])
    page = url("to_program", world["provider"])

    def listed(**params):
        return deliveries(client.get(page, params))

    assert listed(light="30_dias") == ["2"]
    assert listed(light="vencido") == []
    later = (TODAY() + datetime.timedelta(days=10)).isoformat()
    assert listed(date_from=later) == ["2", "3"]
    assert listed(payer=world["eps"].external_id) == ["1", "2", "3"]
    assert listed(technology_type="M") == []
    assert listed(number=world["prescription"].number) == ["1", "2", "3"]
    assert listed(number="43000111") == ["1", "2", "3"]
    assert listed(number="99999999") == []


def test_to_program_query_count_is_constant(client, world, django_assert_num_queries):
    login(client, world["prov_admin"])
    direct(world, "M1")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url("to_program", world["provider"]))
    chains(world, upto="direccionamiento")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url("to_program", world["provider"]))
    assert len(response.context["page"].rows) == 4


def test_to_program_exports_csv_and_xlsx_with_the_filters(client, world):
    chains(world, upto="direccionamiento")
    login(client, world["prov_admin"])
    page = url("to_program", world["provider"])
    response = client.get(page, {"formato": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = parse_csv(response)
    assert rows[0][0] == "IdDireccionamiento"
    assert len(rows) == 4
    assert {row[1] for row in rows[1:]} == {world["prescription"].number}
    assert [row[2] for row in rows[1:]] == ["S1"] * 3
    filtered = parse_csv(client.get(page, {"formato": "csv", "light": "30_dias"}))
    assert len(filtered) == 2 and filtered[1][4] == "2"
    response = client.get(page, {"formato": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = xlsx_text(response)
    assert world["prescription"].number in text
    assert "IdDireccionamiento" in text


def test_program_copies_the_direccionamiento_at_a_sede(client, world):
    [direccionamiento] = direct(world, "M1")
    login(client, world["prov_admin"])
    page = url("program", world["provider"], direccionamiento.pk)
    response = client.get(page)
    assert response.status_code == 200
    content = response.content.decode()
    assert direccionamiento.max_delivery_date.isoformat() in content
    assert "19943546-01" in content
    response = client.post(page, {"sede": world["sede2"].pk})
    assert response.status_code == 302
    programacion = Programacion.objects.get(direccionamiento=direccionamiento)
    assert programacion.sede == world["sede2"]
    assert programacion.quantity == direccionamiento.quantity
    assert programacion.max_delivery_date == direccionamiento.max_delivery_date


def test_programming_at_another_providers_sede_is_refused(client, world):
    [direccionamiento] = direct(world, "M1")
    login(client, world["prov_admin"])
    response = client.post(
        url("program", world["provider"], direccionamiento.pk), {"sede": world["other_sede"].pk}
    )
    assert response.status_code == 200
    assert field_errors(response, "sede") == ["La sede no es de su entidad."]
    assert "La sede no es de su entidad." in response.content.decode()
    assert not Programacion.objects.exists()
    direccionamiento.refresh_from_db()
    assert direccionamiento.status == StepStatus.ACTIVO


@pytest.mark.parametrize("value", ["", "abc", "0", "-3", "99999999", str(2**70)])
def test_a_sede_that_is_no_sede_is_refused_beside_the_field(client, world, value):
    [direccionamiento] = direct(world, "M1")
    login(client, world["prov_admin"])
    response = client.post(url("program", world["provider"], direccionamiento.pk), {"sede": value})
    assert response.status_code == 200
    assert len(field_errors(response, "sede")) == 1
    assert not Programacion.objects.exists()


def test_another_entitys_direccionamiento_is_404(client, world):
    [direccionamiento] = direct(world, "M1")
    login(client, world["other_admin"])
    own_url = url("program", world["other_provider"], direccionamiento.pk)
    assert client.get(own_url).status_code == 404
    assert client.post(own_url, {"sede": world["other_sede"].pk}).status_code == 404
    # Nor through the provider's own address: no role there.
    assert client.get(url("program", world["provider"], direccionamiento.pk)).status_code == 404
    assert not Programacion.objects.exists()


def test_missing_role_is_403(client, world):
    [direccionamiento] = direct(world, "M1")
    login(client, world["dispensador"])
    for name, args in [
        ("to_program", []),
        ("program", [direccionamiento.pk]),
        ("to_report", []),
        ("to_invoice", []),
    ]:
        assert client.get(url(name, world["provider"], *args)).status_code == 403


def test_login_required(client, world):
    response = client.get(url("to_program", world["provider"]))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "ingresar" in response["Location"]


# Por reportar ------------------------------------------------------------------------------


def test_to_report_lists_entregas(client, world, django_assert_max_num_queries):
    chains(world, upto="entrega")
    login(client, world["prov_admin"])
    with django_assert_max_num_queries(WORKLIST_QUERIES):
        response = client.get(url("to_report", world["provider"]))
    assert response.status_code == 200
    assert deliveries(response) == ["1", "2", "3"]
    assert "Reportar" in response.content.decode()


def test_to_report_exports(client, world):
    entregas = chains(world, upto="entrega")
    login(client, world["prov_admin"])
    page = url("to_report", world["provider"])
    rows = parse_csv(client.get(page, {"formato": "csv"}))
    assert rows[0][0] == "IdEntrega"
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(e.pk for e in entregas)
    text = xlsx_text(client.get(page, {"formato": "xlsx"}))
    assert "IdEntrega" in text and world["prescription"].number in text


def test_report_an_entrega(client, world):
    [entrega] = chains(world, upto="entrega")[:1]
    login(client, world["prov_admin"])
    page = url("report", world["provider"], entrega.pk)
    assert client.get(page).status_code == 200
    response = client.post(page, {"delivered": "1", "value": "30000"})
    assert response.status_code == 302
    reporte = ReporteEntrega.objects.get(entrega=entrega)
    assert reporte.delivered and reporte.value == Decimal("30000")


def test_report_not_delivered_needs_a_cause(client, world, causes):
    [entrega] = chains(world, upto="entrega")[:1]
    login(client, world["prov_admin"])
    page = url("report", world["provider"], entrega.pk)
    response = client.post(page, {"delivered": "0", "value": "0"})
    assert response.status_code == 200
    assert field_errors(response, "cause") == ["Elija la causa."]
    assert not ReporteEntrega.objects.exists()
    cause = next(c for c in causes.values() if c.applies_to("S"))
    response = client.post(page, {"delivered": "0", "value": "0", "cause": cause.pk})
    assert response.status_code == 302
    assert ReporteEntrega.objects.get().cause == cause


def test_another_entitys_entrega_is_404(client, world):
    [entrega] = chains(world, upto="entrega")[:1]
    other = world["other_provider"]
    login(client, world["other_admin"])
    assert client.get(url("report", other, entrega.pk)).status_code == 404
    response = client.post(url("report", other, entrega.pk), {"delivered": "1", "value": "1"})
    assert response.status_code == 404
    assert not ReporteEntrega.objects.exists()


@pytest.fixture
def procedure_world(world, catalog):
    """A prescription with P1 and a device D1 that the procedure carries (seed 004); P1
    directed, programmed and delivered by the provider."""
    device = LineData(
        technology_type="D",
        supply_type=1,
        justification="Material para el procedimiento.",
        total_quantity=Decimal("2"),
        fields={
            "device_type": DeviceTypeFactory(name="Catéter de prueba"),
            "quantity_per_use": Decimal("1"),
            "frequency_every": 1,
            "frequency_unit": 8,
            "duration_amount": 1,
            "duration_unit": 8,
            "description": "CATÉTER VENOSO PERIFÉRICO",
        },
    )
    prescription = prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=world["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[procedure_line(catalog), device],
    )
    lines = {line.key: line for line in prescription.lines.all()}
    procedure_supply_create(
        actor=world["eps_admin"], entity=world["eps"], line=lines["D1"], procedure_line=lines["P1"]
    )
    world["lines"] = {**world["lines"], "P1": lines["P1"]}
    [direccionamiento] = direct(world, "P1", technology_code="890201")
    programacion = program(world, direccionamiento)
    return {**world, "procedure_programacion": programacion, "procedure_lines": lines}


def test_the_procedure_note_is_on_the_reporte_page(client, procedure_world):
    world = procedure_world
    entrega = deliver(world, world["procedure_programacion"], batch="", technology_code="890201")
    login(client, world["prov_admin"])
    content = client.get(url("report", world["provider"], entrega.pk)).content.decode()
    assert PROCEDURE_NOTE in content
    assert "no se reportan por separado" in content
    assert 'data-covered="D1"' in content
    assert "CATÉTER VENOSO PERIFÉRICO" in content


def test_no_procedure_note_for_other_lines(client, world):
    [entrega] = chains(world, upto="entrega")[:1]
    login(client, world["prov_admin"])
    content = client.get(url("report", world["provider"], entrega.pk)).content.decode()
    assert PROCEDURE_NOTE not in content


# Por facturar ------------------------------------------------------------------------------


def test_to_invoice_lists_delivered_reportes(client, world, django_assert_max_num_queries):
    chains(world, upto="reporte")
    login(client, world["prov_admin"])
    with django_assert_max_num_queries(WORKLIST_QUERIES):
        response = client.get(url("to_invoice", world["provider"]))
    assert response.status_code == 200
    assert deliveries(response) == ["1", "2", "3"]
    assert "Facturar" in response.content.decode()


def test_to_invoice_exports(client, world):
    reportes = chains(world, upto="reporte")
    login(client, world["prov_admin"])
    page = url("to_invoice", world["provider"])
    rows = parse_csv(client.get(page, {"formato": "csv"}))
    assert rows[0][0] == "IdReporteEntrega"
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(r.pk for r in reportes)
    text = xlsx_text(client.get(page, {"formato": "xlsx"}))
    assert "IdReporteEntrega" in text and "15000" in text


def test_invoice_computes_the_total(client, world):
    [reporte] = chains(world, upto="reporte")[:1]
    login(client, world["prov_admin"])
    page = url("invoice", world["provider"], reporte.pk)
    response = client.get(page)
    content = response.content.decode()
    assert 'data-invoice="total"' in content
    assert 'aria-describedby="invoice-total-help"' in content  # the fragment's note
    assert "Unidades × valor unitario − cuota moderadora o copago." in content
    assert 'data-invoice="cuota_moderadora"' in content and "data-invoice-form" in content
    assert "supply/provider" in content and ".js" in content
    response = client.post(
        page,
        {
            "invoice_number": "FE-1001",
            "units": "30",
            "unit_value": "500.005",
            "cuota_moderadora": "4000",
            "copago": "",
        },
    )
    # Two decimals for money: the form refuses the third and nothing is written.
    assert response.status_code == 200 and not Facturacion.objects.exists()
    response = client.post(
        page,
        {
            "invoice_number": "FE-1001",
            "units": "30",
            "unit_value": "500.50",
            "cuota_moderadora": "4000",
            "copago": "",
        },
    )
    assert response.status_code == 302
    factura = Facturacion.objects.get()
    assert factura.total_value == Decimal("11015.00")
    assert factura.copago == 0


def test_invoice_refuses_cuota_and_copago_together(client, world):
    [reporte] = chains(world, upto="reporte")[:1]
    login(client, world["prov_admin"])
    response = client.post(
        url("invoice", world["provider"], reporte.pk),
        {
            "invoice_number": "FE-1001",
            "units": "30",
            "unit_value": "500",
            "cuota_moderadora": "4000",
            "copago": "1000",
        },
    )
    assert response.status_code == 200
    assert field_errors(response, "copago") == [
        "La cuota moderadora y el copago son excluyentes: registre solo uno de los dos."
    ]
    assert not Facturacion.objects.exists()
    reporte.refresh_from_db()
    assert reporte.status == StepStatus.ACTIVO


def test_another_entitys_reporte_is_404(client, world):
    [reporte] = chains(world, upto="reporte")[:1]
    other = world["other_provider"]
    login(client, world["other_admin"])
    assert client.get(url("invoice", other, reporte.pk)).status_code == 404
    assert not Facturacion.objects.exists()


def test_home_links_to_supply_and_entregas(client, world):
    login(client, world["prov_admin"])
    content = client.get(reverse("home")).content.decode()
    assert url("to_program", world["provider"]) in content
    login(client, world["dispensador"])
    content = client.get(reverse("home")).content.decode()
    assert url("to_deliver", world["provider"]) in content
    assert url("to_program", world["provider"]) not in content
