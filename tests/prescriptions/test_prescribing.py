import datetime
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from entities.models import AuditEntry
from mipres.lib.errors import DomainError
from prescriptions.models import Prescription, TechnologyLine
from prescriptions.services.prescribing import (
    LineData,
    junta_status_for,
    next_number,
    prescription_issue,
)

from .conftest import medicine_line, service_line

pytestmark = pytest.mark.django_db


def issue_prescription(world, catalog, actor=None, lines=None, **overrides):
    kwargs = {
        "actor": actor or world["medico"],
        "entity": world["ips"],
        "patient": world["patient"],
        "care_setting": 12,
        "diagnosis": catalog["dx"],
        "lines": lines if lines is not None else [medicine_line(catalog)],
    }
    kwargs.update(overrides)
    return prescription_issue(**kwargs)


def test_issue_gives_a_20_digit_number_state_4_and_the_payer_of_the_affiliation(
    prescribing, catalog
):
    prescription = issue_prescription(
        prescribing, catalog, lines=[medicine_line(catalog), service_line(catalog)]
    )
    assert re.fullmatch(r"\d{20}", prescription.number)
    assert prescription.number[:8] == datetime.date.today().strftime("%Y%m%d")
    assert prescription.status == 4
    assert prescription.payer == prescribing["eps"]
    assert prescription.payer_code == prescribing["code"]
    assert prescription.prescriber_registration == f"RM-{prescribing['medico'].document_number}"
    lines = {line.key: line for line in prescription.lines.all()}
    assert set(lines) == {"M1", "S1"}
    assert lines["M1"].junta_status == 1  # an ordinary medicine needs no junta
    assert lines["S1"].junta_status == 2  # a complementary service does
    assert lines["M1"].ingredients.get().ingredient == catalog["dci"]
    entry = AuditEntry.objects.get(action="prescriptions.prescription.issued")
    assert entry.entity == prescribing["ips"] and entry.data["number"] == prescription.number


def test_consecutive_lines_of_one_type_are_numbered_1_2(prescribing, catalog):
    prescription = issue_prescription(
        prescribing, catalog, lines=[medicine_line(catalog), medicine_line(catalog)]
    )
    assert sorted(prescription.lines.values_list("order", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    ("technology_type", "care_setting", "medicine_type", "expected"),
    [
        ("M", 12, 1, 1),
        ("M", 12, 7, 2),  # UNIRS
        ("N", 11, None, 2),  # ambulatory nutrition
        ("N", 22, None, 1),  # hospital nutrition
        ("S", 30, None, 2),
        ("P", 11, None, 1),
        ("D", 11, None, 1),
    ],
)
def test_junta_status_by_type(technology_type, care_setting, medicine_type, expected):
    assert junta_status_for(technology_type, care_setting, medicine_type) == expected


def test_a_nutricionista_cannot_prescribe_a_medicine(prescribing, catalog):
    with pytest.raises(DomainError, match="no le permite prescribir medicamento"):
        issue_prescription(prescribing, catalog, actor=prescribing["nutri"])
    assert not Prescription.objects.exists()


def test_a_medico_cannot_prescribe_for_himself(prescribing, catalog):
    medico = prescribing["medico"]
    patient = prescribing["patient"]
    patient.document_number = medico.document_number
    patient.save()
    with pytest.raises(DomainError, match="sí mismo"):
        issue_prescription(prescribing, catalog)
    assert not Prescription.objects.exists()


def test_a_disabled_diagnosis_is_refused(prescribing, catalog):
    with pytest.raises(DomainError, match="K350"):
        issue_prescription(prescribing, catalog, diagnosis=catalog["dx_old"])
    assert not Prescription.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"total_quantity": Decimal(0)}, "cantidad total"),
        ({"fields": {"dose": Decimal(0)}}, "dosis"),
    ],
)
def test_zero_quantities_are_refused_and_nothing_is_written(
    prescribing, catalog, overrides, message
):
    with pytest.raises(DomainError, match=message):
        issue_prescription(prescribing, catalog, lines=[medicine_line(catalog, **overrides)])
    assert not TechnologyLine.objects.exists()
    assert not Prescription.objects.exists()


def test_more_than_a_year_must_be_sucesiva(prescribing, catalog):
    line = medicine_line(catalog, fields={"duration_amount": 13, "duration_unit": 5})
    with pytest.raises(DomainError, match="sucesiva"):
        issue_prescription(prescribing, catalog, lines=[line])
    line = medicine_line(catalog, supply_type=2, fields={"duration_amount": 13, "duration_unit": 5})
    assert issue_prescription(prescribing, catalog, lines=[line]).lines.count() == 1


def test_without_a_prescribing_role_permission_is_denied(prescribing, catalog, owner):
    with pytest.raises(PermissionDenied):
        issue_prescription(prescribing, catalog, actor=owner)


def test_a_medicine_needs_an_active_ingredient(prescribing, catalog):
    with pytest.raises(DomainError, match="principio activo"):
        issue_prescription(prescribing, catalog, lines=[medicine_line(catalog, ingredients=[])])


def test_an_ordenador_orders_nutritional_products(prescribing, catalog):
    line = LineData(
        technology_type="N",
        supply_type=1,
        justification="Desnutrición proteico-calórica.",
        total_quantity=Decimal(10),
        fields={"nutritional_type": catalog["nut_type"], "nutritional_route": 1},
    )
    prescription = issue_prescription(
        prescribing, catalog, actor=prescribing["nutri"], lines=[line]
    )
    assert prescription.lines.get().junta_status == 2


def test_numbers_follow_each_other_per_day():
    day = datetime.date(2026, 11, 22)
    first, second = next_number(day), next_number(day)
    assert first == "20261122000000000001" and second == "20261122000000000002"
    assert next_number(datetime.date(2026, 11, 23)).endswith("000000000001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_share_a_number(prescribing, catalog):
    barrier = Barrier(6)

    def issue(_):
        try:
            barrier.wait()
            return issue_prescription(prescribing, catalog).number
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        numbers = list(pool.map(issue, range(6)))
    assert len(set(numbers)) == 6
    assert Prescription.objects.count() == 6
