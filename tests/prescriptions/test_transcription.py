"""Transcripción: `prescription_transcribe` and the Transcriptor's pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import ProfessionalRecord
from entities.models import AuditEntry
from mipres.lib.errors import DomainError
from prescriptions import models as m
from prescriptions.services.novelties import prescription_transcribe

from ..accounts.factories import ProfessionalRecordFactory, UserFactory
from ..entities.factories import EntityFactory, PayerCodeFactory, grant
from ..prescriptions.factories import AffiliationFactory
from .conftest import medicine_line, service_line

pytestmark = pytest.mark.django_db

ORIGINAL_DATE = datetime.date(2026, 1, 15)


@pytest.fixture
def transcriptor(prescribing):
    user = UserFactory()
    grant(user, prescribing["eps"], "transcriptor")
    return user


def transcribe(world, catalog, actor, **overrides):
    kwargs = {
        "actor": actor,
        "entity": world["eps"],
        "transcription_type": 1,
        "original_date": ORIGINAL_DATE,
        "original_reference": "PAPEL-000123",
        "professional_document_type": world["medico"].document_type,
        "professional_document_number": world["medico"].document_number,
        "habilitation_code": world["ips"].reps_code,
        "patient": world["patient"],
        "care_setting": 12,
        "diagnosis": catalog["dx"],
        "lines": [medicine_line(catalog), service_line(catalog)],
    }
    kwargs.update(overrides)
    return prescription_transcribe(**kwargs)


def assert_nothing_saved():
    assert not m.Prescription.objects.exists()
    assert not m.TechnologyLine.objects.exists()
    assert not m.Novelty.objects.exists()
    assert not AuditEntry.objects.filter(action="prescriptions.prescription.transcribed").exists()


# Service ---------------------------------------------------------------------------------


@pytest.mark.parametrize("transcription_type", [1, 2, 3, 4, 5, 6])
def test_a_transcription_gets_a_new_number_and_a_type_3_novelty(
    prescribing, catalog, transcriptor, transcription_type
):
    prescription = transcribe(
        prescribing,
        catalog,
        transcriptor,
        transcription_type=transcription_type,
        original_time=datetime.time(10, 30),
    )
    assert prescription.number[:8] == timezone.localdate().strftime("%Y%m%d")
    assert prescription.status == 4
    assert prescription.transcription_type == transcription_type
    assert prescription.original_reference == "PAPEL-000123"
    assert timezone.localtime(prescription.prescribed_at).date() == ORIGINAL_DATE
    assert timezone.localtime(prescription.prescribed_at).time() == datetime.time(10, 30)
    assert prescription.prescriber == prescribing["medico"]
    assert prescription.prescriber_registration == f"RM-{prescribing['medico'].document_number}"
    assert prescription.recorded_by == transcriptor
    assert prescription.entity == prescribing["ips"]
    assert prescription.habilitation_code == prescribing["ips"].reps_code
    assert (prescription.payer, prescription.payer_code) == (
        prescribing["eps"],
        prescribing["code"],
    )
    lines = {line.key: line.junta_status for line in prescription.lines.all()}
    assert lines == {"M1": 1, "S1": 2}  # the service still needs the IPS's Junta
    novelty = m.Novelty.objects.get()
    assert novelty.novelty_type == 3 and novelty.prescription == prescription
    assert novelty.original_number == "PAPEL-000123"
    assert novelty.resulting_number == prescription.number
    entry = AuditEntry.objects.get(action="prescriptions.prescription.transcribed")
    assert entry.entity == prescribing["eps"] and entry.actor == transcriptor
    assert entry.data["original_reference"] == "PAPEL-000123"


def test_without_habilitation_code_the_eps_is_the_prescribing_entity(
    prescribing, catalog, transcriptor
):
    membership = grant(prescribing["medico"], prescribing["eps"], "prescriptor")
    membership.reps_code = "050010009007"
    membership.save()
    prescription = transcribe(prescribing, catalog, transcriptor, habilitation_code="")
    assert prescription.entity == prescribing["eps"]
    assert prescription.habilitation_code == "050010009007"


def test_a_professional_absent_from_rethus_is_refused(prescribing, catalog, transcriptor):
    stranger = UserFactory()
    with pytest.raises(DomainError) as refused:
        transcribe(
            prescribing,
            catalog,
            transcriptor,
            professional_document_number=stranger.document_number,
        )
    assert refused.value.code == "not_in_rethus"
    assert refused.value.field == "professional_document_number"
    assert f"El profesional CC {stranger.document_number} no aparece activo en RETHUS" in str(
        refused.value
    )
    assert_nothing_saved()


def test_a_professional_inactive_in_rethus_is_refused(prescribing, catalog, transcriptor):
    ProfessionalRecord.objects.filter(document_number=prescribing["medico"].document_number).update(
        active=False
    )
    with pytest.raises(DomainError) as refused:
        transcribe(prescribing, catalog, transcriptor)
    assert refused.value.code == "not_in_rethus"
    assert_nothing_saved()


def test_a_professional_in_rethus_but_not_registered_is_refused(prescribing, catalog, transcriptor):
    record = ProfessionalRecordFactory()
    with pytest.raises(DomainError) as refused:
        transcribe(
            prescribing,
            catalog,
            transcriptor,
            professional_document_number=record.document_number,
        )
    assert refused.value.code == "professional_not_registered"
    assert "no está registrado" in str(refused.value)
    assert_nothing_saved()


def test_the_professions_scope_applies(prescribing, catalog, transcriptor):
    with pytest.raises(DomainError) as refused:
        transcribe(
            prescribing,
            catalog,
            transcriptor,
            professional_document_number=prescribing["nutri"].document_number,
        )
    assert refused.value.code == "out_of_scope"
    assert "no le permite prescribir medicamento" in str(refused.value)
    assert_nothing_saved()


def test_only_the_patients_payer_transcribes(prescribing, catalog):
    other_eps = EntityFactory(entity_type="EPS")
    PayerCodeFactory(entity=other_eps)
    user = UserFactory()
    grant(user, other_eps, "transcriptor")
    with pytest.raises(DomainError) as refused:
        transcribe(prescribing, catalog, user, entity=other_eps)
    assert refused.value.code == "other_payer" and refused.value.field == "patient"
    assert prescribing["eps"].name in str(refused.value)
    assert_nothing_saved()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"original_date": timezone.localdate() + datetime.timedelta(days=1)}, "original_date"),
        ({"original_reference": "  "}, "original_reference"),
        ({"transcription_type": 7}, "transcription_type"),
        ({"habilitation_code": "999999999901"}, "unknown_ips"),
        ({"lines": []}, "no_lines"),
    ],
)
def test_bad_input_is_refused(prescribing, catalog, transcriptor, overrides, code):
    with pytest.raises(DomainError) as refused:
        transcribe(prescribing, catalog, transcriptor, **overrides)
    assert refused.value.code.startswith(code)
    assert_nothing_saved()


def test_self_prescription_is_refused(prescribing, catalog, transcriptor):
    medico = prescribing["medico"]
    patient = AffiliationFactory(
        payer_code=prescribing["code"],
        patient__document_type=medico.document_type,
        patient__document_number=medico.document_number,
    ).patient
    with pytest.raises(DomainError) as refused:
        transcribe(prescribing, catalog, transcriptor, patient=patient)
    assert refused.value.code == "self_prescription"
    assert_nothing_saved()


@pytest.mark.parametrize("role", ["recobrante", "delegado", "junta"])
def test_only_the_transcriptor_transcribes(prescribing, catalog, role):
    user = UserFactory()
    grant(user, prescribing["eps"], role)
    with pytest.raises(PermissionDenied):
        transcribe(prescribing, catalog, user)
    assert_nothing_saved()


# Views -----------------------------------------------------------------------------------


def url(name, entity, *args):
    return reverse(f"prescriptions:{name}", args=[entity.external_id, *args])


def header(world, **overrides) -> dict:
    data = {
        "transcription_type": "3",
        "original_reference": "PAPEL-000777",
        "original_date": ORIGINAL_DATE.isoformat(),
        "original_time": "",
        "professional_document_type": "CC",
        "professional_document_number": world["medico"].document_number,
        "habilitation_code": world["ips"].reps_code,
        "patient_document_type": "CC",
        "patient_document_number": world["patient"].document_number,
        "care_setting": "12",
        "diagnosis": "e11.9",
        "related_diagnosis_1": "",
        "related_diagnosis_2": "",
        "orphan_disease": "",
    }
    for letter in "MPDNS":
        data.update({f"line{letter}-TOTAL_FORMS": "0", f"line{letter}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def service_form(index=0) -> dict:
    prefix = f"lineS-{index}-"
    fields = {
        "complementary_service": "139",
        "supply_type": "2",
        "total_quantity": "90",
        "quantity_per_use": "3",
        "frequency_every": "1",
        "frequency_unit": "3",
        "duration_amount": "30",
        "duration_unit": "3",
        "justification": "Incontinencia urinaria.",
    }
    return {"lineS-TOTAL_FORMS": str(index + 1), **{prefix + k: v for k, v in fields.items()}}


@pytest.mark.parametrize("name", ["transcription_list", "transcription_create"])
def test_views_require_login_hide_other_entities_and_need_the_permission(client, prescribing, name):
    target = url(name, prescribing["eps"])
    response = client.get(target)
    assert response.status_code == 302 and "/cuentas/ingresar/" in response["Location"]
    outsider = UserFactory()
    grant(outsider, EntityFactory(entity_type="EPS"), "transcriptor")
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    member = UserFactory()
    grant(member, prescribing["eps"], "recobrante")
    client.force_login(member)
    assert client.get(target).status_code == 403


def test_adding_a_line_keeps_what_was_typed_and_shows_no_error(client, prescribing, transcriptor):
    client.force_login(transcriptor)
    data = header(prescribing, original_reference="", add_line="S")
    response = client.post(url("transcription_create", prescribing["eps"]), data)
    assert response.status_code == 200
    assert 'name="lineS-0-complementary_service"' in response.text
    assert 'name="lineS-TOTAL_FORMS" value="1"' in response.text
    assert prescribing["medico"].document_number in response.text
    assert "invalid-feedback" not in response.text
    assert not m.Prescription.objects.exists()


def test_the_transcriptor_records_a_transcription(client, prescribing, catalog, transcriptor):
    client.force_login(transcriptor)
    data = header(prescribing, **service_form())
    response = client.post(url("transcription_create", prescribing["eps"]), data, follow=True)
    prescription = m.Prescription.objects.get()
    assert response.redirect_chain[-1][0] == url(
        "transcription_detail", prescribing["eps"], prescription.external_id
    )
    assert prescription.number in response.text and "PAPEL-000777" in response.text
    assert "Pañales" in response.text
    assert prescription.diagnosis == catalog["dx"] and prescription.transcription_type == 3
    listing = client.get(url("transcription_list", prescribing["eps"]))
    assert prescription.number in listing.text


def test_a_professional_absent_from_rethus_is_shown_beside_the_field(
    client, prescribing, catalog, transcriptor
):
    client.force_login(transcriptor)
    data = header(prescribing, professional_document_number="70000001", **service_form())
    response = client.post(url("transcription_create", prescribing["eps"]), data)
    assert response.status_code == 200
    assert "El profesional CC 70000001 no aparece activo en RETHUS" in response.text
    assert_nothing_saved()


def test_line_errors_show_beside_the_line(client, prescribing, catalog, transcriptor):
    client.force_login(transcriptor)
    form = service_form()
    form["lineS-0-total_quantity"] = "0"
    form["lineS-0-complementary_service"] = "139"
    response = client.post(
        url("transcription_create", prescribing["eps"]), header(prescribing, **form)
    )
    assert response.status_code == 200
    assert "La cantidad total debe ser mayor que cero." in response.text
    form["lineS-0-complementary_service"] = "XYZ"
    response = client.post(
        url("transcription_create", prescribing["eps"]), header(prescribing, **form)
    )
    assert "El código «XYZ» no existe en el catálogo." in response.text
    assert_nothing_saved()


def test_another_eps_cannot_read_a_transcription(client, prescribing, catalog, transcriptor):
    prescription = transcribe(prescribing, catalog, transcriptor)
    client.force_login(transcriptor)
    detail = url("transcription_detail", prescribing["eps"], prescription.external_id)
    assert client.get(detail).status_code == 200
    other_eps = EntityFactory(entity_type="EPS")
    other = UserFactory()
    grant(other, other_eps, "transcriptor")
    client.force_login(other)
    assert (
        client.get(url("transcription_detail", other_eps, prescription.external_id)).status_code
        == 404
    )


def test_medicine_and_procedure_lines_are_entered_through_the_form(
    client, prescribing, catalog, transcriptor
):
    medicine = {
        "medicine_type": "1",
        "ingredient": "00123",
        "concentration": "850",
        "concentration_unit": "0168",
        "pharmaceutical_form": "C42998",
        "route": "048",
        "dose": "850",
        "dose_unit": "0168",
        "frequency_every": "12",
        "frequency_unit": "2",
        "duration_amount": "30",
        "duration_unit": "3",
        "presentation_unit": "11",
        "supply_type": "1",
        "total_quantity": "2",
        "justification": "Control glucémico.",
    }
    procedure = {
        "procedure": "890201",
        "supply_type": "1",
        "total_quantity": "1",
        "justification": "Control.",
    }
    data = header(prescribing, **{"lineM-TOTAL_FORMS": "2", "lineP-TOTAL_FORMS": "1"})
    data.update({f"lineM-0-{k}": v for k, v in medicine.items()})
    data.update({f"lineM-1-{k}": v for k, v in medicine.items()})
    data["lineM-1-DELETE"] = "on"  # «Quitar esta línea»
    data.update({f"lineP-0-{k}": v for k, v in procedure.items()})
    client.force_login(transcriptor)
    response = client.post(url("transcription_create", prescribing["eps"]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    prescription = m.Prescription.objects.get()
    lines = {line.key: line for line in prescription.lines.all()}
    assert set(lines) == {"M1", "P1"}
    medicine_line_row = lines["M1"]
    assert medicine_line_row.route == catalog["oral"] and medicine_line_row.dose == 850
    assert medicine_line_row.description == "METFORMINA 850 mg"
    assert medicine_line_row.ingredients.get().ingredient == catalog["dci"]
    assert lines["P1"].procedure == catalog["cups"]
