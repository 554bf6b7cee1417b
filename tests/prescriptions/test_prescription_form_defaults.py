"""The new-prescription form's defaults (issue 17 item 28): no ámbito carries over."""

import re

import pytest

from .test_prescription_views import MEDICINE, form_data, issue, url

pytestmark = pytest.mark.django_db


def _selected_care_setting(html: str) -> list[str]:
    select = re.search(r'<select name="care_setting".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


def test_a_new_prescription_starts_with_no_ambito_not_the_last_one(client, prescribing, catalog):
    previous = issue(prescribing, catalog)
    previous.care_setting = 22  # hospitalario – internación
    previous.save(update_fields=["care_setting"])
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_create", prescribing["ips"]))
    assert response.status_code == 200
    assert _selected_care_setting(response.text) in ([], [""])
    assert "Elija el ámbito de atención" in response.text


def test_a_prescription_without_ambito_is_refused_beside_the_field(client, prescribing, catalog):
    client.force_login(prescribing["medico"])
    data = form_data(prescribing, [MEDICINE], care_setting="")
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.status_code == 200
    assert "Elija el ámbito de atención de esta prescripción." in response.text
    assert not prescribing["patient"].prescriptions.exists()
