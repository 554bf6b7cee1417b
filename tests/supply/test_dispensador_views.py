"""The dispensador in the browser: Por entregar, the entrega form and its refusals, the
prescription lookup and the entrega en ámbito (issue 5 §4, §5, §9)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entities.models import Membership
from prescriptions.services.prescribing import prescription_issue
from supply.models import Entrega, StepStatus

from ..prescriptions.conftest import medicine_line
from .conftest import direct, plan
from .test_provider_views import (
    PROCEDURE_NOTE,
    WORKLIST_QUERIES,
    chains,
    deliveries,
    field_errors,
    lights,
    login,
    parse_csv,
    procedure_world,  # noqa: F401  (fixture)
    program,
    url,
    xlsx_text,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def entrega_data(**overrides) -> dict:
    data = {
        "technology_code": "19943546-01",
        "quantity": "2",
        "total": "1",
        "cause": "",
        "delivered_on": TODAY().isoformat(),
        "batch": "L123",
        "receiver_document_type": "CC",
        "receiver_document_number": "43000111",
    }
    data.update(overrides)
    return data


@pytest.fixture
def programmed_m1(world):
    """M1 (a medicine, 2 boxes) directed and programmed at `sede`."""
    [direccionamiento] = direct(world, "M1", deliveries=[plan(1, "2")])
    return program(world, direccionamiento)


# Por entregar ------------------------------------------------------------------------------


def test_to_deliver_lists_programaciones_with_lights(client, world, django_assert_max_num_queries):
    chains(world, upto="programacion")
    login(client, world["dispensador"])
    # The dispensador's sedes come with their cached roles: no query of their own.
    with django_assert_max_num_queries(WORKLIST_QUERIES):
        response = client.get(url("to_deliver", world["provider"]))
    assert response.status_code == 200
    assert deliveries(response) == ["1", "2", "3"]
    assert lights(response) == ["15_dias", "30_dias", "a_tiempo"]
    assert "Entregar" in response.content.decode()
    filtered = client.get(url("to_deliver", world["provider"]), {"light": "a_tiempo"})
    assert deliveries(filtered) == ["3"]


def test_to_deliver_query_count_is_constant(client, world, django_assert_num_queries):
    [direccionamiento] = direct(world, "M1")
    program(world, direccionamiento)
    login(client, world["dispensador"])
    with CaptureQueriesContext(connection) as one:
        client.get(url("to_deliver", world["provider"]))
    chains(world, upto="programacion")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url("to_deliver", world["provider"]))
    assert len(response.context["page"].rows) == 4


def test_to_deliver_shows_only_the_dispensadors_sedes(client, world):
    programaciones = chains(world, upto="programacion")
    membership = Membership.objects.get(user=world["dispensador"], entity=world["provider"])
    membership.sedes.add(world["sede2"])
    login(client, world["dispensador"])
    response = client.get(url("to_deliver", world["provider"]))
    assert response.context["page"].rows == []
    page = url("deliver", world["provider"], programaciones[0].pk)
    assert client.get(page).status_code == 404
    assert client.post(page, entrega_data(quantity="30")).status_code == 404
    assert not Entrega.objects.exists()


def test_a_dispensadors_sedes_change_on_their_next_request(client, world):
    """The sedes travel with the cached user's roles (entities.selectors.EntityAccess): a
    change from either side of the relation is seen on the next request."""
    chains(world, upto="programacion")
    membership = Membership.objects.get(user=world["dispensador"], entity=world["provider"])
    login(client, world["dispensador"])
    page = url("to_deliver", world["provider"])
    assert deliveries(client.get(page)) == ["1", "2", "3"]
    membership.sedes.add(world["sede2"])
    assert deliveries(client.get(page)) == []
    world["sede2"].membership_set.remove(membership)
    assert deliveries(client.get(page)) == ["1", "2", "3"]
    world["sede2"].membership_set.add(membership)
    assert deliveries(client.get(page)) == []
    world["sede2"].membership_set.clear()
    assert deliveries(client.get(page)) == ["1", "2", "3"]
    membership.sedes.add(world["sede2"])
    assert deliveries(client.get(page)) == []
    membership.sedes.clear()
    assert deliveries(client.get(page)) == ["1", "2", "3"]


def test_to_deliver_exports(client, world):
    programaciones = chains(world, upto="programacion")
    login(client, world["dispensador"])
    page = url("to_deliver", world["provider"])
    rows = parse_csv(client.get(page, {"formato": "csv"}))
    assert rows[0][0] == "IdProgramacion"
    assert [int(row[0]) for row in rows[1:]] == [p.pk for p in programaciones]
    assert len(parse_csv(client.get(page, {"formato": "csv", "light": "15_dias"}))) == 2
    text = xlsx_text(client.get(page, {"formato": "xlsx"}))
    assert "IdProgramacion" in text and world["prescription"].number in text


def test_missing_role_is_403(client, world, programmed_m1):
    login(client, world["prov_admin"])
    for name, args in [("to_deliver", []), ("deliver", [programmed_m1.pk]), ("lookup", [])]:
        assert client.get(url(name, world["provider"], *args)).status_code == 403


# Entrega -----------------------------------------------------------------------------------


def test_deliver_defaults_and_records(client, world, programmed_m1):
    login(client, world["dispensador"])
    page = url("deliver", world["provider"], programmed_m1.pk)
    response = client.get(page)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["technology_code"].value() == "19943546-01"
    assert str(form["quantity"].value()) == "2"
    assert form["receiver_document_number"].value() == "43000111"
    assert form["delivered_on"].value() == TODAY()
    content = response.content.decode()
    assert "Número de lote (obligatorio)" in content
    assert 'data-entrega="cause"' in content and "data-entrega-form" in content
    assert PROCEDURE_NOTE not in content
    response = client.post(page, entrega_data())
    assert response.status_code == 302
    entrega = Entrega.objects.get()
    assert entrega.total and entrega.quantity == Decimal("2") and entrega.batch == "L123"
    programmed_m1.refresh_from_db()
    assert programmed_m1.status == StepStatus.PROCESADO


def test_delivering_more_than_programmed_is_refused(client, world, programmed_m1):
    login(client, world["dispensador"])
    response = client.post(
        url("deliver", world["provider"], programmed_m1.pk), entrega_data(quantity="3")
    )
    assert response.status_code == 200
    assert field_errors(response, "quantity") == [
        "La cantidad entregada (3) supera la programada (2)."
    ]
    assert not Entrega.objects.exists()


def test_partial_entrega_without_cause_is_refused(client, world, programmed_m1, causes):
    login(client, world["dispensador"])
    page = url("deliver", world["provider"], programmed_m1.pk)
    response = client.post(page, entrega_data(quantity="1", total="0"))
    assert response.status_code == 200
    assert field_errors(response, "cause") == ["Elija la causa."]
    assert not Entrega.objects.exists()
    cause = next(
        c for c in causes.values() if c.applies_to("M") and c.for_partial_delivery and c.enabled
    )
    response = client.post(page, entrega_data(quantity="1", total="0", cause=cause.pk))
    assert response.status_code == 302
    entrega = Entrega.objects.get()
    assert not entrega.total and entrega.cause == cause and entrega.pending_quantity == 1


def test_medicine_without_batch_is_refused(client, world, programmed_m1):
    login(client, world["dispensador"])
    response = client.post(
        url("deliver", world["provider"], programmed_m1.pk), entrega_data(batch="")
    )
    assert response.status_code == 200
    assert field_errors(response, "batch") == [
        "Indique el número de lote: es obligatorio para un medicamento."
    ]
    assert "es obligatorio para un medicamento" in response.content.decode()
    assert not Entrega.objects.exists()


def test_dispensador_of_another_proveedor_gets_404(client, world, programmed_m1):
    login(client, world["other_dispensador"])
    own = url("deliver", world["other_provider"], programmed_m1.pk)
    assert client.get(own).status_code == 404
    assert client.post(own, entrega_data()).status_code == 404
    assert client.get(url("deliver", world["provider"], programmed_m1.pk)).status_code == 404
    assert not Entrega.objects.exists()


def test_the_procedure_note_is_on_the_entrega_page(client, procedure_world):  # noqa: F811
    world = procedure_world
    login(client, world["dispensador"])
    page = url("deliver", world["provider"], world["procedure_programacion"].pk)
    content = client.get(page).content.decode()
    assert PROCEDURE_NOTE in content
    assert 'data-covered="D1"' in content
    assert "Obligatorio solo para medicamentos." in content
    response = client.post(page, entrega_data(technology_code="890201", quantity="1", batch=""))
    assert response.status_code == 302


# Buscar prescripción -----------------------------------------------------------------------


def lookup(client, world, entity=None, **overrides):
    params = {
        "number": world["prescription"].number,
        "document_type": "CC",
        "document_number": "43000111",
    }
    params.update(overrides)
    return client.get(url("lookup", entity or world["provider"]), params)


NOT_FOUND = "No hay entregas de esta prescripción para su entidad."


def test_lookup_shows_lines_and_programaciones(client, world, programmed_m1):
    login(client, world["dispensador"])
    response = lookup(client, world)
    assert response.status_code == 200
    content = response.content.decode()
    assert NOT_FOUND not in content
    assert "METFORMINA 850 mg tableta" in content
    assert "850 mg cada 12" in content  # the posology
    assert url("deliver", world["provider"], programmed_m1.pk) in content
    assert "Entrega en ámbito" not in content


def test_lookup_never_reveals_a_prescription(client, world, programmed_m1):
    login(client, world["dispensador"])
    for overrides in (
        {"document_number": "43000112"},
        {"document_type": "TI"},
        {"number": "9" * 20},
    ):
        content = lookup(client, world, **overrides).content.decode()
        assert NOT_FOUND in content
        assert "METFORMINA" not in content and "Rosa" not in content
    login(client, world["other_dispensador"])
    content = lookup(client, world, entity=world["other_provider"]).content.decode()
    assert NOT_FOUND in content and "METFORMINA" not in content


def test_lookup_requires_every_field(client, world):
    login(client, world["dispensador"])
    response = client.get(url("lookup", world["provider"]), {"number": "123"})
    assert field_errors(response, "number") == ["El número tiene 20 dígitos."]
    assert field_errors(response, "document_type") == ["Elija el tipo de documento del paciente."]
    assert response.context["result"] is None


# Entrega en ámbito -------------------------------------------------------------------------


@pytest.fixture
def hospital(world, catalog):
    """A prescription of the IPS in hospitalización (care setting 22)."""
    return prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=world["patient"],
        care_setting=22,
        diagnosis=catalog["dx"],
        lines=[medicine_line(catalog)],
    )


def test_prescribing_ips_delivers_in_ambito(client, world, hospital):
    login(client, world["ips_dispensador"])
    content = lookup(client, world, entity=world["ips"], number=hospital.number).content.decode()
    page = url("deliver_ambito", world["ips"], hospital.external_id, "M1")
    assert page in content
    response = client.get(page)
    assert response.status_code == 200
    assert response.context["form"]["delivery_number"].value() == 1
    response = client.post(page, entrega_data(delivery_number="1", sub_number="0", sede=""))
    assert response.status_code == 302
    entrega = Entrega.objects.get()
    assert entrega.in_ambito and entrega.deliverable.delivery_number == 1
    assert client.get(page).context["form"]["delivery_number"].value() == 2


def test_entrega_en_ambito_refusals(client, world, hospital):
    login(client, world["ips_dispensador"])
    page = url("deliver_ambito", world["ips"], hospital.external_id, "M1")
    response = client.post(page, entrega_data(delivery_number="1", sub_number="0", batch=""))
    assert field_errors(response, "batch")
    response = client.post(
        page, entrega_data(delivery_number="1", sub_number="0", sede=world["other_sede"].pk)
    )
    assert field_errors(response, "sede") == ["La sede no es de su entidad."]
    assert not Entrega.objects.exists()


def test_entrega_en_ambito_is_the_prescribers_only(client, world, hospital):
    login(client, world["dispensador"])
    # The provider has no chain in it: nothing to see, and the form is not there.
    content = lookup(client, world, number=hospital.number).content.decode()
    assert NOT_FOUND in content
    page = url("deliver_ambito", world["provider"], hospital.external_id, "M1")
    assert client.get(page).status_code == 404
    # An ambulatory prescription of the IPS is not delivered en ámbito.
    login(client, world["ips_dispensador"])
    ambulatory = url("deliver_ambito", world["ips"], world["prescription"].external_id, "M1")
    assert client.get(ambulatory).status_code == 404
