"""Bad input answers the form again with a Spanish message, never a 500 (issue 17 §14): a
date whose next day does not exist in the lists' filters, a NUL byte or `.` in the
prescription form's codes, an integer beyond PostgreSQL's in Renovar."""

import re

import pytest
from markupsafe import escape

from prescriptions.models import Prescription

from .test_consultas import world  # noqa: F401  (fixture)
from .test_prescription_views import MEDICINE, PROCEDURE, form_data, issue, url

pytestmark = pytest.mark.django_db

DATE_RANGE = "Escriba una fecha entre el 01/01/1900 y el 31/12/2999."


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("prescription_list_own", "medico"),
        ("prescription_list_own_csv", "medico"),
        ("prescription_list_entity", "admision"),
        ("prescription_list_payer", "eps_admin"),
    ],
)
@pytest.mark.parametrize("field", ["date_to", "date_from"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_list_refuses_a_date_out_of_range_beside_the_filter(client, world, name, who, field, day):  # noqa: F811
    client.force_login(world[who])
    entity = world["eps"] if who == "eps_admin" else world["ips"]
    response = client.get(url(name, entity), {field: day})
    assert response.status_code == 200
    if not name.endswith("_csv"):
        error = f'<div id="id_{field}_error" class="invalid-feedback"><span><strong>'
        assert f"{error}{escape(DATE_RANGE)}</strong>" in response.content.decode()


def _posted(client, world, data):  # noqa: F811
    client.force_login(world["medico"])
    before = Prescription.objects.count()
    response = client.post(url("prescription_create", world["ips"]), data)
    assert response.status_code == 200
    assert Prescription.objects.count() == before
    return response


NUL = "Los caracteres nulos no están permitidos."


@pytest.mark.parametrize(
    ("where", "name", "value"),
    [
        ("header", "diagnosis", "E1\x0019"),
        ("header", "related_diagnosis_1", "\x00"),
        ("line", "ingredient_1", "00\x00123"),
        ("line", "dose_unit", "01\x0068"),
        ("line", "pharmaceutical_form", "\x00"),
    ],
)
def test_a_nul_byte_in_a_code_is_refused_beside_it(client, world, where, name, value):  # noqa: F811
    if where == "header":
        data = form_data(world, [MEDICINE], **{name: value})
    else:
        data = form_data(world, [{**MEDICINE, name: value}])
    response = _posted(client, world, data)
    form = response.context["header"] if where == "header" else response.context["lines"].forms[0]
    assert form.errors[name], form.errors
    if name in ("diagnosis", "related_diagnosis_1", "ingredient_1"):  # typed codes
        assert form.errors[name] == [NUL]


@pytest.mark.parametrize(
    ("where", "name"),
    [("header", "document_number"), ("header", "diagnosis"), ("line", "procedure")],
)
def test_a_dot_as_a_code_is_refused_beside_it(client, world, where, name):  # noqa: F811
    if where == "header":
        data = form_data(world, [PROCEDURE], **{name: "."})
    else:
        data = form_data(world, [{**PROCEDURE, name: "."}])
    response = _posted(client, world, data)
    form = response.context["header"] if where == "header" else response.context["lines"].forms[0]
    assert form.errors[name], form.errors


@pytest.mark.parametrize("name", ["frequency_every", "duration_amount", "quantity_per_use"])
def test_renovar_refuses_an_integer_beyond_the_database(client, world, catalog, name):  # noqa: F811
    previous = issue(world, catalog)
    client.force_login(world["medico"])
    response = client.get(url("prescription_renew", world["ips"], previous.external_id))
    forms = response.context["lines"].forms
    rows = [
        {field: f[field].value() for field in f.fields if f[field].value() is not None}
        for f in forms
    ]
    rows[1][name] = "2147483648"
    data = form_data(world, rows)
    # The same technologies the same day ask for confirmation (issue 17 §4): confirm them.
    data["confirm_caution"] = re.findall(
        r'name="confirm_caution" value="([^"]+)"', _posted(client, world, data).text
    )
    response = _posted(client, world, data)
    assert response.context["lines"].forms[1].errors[name], (
        response.context["lines"].forms[1].errors
    )
