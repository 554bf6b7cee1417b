"""The prescription issue's queries do not grow with its lines (issue 13 §7): the form reads
each catalog's codes once for the whole form, and the service writes the lines, their
ingredients and their UNIRS indications each in one INSERT."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entities.models import Municipality
from prescriptions import models as m
from prescriptions.models import Prescription

from .test_prescription_views import MEDICINE, PROCEDURE, form_data, url

pytestmark = pytest.mark.django_db


def new_patient(world, number: str) -> m.Patient:
    patient = m.Patient.objects.create(
        document_type="CC",
        document_number=number,
        first_name="Luz",
        first_surname="Mejía",
        birth_date=datetime.date(1960, 5, 4),
        sex="F",
        municipality=Municipality.objects.get(code="05001"),
    )
    m.Affiliation.objects.create(
        patient=patient,
        payer_code=world["code"],
        regime="contributivo",
        active=True,
        start_date=datetime.date(2020, 1, 1),
        source="test",
    )
    return patient


def issue_queries(client, world, patient, lines) -> int:
    data = form_data({**world, "patient": patient}, lines)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url("prescription_create", world["ips"]), data)
    assert response.status_code == 302
    return len(queries.captured_queries)


def test_an_issue_of_three_lines_makes_the_queries_of_one_line(client, prescribing, catalog):
    m.ActiveIngredient.objects.create(code="00200", name="SITAGLIPTINA", source="starter")
    m.ActiveIngredient.objects.create(code="00300", name="GLIBENCLAMIDA", source="starter")
    client.force_login(prescribing["medico"])
    # The first post reads the small catalogs into the cache: not what is measured.
    issue_queries(client, prescribing, new_patient(prescribing, "51000001"), [MEDICINE])

    one = issue_queries(client, prescribing, new_patient(prescribing, "51000002"), [MEDICINE])
    three_lines = [
        {**MEDICINE, "ingredient_1": "00200"},
        {
            **MEDICINE,
            "ingredient_1": "00300",
            "ingredient_2": "00123",
            "concentration_2": "500",
            "concentration_unit_2": "0168",
        },
        {**MEDICINE, "dose": "1000", "justification": "Ajuste de dosis."},
    ]
    three = issue_queries(client, prescribing, new_patient(prescribing, "51000003"), three_lines)

    assert one == three
    issued = Prescription.objects.get(patient__document_number="51000003")
    lines = list(issued.lines.order_by("technology_type", "order"))
    assert [line.key for line in lines] == ["M1", "M2", "M3"]
    assert [i.ingredient.code for i in lines[1].ingredients.order_by("order")] == [
        "00300",
        "00123",
    ]
    assert lines[2].dose == 1000


def test_each_catalog_is_read_once_however_many_lines_name_it(client, prescribing, catalog):
    """Lines of another type add the query of their catalog, once."""
    client.force_login(prescribing["medico"])
    issue_queries(client, prescribing, new_patient(prescribing, "51000001"), [MEDICINE])
    one = issue_queries(client, prescribing, new_patient(prescribing, "51000002"), [PROCEDURE])
    two = issue_queries(
        client,
        prescribing,
        new_patient(prescribing, "51000003"),
        [PROCEDURE, {**PROCEDURE, "total_quantity": "2", "justification": "Control."}],
    )
    assert one == two


@pytest.mark.parametrize("route", ["999", "047"])
def test_a_route_not_in_force_is_refused_beside_its_select(client, prescribing, catalog, route):
    """The selects check a posted code against the catalog's enabled entries: an unknown
    code, or one disabled, is refused beside the field and nothing is issued."""
    m.AdministrationRoute.objects.create(code="047", name="NASAL", enabled=False)
    client.force_login(prescribing["medico"])
    data = form_data(prescribing, [{**MEDICINE, "route": route}])
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.status_code == 200
    assert not Prescription.objects.exists()
    form = response.context["lines"].forms[0]
    assert "route" in form.errors


def test_an_issue_of_the_benchmarks_shape_makes_thirteen_queries(client, prescribing, catalog):
    """The bench's `presc-issue` post (two medicines and a procedure), counted: the four
    catalogs its codes name, the patient with their active affiliation, the small
    catalogs' stamps, the prescriber's RETHUS records and their recent lines for the
    duplicate caution; then, in one transaction, the number, the prescription, its lines,
    their ingredients and the audit entry. Not read: the prescriber's roles (the request
    user carries them), the entity's sedes (none posted), an earlier use of the form's key
    (its unique constraint answers)."""
    m.ActiveIngredient.objects.create(code="00200", name="SITAGLIPTINA", source="starter")
    client.force_login(prescribing["medico"])
    issue_queries(client, prescribing, new_patient(prescribing, "51000001"), [MEDICINE])
    data = form_data(
        {**prescribing, "patient": new_patient(prescribing, "51000002")},
        [MEDICINE, {**MEDICINE, "ingredient_1": "00200"}, PROCEDURE],
        submission_key=str(uuid.uuid4()),
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.status_code == 302
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    selects = [sql for sql in statements if sql.startswith("SELECT")]
    writes = [sql for sql in statements if sql.startswith("INSERT")]
    assert len(selects) == 8, "\n".join(selects)
    assert len(writes) == 5, "\n".join(writes)
    assert len(statements) == 13, "\n".join(statements)
