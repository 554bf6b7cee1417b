"""Units cannot silently change (issue 17 item 2): an exact match of the code, symbol or name
leads the unit search whatever was used lately, and a dose unit a thousand times the
concentration unit is a caution the prescriber confirms."""

import re

import pytest
from django.urls import reverse

from prescriptions import models as m
from prescriptions.models import Prescription

from .test_prescription_views import MEDICINE, form_data, issue, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def grams(catalog):
    unit = m.MeasurementUnit.objects.create(
        code="0062", name="gramo(s)", symbol="g", source="starter"
    )
    dose = m.DoseUnit.objects.create(code="0062", name="gramo(s)", symbol="g", source="starter")
    return unit, dose


@pytest.mark.parametrize("typed", ["g", "G", "gramo", "gramo(s)", "0062"])
def test_an_exact_unit_leads_even_when_milligrams_were_used_lately(
    client, prescribing, catalog, grams, typed
):
    issue(prescribing, catalog)  # metformina 850 mg: «mg» is now a recent unit
    client.force_login(prescribing["medico"])
    search = reverse("prescriptions:catalog_search", args=["unidades_medida"])
    results = client.get(search, {"q": typed}).json()["results"]
    assert results[0]["code"] == "0062", results
    assert [r["code"] for r in results].count("0062") == 1


def test_recent_units_still_order_the_rest(client, prescribing, catalog, grams):
    m.MeasurementUnit.objects.create(
        code="0170", name="miligramo(s)/gramo", symbol="mg/g", source="starter"
    )
    issue(prescribing, catalog)
    client.force_login(prescribing["medico"])
    search = reverse("prescriptions:catalog_search", args=["unidades_medida"])
    codes = [r["code"] for r in client.get(search, {"q": "miligr"}).json()["results"]]
    assert codes[0] == "0168"  # no exact match: the recent one leads


def test_a_dose_unit_a_thousand_times_the_concentration_unit_asks_for_confirmation(
    client, prescribing, catalog, grams
):
    client.force_login(prescribing["medico"])
    target = url("prescription_create", prescribing["ips"])
    line = {**MEDICINE, "concentration_1": "1", "dose": "1", "dose_unit": "0062"}  # 1 mg, 1 g
    data = form_data(prescribing, [line])
    response = client.post(target, data)
    assert response.status_code == 200
    assert not Prescription.objects.exists()
    message = "la concentración está en mg y la dosis en g"
    assert message in response.text
    field = re.search(r'name="lines-0-dose_unit".*?</select>(.*?)</div>', response.text, re.S)
    assert message in field.group(1)  # beside the dose unit
    code = re.search(r'name="confirm_caution" value="([^"]+)"', response.text).group(1)
    response = client.post(target, {**data, "confirm_caution": code})
    assert response.status_code == 302
    assert Prescription.objects.get().confirmed_cautions[0]["code"] == code


def test_matching_units_raise_no_caution(client, prescribing, catalog, grams):
    client.force_login(prescribing["medico"])
    line = {**MEDICINE, "concentration_unit_1": "0062", "dose": "1", "dose_unit": "0062"}
    response = client.post(
        url("prescription_create", prescribing["ips"]), form_data(prescribing, [line])
    )
    assert response.status_code == 302
