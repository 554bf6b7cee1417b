"""Plausibility limits (issue 17 item 3): whole numbers where the unit is countable, bounds
per technology type from PRESCRIPTION_LIMITS, and durations; soft limits ask the prescriber
to confirm, hard limits refuse beside the field and write nothing."""

import re
from decimal import Decimal

import pytest

from mipres.lib.errors import DomainError
from prescriptions.models import Prescription
from prescriptions.services.prescribing import check_lines

from .conftest import medicine_line, service_line
from .test_prescription_views import MEDICINE, PROCEDURE, SERVICE, form_data, url

pytestmark = pytest.mark.django_db

ALL_TYPES = {"M", "P", "D", "N", "S"}


def post(client, world, line):
    client.force_login(world["medico"])
    return client.post(url("prescription_create", world["ips"]), form_data(world, [line]))


def field_text(html: str, name: str) -> str:
    """The markup of one line field's column: its input and the messages under it."""
    match = re.search(rf'name="lines-0-{name}".*?(?=<div class="col|</section>)', html, re.S)
    return match.group(0)


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({**MEDICINE, "total_quantity": "0.5"}, "total_quantity", "La cantidad total debe ser"),
        ({**PROCEDURE, "quantity_per_use": "0.5"}, "quantity_per_use", "La cantidad por uso"),
        ({**PROCEDURE, "total_quantity": "0.5"}, "total_quantity", "procedimiento se entrega"),
        ({**SERVICE, "total_quantity": "90.5"}, "total_quantity", "un número entero"),
        (
            {**MEDICINE, "total_quantity": "999999999"},
            "total_quantity",
            "supera el máximo de 10000",
        ),
        ({**PROCEDURE, "total_quantity": "5000"}, "total_quantity", "supera el máximo de 1000"),
        (
            {**SERVICE, "supply_type": "2", "duration_amount": "6", "duration_unit": "6"},
            "duration_amount",
            "supera el máximo de 1825 días",
        ),
        (
            {**MEDICINE, "duration_amount": "13", "duration_unit": "5"},
            "duration_amount",
            "formule la tecnología como prestación sucesiva",
        ),
    ],
)
def test_hard_limits_refuse_beside_the_field(client, prescribing, catalog, line, field, message):
    response = post(client, prescribing, line)
    assert response.status_code == 200
    assert message in field_text(response.text, field)
    assert 'name="confirm_caution"' not in response.text
    assert not Prescription.objects.exists()


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({**MEDICINE, "total_quantity": "2000"}, "total_quantity", "inusual para medicamento"),
        (
            {**MEDICINE, "duration_amount": "12", "duration_unit": "5", "total_quantity": "24"},
            "duration_amount",
            "una prestación única de 360 días supera los 90 días",
        ),
        (
            {**SERVICE, "duration_amount": "3", "duration_unit": "6", "total_quantity": "1000"},
            "duration_amount",
            "una prestación sucesiva de 1095 días supera 365 días",
        ),
    ],
)
def test_soft_limits_ask_for_confirmation_then_issue(
    client, prescribing, catalog, line, field, message
):
    response = post(client, prescribing, line)
    assert response.status_code == 200
    assert message in field_text(response.text, field)
    assert not Prescription.objects.exists()
    codes = re.findall(r'name="confirm_caution" value="([^"]+)"', response.text)
    assert len(codes) == 1
    data = {**form_data(prescribing, [line]), "confirm_caution": codes}
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.status_code == 302
    assert [c["code"] for c in Prescription.objects.get().confirmed_cautions] == codes


def test_a_changed_value_asks_again(client, prescribing, catalog):
    line = {**MEDICINE, "total_quantity": "2000"}
    codes = re.findall(r'value="(quantity:[^"]+)"', post(client, prescribing, line).text)
    data = {
        **form_data(prescribing, [{**line, "total_quantity": "3000"}]),
        "confirm_caution": codes,
    }
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.status_code == 200 and "(3000)" in response.text
    assert not Prescription.objects.exists()


def test_the_limits_are_settings(client, prescribing, catalog, settings):
    settings.PRESCRIPTION_LIMITS = {
        **settings.PRESCRIPTION_LIMITS,
        "quantity": {**settings.PRESCRIPTION_LIMITS["quantity"], "S": (10, 50)},
    }
    response = post(client, prescribing, SERVICE)  # 90 pañales
    assert "supera el máximo de 50" in response.text


def test_transcriptions_and_tutelas_pass_the_hard_limits(catalog):
    """check_lines is shared by transcriptions and tutelas."""
    with pytest.raises(DomainError) as refused:
        check_lines(lines=[service_line(catalog, total_quantity=Decimal("0.5"))], types=ALL_TYPES)
    assert refused.value.code == "not_whole"
    with pytest.raises(DomainError) as refused:
        check_lines(
            lines=[medicine_line(catalog, total_quantity=Decimal(999999999))], types=ALL_TYPES
        )
    assert refused.value.code == "quantity_limit"
