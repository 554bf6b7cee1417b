"""Duplicate prescriptions (issue 17 item 4): the form's one-time key, and the caution the
prescriber confirms before prescribing again what they prescribed the patient lately."""

import datetime
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from entities.models import AuditEntry
from prescriptions.models import Prescription

from .test_prescription_views import MEDICINE, SERVICE, form_data, issue, rethus_medico, url

pytestmark = pytest.mark.django_db


def _form_key(client, entity) -> str:
    page = client.get(url("prescription_create", entity)).text
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def test_the_second_post_of_the_same_form_shows_the_first_prescription(
    client, prescribing, catalog
):
    client.force_login(prescribing["medico"])
    data = form_data(prescribing, [SERVICE], submission_key=_form_key(client, prescribing["ips"]))
    first = client.post(url("prescription_create", prescribing["ips"]), data)
    second = client.post(url("prescription_create", prescribing["ips"]), data)
    prescription = Prescription.objects.get()
    detail = url("prescription_detail", prescribing["ips"], prescription.external_id)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == detail
    assert AuditEntry.objects.filter(action="prescriptions.prescription.issued").count() == 1


def test_a_new_form_gets_a_new_key(client, prescribing):
    client.force_login(prescribing["medico"])
    assert _form_key(client, prescribing["ips"]) != _form_key(client, prescribing["ips"])


def test_another_users_key_is_refused(client, prescribing, catalog):
    client.force_login(prescribing["medico"])
    data = form_data(prescribing, [SERVICE], submission_key=_form_key(client, prescribing["ips"]))
    client.post(url("prescription_create", prescribing["ips"]), data)
    other = rethus_medico(prescribing["ips"])
    client.force_login(other)
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.status_code == 200
    assert "Este formulario ya se usó" in response.text
    assert Prescription.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_of_one_form_issue_exactly_one_prescription(prescribing, catalog):
    client = Client()
    client.force_login(prescribing["medico"])
    data = form_data(prescribing, [SERVICE], submission_key=_form_key(client, prescribing["ips"]))
    target = url("prescription_create", prescribing["ips"])
    barrier = Barrier(20)

    def post(_):
        own = Client()
        own.force_login(prescribing["medico"])
        try:
            barrier.wait()
            response = own.post(target, data)
            return response.status_code, response.get("Location")
        finally:
            connection.close()

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(post, range(20)))
    prescription = Prescription.objects.get()
    detail = url("prescription_detail", prescribing["ips"], prescription.external_id)
    assert answers == [(302, detail)] * 20
    assert prescription.lines.count() == 1


# The same technology again -------------------------------------------------------------


def test_prescribing_again_the_same_technology_asks_for_confirmation_and_records_it(
    client, prescribing, catalog
):
    previous = issue(prescribing, catalog)  # M (metformina), P and S (pañales)
    client.force_login(prescribing["medico"])
    target = url("prescription_create", prescribing["ips"])
    data = form_data(prescribing, [SERVICE], submission_key=_form_key(client, prescribing["ips"]))
    response = client.post(target, data)
    assert response.status_code == 200
    assert Prescription.objects.count() == 1
    expected = f"ya tiene la prescripción activa {previous.number}"
    assert expected in response.text
    assert "confirme las advertencias marcadas" in response.text
    code = re.search(r'name="confirm_caution" value="([^"]+)"', response.text).group(1)
    response = client.post(target, {**data, "confirm_caution": code})
    assert response.status_code == 302
    issued = Prescription.objects.exclude(pk=previous.pk).get()
    assert [c["code"] for c in issued.confirmed_cautions] == [code]
    assert expected in issued.confirmed_cautions[0]["message"]
    entry = AuditEntry.objects.get(action="prescriptions.prescription.issued", object_id=issued.pk)
    assert entry.data["confirmed_cautions"] == issued.confirmed_cautions


def test_a_renewal_the_same_day_asks_for_confirmation(client, prescribing, catalog):
    previous = issue(prescribing, catalog)
    client.force_login(prescribing["medico"])
    renewal = client.get(url("prescription_renew", prescribing["ips"], previous.external_id))
    assert 'name="submission_key"' in renewal.text
    response = client.post(
        url("prescription_create", prescribing["ips"]), form_data(prescribing, [MEDICINE])
    )
    assert response.status_code == 200 and previous.number in response.text
    assert Prescription.objects.count() == 1


@pytest.mark.parametrize("case", ["other_prescriber", "annulled", "older", "other_code"])
def test_no_caution_outside_the_rule(client, prescribing, catalog, case):
    previous = issue(prescribing, catalog)
    prescriber = prescribing["medico"]
    lines = [SERVICE]
    if case == "other_prescriber":
        prescriber = rethus_medico(prescribing["ips"])
    elif case == "annulled":
        Prescription.objects.filter(pk=previous.pk).update(status=2, annulled_at=timezone.now())
    elif case == "older":
        old = timezone.now() - datetime.timedelta(days=31)
        Prescription.objects.filter(pk=previous.pk).update(prescribed_at=old)
    else:
        from prescriptions.models import ComplementaryService

        ComplementaryService.objects.create(code="140", name="Silla de ruedas", source="starter")
        lines = [{**SERVICE, "complementary_service": "140"}]
    client.force_login(prescriber)
    response = client.post(
        url("prescription_create", prescribing["ips"]), form_data(prescribing, lines)
    )
    assert response.status_code == 302
    assert Prescription.objects.count() == 2


def test_each_earlier_line_is_its_own_technology(prescribing, catalog):
    """Two medicines of one earlier prescription are two technologies: prescribing one of
    them again asks, a medicine combining both active ingredients does not; the caution
    names the newest prescription holding it."""
    from prescriptions.models import ActiveIngredient
    from prescriptions.services.plausibility import duplicate_cautions
    from prescriptions.services.prescribing import IngredientData, prescription_issue

    from .conftest import medicine_line

    other = ActiveIngredient.objects.create(code="00200", name="SITAGLIPTINA", source="starter")

    def medicine(*ingredients):
        items = [IngredientData(i, Decimal("50"), catalog["mg"]) for i in ingredients]
        return medicine_line(catalog, ingredients=items)

    def prescribe(lines):
        return prescription_issue(
            actor=prescribing["medico"],
            entity=prescribing["ips"],
            patient=prescribing["patient"],
            care_setting=12,
            diagnosis=catalog["dx"],
            lines=lines,
        )

    older = prescribe([medicine(catalog["dci"]), medicine(other)])
    Prescription.objects.filter(pk=older.pk).update(
        prescribed_at=timezone.now() - datetime.timedelta(days=2)
    )
    newer = prescribe([medicine(other)])

    def cautions(*ingredients):
        return duplicate_cautions(
            prescriber=prescribing["medico"],
            patient=prescribing["patient"],
            lines=[medicine(*ingredients)],
        )

    [again] = cautions(catalog["dci"])
    assert again.code == f"duplicate:M:00123:{older.number}"
    [again] = cautions(other)
    assert again.code == f"duplicate:M:00200:{newer.number}"  # the newest of the two
    assert cautions(catalog["dci"], other) == []
