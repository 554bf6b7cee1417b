"""The payer's supply pages (EPS/EOC/ET Administrativo): worklists, direccionamiento with
its schedule, no direccionamiento, inclusion in a procedure, suministro, datos facturados
and a patient's pending deliveries; each with its guard (404 / 403) and the refusals of
issue 5 that belong to the payer, shown in Spanish without writing anything."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entities.models import AuditEntry
from mipres.lib.errors import DomainError
from prescriptions.enums import JuntaStatus
from prescriptions.models import DeviceType
from prescriptions.services.prescribing import LineData, prescription_issue
from supply.models import (
    DatosFacturados,
    Direccionamiento,
    NoDireccionamiento,
    ProcedureSupply,
    StepStatus,
    Suministro,
)
from supply.selectors.deadlines import deadline_light
from supply.services import facturacion_create, reporte_entrega_create

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, grant
from ..prescriptions.conftest import medicine_line, service_line
from .conftest import direct, plan, procedure_line
from .test_chain import deliver, program

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def url(name, world, *args, entity=None):
    return reverse(f"supply:{name}", args=[(entity or world["eps"]).external_id, *args])


def text(response) -> str:
    return response.content.decode()


def row_data(prefix="entregas", rows=(), **fields):
    """POST data of the direccionamiento form with `rows` (number, quantity, days, sub)."""
    data = {
        "provider": fields.pop("provider"),
        "municipality": "05001",
        "patient_address": "Calle 10 # 20-30",
        "technology_code": "19943546-01",
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "120",
    }
    for index, (number, quantity, days, *sub) in enumerate(rows):
        data.update(
            {
                f"{prefix}-{index}-delivery_number": str(number),
                f"{prefix}-{index}-sub_number": str(sub[0] if sub else 0),
                f"{prefix}-{index}-quantity": str(quantity),
                f"{prefix}-{index}-max_delivery_date": (
                    TODAY() + datetime.timedelta(days=days)
                ).isoformat(),
            }
        )
    data.update(fields)
    return data


@pytest.fixture
def eps_other_role(world):
    """A member of the EPS whose role grants no supply permission (Transcriptor)."""
    user = UserFactory()
    grant(user, world["eps"], "transcriptor")
    return user


@pytest.fixture
def other_eps_admin(world):
    """The Administrativo of another EPS (the world's prescription is not its own)."""
    other = EntityFactory(entity_type="EPS", name="EPS Ajena")
    user = UserFactory()
    grant(user, other, "administrativo")
    return other, user


def issue(world, lines):
    return prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=world["patient"],
        care_setting=12,
        diagnosis=world["dx"] if "dx" in world else _dx(),
        lines=lines,
    )


def _dx():
    from prescriptions.models import Diagnosis

    return Diagnosis.objects.get(code="E119")


def device_prescription(world):
    device = DeviceType.objects.create(code="101", name="Bomba de insulina", source="starter")
    device_line = LineData(
        technology_type="D",
        supply_type=1,
        justification="Requiere el dispositivo para el procedimiento.",
        total_quantity=Decimal("1"),
        fields={
            "device_type": device,
            "quantity_per_use": Decimal("1"),
            "frequency_every": 1,
            "frequency_unit": 8,
            "duration_amount": 1,
            "duration_unit": 8,
        },
    )
    from prescriptions.models import CupsProcedure

    rows = {"cups": CupsProcedure.objects.get(code="890201")}
    return issue(world, [procedure_line(rows), device_line])


# --- guards ------------------------------------------------------------------------------

LIST_PAGES = ["to_direct", "directed", "payer_reports", "patient_pending"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_need_login_role_and_permission(client, world, eps_other_role, name):
    target = url(name, world)
    assert client.get(target).status_code == 302
    client.force_login(world["eps_admin"])
    assert client.get(target).status_code == 200
    client.force_login(eps_other_role)
    assert client.get(target).status_code == 403
    # The proveedor's Administrativo has no role in the EPS: its existence is not revealed.
    client.force_login(world["prov_admin"])
    assert client.get(target).status_code == 404


@pytest.mark.parametrize("name", ["direct", "no_direct", "include"])
def test_line_pages_guard(client, world, eps_other_role, other_eps_admin, name):
    line = world["lines"]["M1"]
    client.force_login(world["eps_admin"])
    assert client.get(url(name, world, line.pk)).status_code == 200
    client.force_login(eps_other_role)
    assert client.get(url(name, world, line.pk)).status_code == 403
    # Another EPS asks for a line of a prescription it does not pay: 404.
    other, admin = other_eps_admin
    client.force_login(admin)
    assert client.get(url(name, world, line.pk, entity=other)).status_code == 404
    assert client.post(url(name, world, line.pk, entity=other), {}).status_code == 404


def test_suministro_and_datos_pages_guard(client, world, eps_other_role, other_eps_admin):
    [direccionamiento] = direct(world)
    entrega = deliver(world, program(world, direccionamiento))
    reporte = reporte_entrega_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        entrega=entrega,
        delivered=True,
        value=Decimal("1000"),
    )
    factura = facturacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        reporte=reporte,
        invoice_number="FE-1",
        units=Decimal("1"),
        unit_value=Decimal("1000"),
    )
    pages = [("suministro", entrega.deliverable_id), ("datos_facturados", factura.pk)]
    other, admin = other_eps_admin
    for name, pk in pages:
        client.force_login(world["eps_admin"])
        assert client.get(url(name, world, pk)).status_code == 200
        client.force_login(eps_other_role)
        assert client.get(url(name, world, pk)).status_code == 403
        client.force_login(admin)
        assert client.get(url(name, world, pk, entity=other)).status_code == 404
        # The provider that delivered and invoiced is not the payer.
        client.force_login(world["prov_admin"])
        assert client.get(url(name, world, pk, entity=world["provider"])).status_code == 403


# --- «Por direccionar» -----------------------------------------------------------------


def test_worklist_lists_what_is_left_and_says_why_a_line_is_blocked(client, world):
    lines = world["lines"]
    direct(world, "M1", deliveries=[plan(quantity="1")])
    lines["S1"].junta_status = JuntaStatus.PENDIENTE
    lines["S1"].save(update_fields=["junta_status"])
    client.force_login(world["eps_admin"])
    response = client.get(url("to_direct", world))
    rows = {row.key: row for row in response.context["page"].rows}
    assert set(rows) == {"M1", "S1", "P1"}
    assert rows["M1"].assigned == 1 and rows["M1"].remaining == 1
    assert rows["S1"].blocked_reason == "Pendiente de junta" and not rows["S1"].can_direct
    content = text(response)
    assert "Pendiente de junta" in content
    assert url("direct", world, lines["S1"].pk) not in content
    assert url("direct", world, lines["M1"].pk) in content
    lines["S1"].junta_status = JuntaStatus.NO_APROBADA
    lines["S1"].save(update_fields=["junta_status"])
    assert "No aprobada por la junta" in text(client.get(url("to_direct", world)))


def test_worklist_drops_fully_assigned_no_directed_and_covered_lines(client, world):
    direct(world, "M1", deliveries=[plan(quantity="2")])
    NoDireccionamiento.objects.create(
        line=world["lines"]["P1"],
        prescription=world["prescription"],
        entity=world["eps"],
        cause=world["causes"]["7"],
    )
    client.force_login(world["eps_admin"])
    keys = {row.key for row in client.get(url("to_direct", world)).context["page"].rows}
    assert keys == {"S1"}


def test_worklist_filters(client, world):
    client.force_login(world["eps_admin"])
    target = url("to_direct", world)

    def keys(**params):
        return {row.key for row in client.get(target, params).context["page"].rows}

    assert keys(technology_type="S") == {"S1"}
    assert keys(care_setting=30) == set()
    assert keys(care_setting=12) == {"M1", "S1", "P1"}
    assert keys(payer_code=world["code"].pk) == {"M1", "S1", "P1"}
    assert keys(number=world["prescription"].number) == {"M1", "S1", "P1"}
    assert keys(number="2" * 20) == set()
    assert keys(document="43000111") == {"M1", "S1", "P1"}
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    assert keys(date_from=tomorrow) == set()
    assert keys(date_to=TODAY().isoformat()) == {"M1", "S1", "P1"}


def test_worklist_offers_inclusion_for_a_device_with_a_procedure(client, world):
    prescription = device_prescription(world)
    device = prescription.lines.get(technology_type="D")
    client.force_login(world["eps_admin"])
    content = text(client.get(url("to_direct", world)))
    assert url("include", world, device.pk) in content


def _count_queries(client, target, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(target, params or {}).status_code == 200
    return len(context.captured_queries)


def test_worklists_cost_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world["eps_admin"])
    direct(world, "M1")
    few = {name: _count_queries(client, url(name, world)) for name in ("to_direct", "directed")}
    for _index in range(4):
        prescription = issue(
            world, [medicine_line(payer_catalog(world)), service_line(payer_catalog(world))]
        )
        lines = {line.key: line for line in prescription.lines.all()}
        direct(world, "M1", deliveries=[plan()], line=lines["M1"])
    for name in ("to_direct", "directed"):
        with django_assert_max_num_queries(few[name]):
            response = client.get(url(name, world))
        assert len(response.context["page"].rows) >= 5
    pending = {"document_type": "CC", "document_number": "43000111"}
    with django_assert_max_num_queries(
        _count_queries(client, url("patient_pending", world), pending)
    ):
        response = client.get(url("patient_pending", world), pending)
    assert len(response.context["rows"]) == 5


def payer_catalog(world):
    from prescriptions import models as m

    return {
        "dci": m.ActiveIngredient.objects.get(code="00123"),
        "mg": m.MeasurementUnit.objects.get(code="0168"),
        "dose_mg": m.DoseUnit.objects.get(code="0168"),
        "caja": m.PresentationUnit.objects.get(code="11"),
        "tablet": m.PharmaceuticalForm.objects.get(code="C42998"),
        "oral": m.AdministrationRoute.objects.get(code="048"),
        "service": m.ComplementaryService.objects.get(code="139"),
    }


def test_worklist_pages_by_keyset(client, world):
    for _index in range(9):
        issue(world, [service_line(payer_catalog(world))])
    client.force_login(world["eps_admin"])
    target = url("to_direct", world)
    assert len(client.get(target).context["page"].rows) == 12
    from supply.views import payer as views

    size = views.PAGE_SIZE
    views.PAGE_SIZE = 5
    try:
        page1 = client.get(target).context["page"]
        page2 = client.get(target, {"despues": page1.next_after}).context["page"]
        page3 = client.get(target, {"despues": page2.next_after}).context["page"]
    finally:
        views.PAGE_SIZE = size
    seen = [row.pk for row in page1.rows + page2.rows + page3.rows]
    assert len(seen) == len(set(seen)) == 12
    assert page3.next_after is None


# --- direccionamiento -------------------------------------------------------------------


def test_direct_form_suggests_defaults_and_next_delivery_number(client, world):
    direct(world, "S1", deliveries=[plan(number=1, quantity="30")])
    client.force_login(world["eps_admin"])
    response = client.get(url("direct", world, world["lines"]["S1"].pk))
    form, formset = response.context["form"], response.context["formset"]
    assert form["municipality"].value() == "05001"
    assert form["technology_code"].value() == "139"  # the complementary service's code
    assert formset.forms[0]["delivery_number"].value() == 2
    assert formset.forms[0]["quantity"].value() == "60"
    content = text(response)
    assert "Generar un plan mensual" in content
    assert world["provider"].name in content
    assert world["other_provider"].name not in content


def test_direct_a_sucesiva_line_in_a_schedule(client, world):
    client.force_login(world["eps_admin"])
    line = world["lines"]["S1"]
    data = row_data(provider=world["provider"].pk, rows=[(1, 30, 10), (2, 30, 40), (3, 30, 70)])
    response = client.post(url("direct", world, line.pk), data)
    assert response.status_code == 302
    created = Direccionamiento.objects.filter(deliverable__line=line).order_by(
        "deliverable__delivery_number"
    )
    assert [d.deliverable.delivery_number for d in created] == [1, 2, 3]
    assert sum(d.quantity for d in created) == Decimal("90")
    assert all(d.technology_code == "19943546-01" for d in created)
    assert AuditEntry.objects.filter(action="supply.direccionamiento.created").count() == 3


def _refused(client, world, line_key, data, message, *, context_check=None):
    before = Direccionamiento.objects.count()
    response = client.post(url("direct", world, world["lines"][line_key].pk), data)
    assert response.status_code == 200
    assert message in text(response)
    assert Direccionamiento.objects.count() == before
    return response


def test_direct_refuses_a_line_pending_or_rejected_by_the_junta(client, world):
    client.force_login(world["eps_admin"])
    line = world["lines"]["S1"]
    data = row_data(provider=world["provider"].pk, rows=[(1, 10, 10)])
    for status, message in [
        (JuntaStatus.PENDIENTE, "pendiente de la Junta de Profesionales"),
        (JuntaStatus.NO_APROBADA, "La Junta de Profesionales no aprobó la tecnología S1"),
    ]:
        line.junta_status = status
        line.save(update_fields=["junta_status"])
        _refused(client, world, "S1", data, message)


def test_direct_refuses_a_provider_outside_the_network_or_the_territory(client, world):
    client.force_login(world["eps_admin"])
    data = row_data(provider=world["other_provider"].pk, rows=[(1, 1, 10)])
    response = _refused(client, world, "M1", data, "no está en la red activa de su entidad")
    assert response.context["form"].errors["provider"]
    world["code"].regime = "subsidiado"
    world["code"].save(update_fields=["regime"])
    data = row_data(provider=world["provider"].pk, rows=[(1, 1, 10)])
    response = _refused(client, world, "M1", data, "en el territorio del paciente")
    assert response.context["form"].errors["provider"]


def test_direct_refuses_quantities_over_the_total(client, world):
    client.force_login(world["eps_admin"])
    data = row_data(provider=world["provider"].pk, rows=[(1, 2, 10), (2, 1, 40)])
    _refused(client, world, "M1", data, "La cantidad supera lo prescrito: de 2 quedan 2")


def test_direct_refuses_a_second_direccionamiento_of_the_same_delivery(client, world):
    direct(world, "S1", deliveries=[plan(number=1, quantity="10")])
    client.force_login(world["eps_admin"])
    data = row_data(provider=world["provider"].pk, rows=[(2, 10, 10), (1, 10, 40)])
    response = _refused(client, world, "S1", data, "La entrega 1 de la tecnología S1 ya tiene")
    formset = response.context["formset"]
    assert "ya tiene un direccionamiento" in formset.forms[1].errors["delivery_number"][0]
    assert not formset.forms[0].errors


def test_direct_checks_rows_and_municipality_in_the_form(client, world):
    client.force_login(world["eps_admin"])
    data = row_data(provider=world["provider"].pk, rows=[(1, 0, -1), (1, 1, 10)])
    data["municipality"] = "99999"
    response = _refused(client, world, "S1", data, "El código DIVIPOLA «99999» no existe.")
    formset = response.context["formset"]
    assert formset.forms[0].errors["quantity"] == ["La cantidad debe ser mayor que cero."]
    assert formset.forms[0].errors["max_delivery_date"] == [
        "La fecha máxima de entrega no puede ser anterior a hoy."
    ]
    data = row_data(provider=world["provider"].pk, rows=[(1, 1, 10), (1, 1, 20)])
    response = _refused(client, world, "S1", data, "La entrega 1 está repetida en el plan.")
    data = row_data(provider=world["provider"].pk, rows=[])
    _refused(client, world, "S1", data, "Indique al menos una entrega.")


# --- no direccionamiento, inclusion --------------------------------------------------------


def test_no_direct_happy_path(client, world):
    client.force_login(world["eps_admin"])
    line = world["lines"]["M1"]
    response = client.get(url("no_direct", world, line.pk))
    options = text(response)
    assert "7 – No fue posible contactar al paciente" in options
    assert 'data-associated="1"' in options  # cause 1 names an associated prescription
    assert "Solo para las causas 1 y 15: la otra prescripción del mismo paciente" in options
    response = client.post(url("no_direct", world, line.pk), {"cause": world["causes"]["7"].pk})
    assert response.status_code == 302
    record = NoDireccionamiento.objects.get(line=line)
    assert record.status == StepStatus.ACTIVO and record.cause.code == "7"


def test_no_direct_offers_only_causes_of_the_lines_type(client, world):
    client.force_login(world["eps_admin"])
    line = world["lines"]["S1"]
    content = text(client.get(url("no_direct", world, line.pk)))
    assert "2 – Existe evidencia de interacción" not in content
    response = client.post(url("no_direct", world, line.pk), {"cause": world["causes"]["2"].pk})
    assert response.status_code == 200
    assert "La causa 2 no aplica a servicio complementario." in text(response)
    assert response.context["form"].errors["cause"]
    assert not NoDireccionamiento.objects.exists()


def test_no_direct_cause_1_needs_the_associated_prescription(client, world):
    client.force_login(world["eps_admin"])
    line = world["lines"]["M1"]
    target = url("no_direct", world, line.pk)
    response = client.post(target, {"cause": world["causes"]["1"].pk})
    assert response.status_code == 200
    assert "La causa 1 exige la prescripción asociada" in text(response)
    assert response.context["form"].errors["associated_number"]
    assert not NoDireccionamiento.objects.exists()
    other = issue(world, [medicine_line(payer_catalog(world))])
    response = client.post(
        target,
        {
            "cause": world["causes"]["1"].pk,
            "associated_number": other.number,
            "associated_order": 1,
        },
    )
    assert response.status_code == 302
    record = NoDireccionamiento.objects.get(line=line)
    assert (record.associated_number, record.associated_order) == (other.number, 1)


def test_include_a_device_in_the_procedure(client, world):
    prescription = device_prescription(world)
    device = prescription.lines.get(technology_type="D")
    procedure = prescription.lines.get(technology_type="P")
    client.force_login(world["eps_admin"])
    target = url("include", world, device.pk)
    content = text(client.get(target))
    assert "únicamente</strong> el proveedor del procedimiento" in content.lower()
    response = client.post(target, {"procedure_line": procedure.pk})
    assert response.status_code == 302
    assert ProcedureSupply.objects.get(line=device).procedure_line == procedure
    keys = {row.pk for row in client.get(url("to_direct", world)).context["page"].rows}
    assert device.pk not in keys and procedure.pk in keys


def test_include_refuses_a_line_that_is_not_a_device(client, world):
    client.force_login(world["eps_admin"])
    line = world["lines"]["M1"]
    procedure = world["lines"]["P1"]
    response = client.post(url("include", world, line.pk), {"procedure_line": procedure.pk})
    assert response.status_code == 200
    assert "Solo un dispositivo médico se entrega con un procedimiento" in text(response)
    assert not ProcedureSupply.objects.exists()


# --- «Direccionados» ----------------------------------------------------------------------


def test_directed_shows_the_step_and_annuls_only_active_ones(client, world):
    [first] = direct(world, "M1")
    [second] = direct(world, "S1", deliveries=[plan(quantity="30")])
    program(world, second)
    client.force_login(world["eps_admin"])
    response = client.get(url("directed", world))
    steps = {row.pk: row.step for row in response.context["page"].rows}
    assert steps == {first.pk: "direccionado", second.pk: "programado"}
    content = text(response)
    assert (
        reverse("supply:annul", args=[world["eps"].external_id, "direccionamiento", first.pk])
        in content
    )
    assert (
        reverse("supply:annul", args=[world["eps"].external_id, "direccionamiento", second.pk])
        not in content
    )
    filtered = client.get(url("directed", world), {"status": 1}).context["page"].rows
    assert [row.pk for row in filtered] == [first.pk]
    filtered = client.get(url("directed", world), {"provider": world["provider"].pk})
    assert len(filtered.context["page"].rows) == 2
    due = (TODAY() + datetime.timedelta(days=20)).isoformat()
    assert client.get(url("directed", world), {"due_from": due}).context["page"].rows == []


def test_directed_step_follows_the_chain(client, world):
    [direccionamiento] = direct(world, "M1")
    entrega = deliver(world, program(world, direccionamiento))
    client.force_login(world["eps_admin"])

    def step():
        return client.get(url("directed", world)).context["page"].rows[0].step

    assert step() == "entregado"
    reporte = reporte_entrega_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        entrega=entrega,
        delivered=True,
        value=Decimal("1000"),
    )
    assert step() == "reportado"
    facturacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        reporte=reporte,
        invoice_number="FE-9",
        units=Decimal("1"),
        unit_value=Decimal("1000"),
    )
    assert step() == "facturado"


# --- suministro and datos facturados ---------------------------------------------------------


@pytest.fixture
def delivered(world):
    [direccionamiento] = direct(world, "M1")
    return deliver(world, program(world, direccionamiento), batch="L77")


def test_reports_lists_entregas_and_reports_the_suministro(client, world, delivered):
    client.force_login(world["eps_admin"])
    response = client.get(url("payer_reports", world))
    assert response.context["section"] == "suministro"
    assert [e.pk for e in response.context["page"].rows] == [delivered.pk]
    target = url("suministro", world, delivered.deliverable_id)
    form = client.get(target).context["form"]
    assert form["quantity"].value() == "1" and form["batch"].value() == "L77"
    response = client.post(
        target,
        {
            "last_delivery": "True",
            "complete": "True",
            "quantity": "1",
            "batch": "L77",
            "value": "1500",
        },
    )
    assert response.status_code == 302
    record = Suministro.objects.get(deliverable_id=delivered.deliverable_id)
    assert record.value == Decimal("1500") and record.last_delivery
    assert client.get(url("payer_reports", world)).context["page"].rows == []
    listed = client.get(url("payer_reports", world), {"seccion": "suministros"})
    assert [s.pk for s in listed.context["page"].rows] == [record.pk]
    assert reverse(
        "supply:annul", args=[world["eps"].external_id, "suministro", record.pk]
    ) in text(listed)


def test_suministro_incomplete_needs_a_cause(client, world, delivered):
    client.force_login(world["eps_admin"])
    target = url("suministro", world, delivered.deliverable_id)
    data = {"last_delivery": "False", "complete": "False", "quantity": "1", "value": "10"}
    response = client.post(target, data)
    assert response.status_code == 200
    assert "Elija la causa." in text(response)
    data.update(cause=world["causes"]["15"].pk)
    response = client.post(target, data)
    assert "La causa 15 exige la prescripción asociada" in text(response)
    assert not Suministro.objects.exists()


def test_datos_facturados(client, world, delivered):
    reporte = reporte_entrega_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        entrega=delivered,
        delivered=True,
        value=Decimal("1000"),
    )
    factura = facturacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        reporte=reporte,
        invoice_number="FE-7",
        units=Decimal("1"),
        unit_value=Decimal("1000"),
    )
    client.force_login(world["eps_admin"])
    listed = client.get(url("payer_reports", world), {"seccion": "facturados"})
    assert [f.pk for f in listed.context["page"].rows] == [factura.pk]
    target = url("datos_facturados", world, factura.pk)
    response = client.post(target, {"comparator": "1", "total_delivered": "1"})
    assert response.status_code == 200
    assert "Indique el código del comparador administrativo." in text(response)
    assert response.context["form"].errors["comparator_code"]
    assert not DatosFacturados.objects.exists()
    response = client.post(
        target,
        {
            "comparator": "1",
            "comparator_code": "19943546",
            "comparator_units": "30",
            "comparator_total": "900",
            "total_delivered": "1",
        },
    )
    assert response.status_code == 302
    record = DatosFacturados.objects.get(facturacion=factura)
    assert record.comparator_code == "19943546" and record.comparator_total == Decimal("900")
    factura.refresh_from_db()
    assert factura.status == StepStatus.PROCESADO
    listed = client.get(url("payer_reports", world), {"seccion": "datos"})
    assert [d.pk for d in listed.context["page"].rows] == [record.pk]


def test_reports_sections_follow_the_permissions(client, world):
    client.force_login(world["eps_admin"])
    sections = client.get(url("payer_reports", world)).context["sections"]
    assert sections == ["suministro", "facturados", "suministros", "datos"]


# --- «Pendientes por paciente» -------------------------------------------------------------


def test_patient_pending_by_deadline(client, world):
    [late] = direct(world, "S1", deliveries=[plan(number=1, quantity="10", days=40)])
    [soon] = direct(world, "M1", deliveries=[plan(number=1, quantity="1", days=3)])
    [done] = direct(world, "S1", deliveries=[plan(number=2, quantity="10", days=1)])
    deliver(world, program(world, done))
    program(world, late)
    client.force_login(world["eps_admin"])
    target = url("patient_pending", world)
    response = client.get(target, {"document_type": "CC", "document_number": "43000111"})
    rows = response.context["rows"]
    assert [r.pk for r in rows] == [soon.pk, late.pk]
    assert [r.light[0] for r in rows] == ["15_dias", "a_tiempo"]
    assert [r.step for r in rows] == ["direccionado", "programado"]
    assert world["provider"].name in text(response)
    response = client.get(target, {"document_type": "CC", "document_number": "1"})
    assert response.context["rows"] == []
    response = client.get(target, {"document_type": "CC"})
    assert "Indique el número de documento del paciente." in text(response)


@pytest.mark.parametrize(
    ("days", "code"),
    [
        (-1, "vencido"),
        (0, "hoy"),
        (1, "15_dias"),
        (15, "15_dias"),
        (16, "30_dias"),
        (30, "30_dias"),
        (31, "a_tiempo"),
    ],
)
def test_deadline_light(days, code):
    today = datetime.date(2025, 1, 31)
    light = deadline_light(today + datetime.timedelta(days=days), today)
    assert light[0] == code
    assert light[2].startswith("text-bg-")


# --- home ----------------------------------------------------------------------------------


def test_home_links_the_supply_module_for_the_payer(client, world, eps_other_role):
    client.force_login(world["eps_admin"])
    assert url("to_direct", world) in text(client.get(reverse("home")))
    client.force_login(eps_other_role)
    assert url("to_direct", world) not in text(client.get(reverse("home")))


def test_the_remainder_of_a_partial_entrega_can_be_directed_again(client, world):
    """Issue 17 §23: what a partial entrega left undelivered shows in «Pendientes por
    paciente» and back in «Por direccionar», and the payer directs it as a new delivery."""
    line = world["lines"]["M1"]  # 2 prescribed
    [first] = direct(world, "M1", deliveries=[plan(number=1, quantity="2", days=5)])
    client.force_login(world["eps_admin"])
    assert "M1" not in {r.key for r in client.get(url("to_direct", world)).context["page"].rows}
    deliver(
        world,
        program(world, first),
        quantity=Decimal("0.5"),
        total=False,
        cause=world["causes"]["4"],
    )
    target = url("patient_pending", world)
    response = client.get(target, {"document_type": "CC", "document_number": "43000111"})
    [row] = response.context["rows"]
    assert (row.pk, row.step, row.data["undelivered"]) == (first.pk, "entrega_parcial", 1.5)
    content = text(response)
    assert 'data-undelivered="1,500"' in content and "Entrega parcial" in content
    assert "Direccionar el saldo" in content
    rows = {r.key: r for r in client.get(url("to_direct", world)).context["page"].rows}
    assert (rows["M1"].assigned, rows["M1"].remaining) == (Decimal("0.5"), Decimal("1.5"))
    with pytest.raises(DomainError):
        direct(world, "M1", deliveries=[plan(number=2, quantity="2", days=5)])
    [again] = direct(world, "M1", deliveries=[plan(number=2, quantity="1.5", days=5)])
    assert again.deliverable.line == line
    keys = {r.key for r in client.get(url("to_direct", world)).context["page"].rows}
    assert "M1" not in keys
