"""Issue 17 item 9: a posted TOTAL_FORMS far beyond the form's limit builds at most the
limit's forms and answers the form again with an error, quickly."""

import time

import pytest

from prescriptions import models as m

from .test_tutelas import form_data, recobrante, url  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_tutela_with_40000_lines_is_refused_fast(client, prescribing, recobrante):  # noqa: F811
    client.force_login(recobrante)
    data = form_data(prescribing, **{"lineM-TOTAL_FORMS": "40000"})
    started = time.monotonic()
    response = client.post(url("tutela_create", prescribing["eps"]), data)
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert "Registre como máximo 50 tecnologías." in response.text
    assert all(not formset.forms for formset in response.context["entry"].formsets)
    assert not m.Tutela.objects.exists()


def test_fifty_lines_spread_over_types_are_the_limit(client, prescribing, recobrante):  # noqa: F811
    client.force_login(recobrante)
    data = form_data(prescribing, **{"lineM-TOTAL_FORMS": "30", "lineP-TOTAL_FORMS": "30"})
    response = client.post(url("tutela_create", prescribing["eps"]), data)
    assert "Registre como máximo 50 tecnologías." in response.text


def test_adding_a_line_to_a_garbled_count_does_not_fail(client, prescribing, recobrante):  # noqa: F811
    client.force_login(recobrante)
    data = form_data(prescribing, **{"lineM-TOTAL_FORMS": "x", "add_line": "M"})
    response = client.post(url("tutela_create", prescribing["eps"]), data)
    assert response.status_code == 200


def test_a_request_with_more_fields_than_the_largest_form_is_refused(
    client,
    prescribing,
    recobrante,  # noqa: F811
):
    client.force_login(recobrante)
    data = form_data(prescribing, **{f"f{n}": "1" for n in range(2500)})
    response = client.post(url("tutela_create", prescribing["eps"]), data)
    assert response.status_code == 400
