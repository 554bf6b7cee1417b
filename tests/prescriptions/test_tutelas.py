"""Tutelas: `tutela_register`, the tutela's lines in TechnologyLine, and the Recobrante's pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from entities.models import AuditEntry
from mipres.lib.errors import DomainError
from prescriptions import models as m
from prescriptions.selectors.junta import junta_line_list_pending
from prescriptions.services.tutelas import tutela_annul, tutela_register

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, PayerCodeFactory, grant
from .conftest import medicine_line, service_line
from .test_junta import issue

pytestmark = pytest.mark.django_db

RULING_DATE = datetime.date(2026, 3, 2)


@pytest.fixture
def recobrante(prescribing):
    user = UserFactory()
    grant(user, prescribing["eps"], "recobrante")
    return user


def register(world, catalog, actor, **overrides):
    kwargs = {
        "actor": actor,
        "entity": world["eps"],
        "patient": world["patient"],
        "ruling_number": "05001-3103-001-2026-00045",
        "ruling_date": RULING_DATE,
        "first_instance_date": datetime.date(2026, 2, 20),
        "ruling_clarification": "Tratamiento integral.",
        "medical_justification": "Paciente con incontinencia urinaria crónica.",
        "diagnosis": catalog["dx"],
        "lines": [medicine_line(catalog), service_line(catalog)],
    }
    kwargs.update(overrides)
    return tutela_register(**kwargs)


def assert_nothing_saved():
    assert not m.Tutela.objects.exists()
    assert not m.TechnologyLine.objects.exists()
    assert not AuditEntry.objects.filter(action="prescriptions.tutela.registered").exists()


# Service and model -----------------------------------------------------------------------


def test_a_tutela_gets_a_number_state_4_and_its_lines_skip_the_junta(
    prescribing, catalog, recobrante
):
    tutela = register(
        prescribing,
        catalog,
        recobrante,
        professional_document_type="CC",
        professional_document_number=prescribing["medico"].document_number,
    )
    assert len(tutela.number) == 20 and tutela.number.isdigit()
    assert tutela.status == 4 and tutela.get_status_display() == "Activa"
    assert tutela.entity == prescribing["eps"] and tutela.payer_code == prescribing["code"]
    assert tutela.recorded_by == recobrante
    assert tutela.professional_registration == f"RM-{prescribing['medico'].document_number}"
    lines = {line.key: line for line in tutela.lines.all()}
    assert set(lines) == {"M1", "S1"}
    assert all(line.prescription is None for line in lines.values())
    assert lines["S1"].junta_status == 1  # a judge ordered it: no Junta
    assert lines["M1"].ingredients.get().ingredient == catalog["dci"]
    assert str(lines["S1"]) == f"{tutela.number} S1"
    entry = AuditEntry.objects.get(action="prescriptions.tutela.registered")
    assert entry.entity == prescribing["eps"] and entry.data["number"] == tutela.number
    assert list(junta_line_list_pending(entity=prescribing["eps"])) == []


def test_tutelas_and_prescriptions_never_share_a_number(prescribing, catalog, recobrante):
    prescription = issue(prescribing, catalog)
    tutela = register(prescribing, catalog, recobrante)
    assert tutela.number != prescription.number
    assert {tutela.number[:8], prescription.number[:8]} == {timezone.localdate().strftime("%Y%m%d")}


def test_a_line_belongs_to_exactly_one_prescription_or_tutela(prescribing, catalog, recobrante):
    prescription = issue(prescribing, catalog)
    tutela = register(prescribing, catalog, recobrante)
    line = prescription.lines.get(technology_type="M")
    for owner in ({"prescription": None, "tutela": None}, {"tutela": tutela}):
        with pytest.raises(IntegrityError), transaction.atomic():
            m.TechnologyLine.objects.filter(pk=line.pk).update(**owner)


def test_a_tutela_line_cannot_wait_for_the_junta(prescribing, catalog, recobrante):
    tutela = register(prescribing, catalog, recobrante)
    with pytest.raises(IntegrityError), transaction.atomic():
        tutela.lines.filter(technology_type="S").update(junta_status=2)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ruling_number": " "}, "ruling_number"),
        ({"ruling_date": timezone.localdate() + datetime.timedelta(days=1)}, "ruling_date"),
        ({"court_date": timezone.localdate() + datetime.timedelta(days=1)}, "court_date"),
        ({"contempt_date": datetime.date(2026, 1, 1)}, "contempt_date"),
        ({"medical_justification": ""}, "medical_justification"),
        (
            {"professional_document_type": "CC", "professional_document_number": "70000001"},
            "professional_document_number",
        ),
        ({"professional_document_number": "70000001"}, "professional_document_number"),
        ({"lines": []}, None),
    ],
)
def test_bad_input_is_refused(prescribing, catalog, recobrante, overrides, field):
    with pytest.raises(DomainError) as refused:
        register(prescribing, catalog, recobrante, **overrides)
    assert refused.value.field == field
    assert_nothing_saved()


def test_only_the_patients_payer_registers_the_tutela(prescribing, catalog):
    other_eps = EntityFactory(entity_type="EPS")
    PayerCodeFactory(entity=other_eps)
    user = UserFactory()
    grant(user, other_eps, "recobrante")
    with pytest.raises(DomainError) as refused:
        register(prescribing, catalog, user, entity=other_eps)
    assert refused.value.code == "other_payer"
    assert_nothing_saved()


@pytest.mark.parametrize("role", ["transcriptor", "delegado", "anulador"])
def test_only_the_recobrante_registers(prescribing, catalog, role):
    user = UserFactory()
    grant(user, prescribing["eps"], role)
    with pytest.raises(PermissionDenied):
        register(prescribing, catalog, user)
    assert_nothing_saved()


def test_status_transitions():
    tutela = m.Tutela(status=m.TutelaStatus.ACTIVA)
    assert tutela.can_transition(m.TutelaStatus.ANULADA)
    tutela.status = m.TutelaStatus.ANULADA
    assert not tutela.can_transition(m.TutelaStatus.ACTIVA)


# Views -----------------------------------------------------------------------------------


def url(name, entity, *args):
    return reverse(f"prescriptions:{name}", args=[entity.external_id, *args])


def form_data(world, **overrides) -> dict:
    data = {
        "patient_document_type": "CC",
        "patient_document_number": world["patient"].document_number,
        "ruling_number": "2026-00045",
        "ruling_date": RULING_DATE.isoformat(),
        "first_instance_date": "",
        "second_instance_date": "",
        "court_date": "",
        "contempt_date": "",
        "ruling_clarification": "",
        "medical_justification": "Ordenado por el juez.",
        "professional_document_type": "",
        "professional_document_number": "",
        "diagnosis": "E119",
        "related_diagnosis_1": "",
        "related_diagnosis_2": "",
        "orphan_disease": "",
        "lineS-0-complementary_service": "139",
        "lineS-0-supply_type": "1",
        "lineS-0-total_quantity": "30",
        "lineS-0-justification": "Orden judicial.",
    }
    for letter in "MPDNS":
        data.update({f"line{letter}-TOTAL_FORMS": "0", f"line{letter}-INITIAL_FORMS": "0"})
    data["lineS-TOTAL_FORMS"] = "1"
    data.update(overrides)
    return data


@pytest.mark.parametrize("name", ["tutela_list", "tutela_create"])
def test_views_require_login_hide_other_entities_and_need_the_permission(client, prescribing, name):
    target = url(name, prescribing["eps"])
    response = client.get(target)
    assert response.status_code == 302 and "/cuentas/ingresar/" in response["Location"]
    outsider = UserFactory()
    grant(outsider, EntityFactory(entity_type="EPS"), "recobrante")
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    member = UserFactory()
    grant(member, prescribing["eps"], "transcriptor")
    client.force_login(member)
    assert client.get(target).status_code == 403


def test_the_recobrante_registers_lists_and_reads_a_tutela(client, prescribing, recobrante):
    client.force_login(recobrante)
    response = client.post(
        url("tutela_create", prescribing["eps"]), form_data(prescribing), follow=True
    )
    tutela = m.Tutela.objects.get()
    assert response.redirect_chain[-1][0] == url(
        "tutela_detail", prescribing["eps"], tutela.external_id
    )
    assert tutela.number in response.text and "2026-00045" in response.text
    assert "Pañales" in response.text and "Activa" in response.text
    listing = client.get(url("tutela_list", prescribing["eps"]), {"numero": "2026-00045"})
    assert tutela.number in listing.text
    listing = client.get(url("tutela_list", prescribing["eps"]), {"documento": "1"})
    assert tutela.number not in listing.text


def test_a_patient_not_registered_is_shown_beside_the_field(client, prescribing, recobrante):
    client.force_login(recobrante)
    data = form_data(prescribing, patient_document_number="11111111")
    response = client.post(url("tutela_create", prescribing["eps"]), data)
    assert response.status_code == 200
    assert "No hay un paciente registrado con el documento CC 11111111" in response.text
    assert_nothing_saved()


def test_another_eps_cannot_read_the_tutela(client, prescribing, catalog, recobrante):
    tutela = register(prescribing, catalog, recobrante)
    other_eps = EntityFactory(entity_type="EPS")
    other = UserFactory()
    grant(other, other_eps, "recobrante")
    client.force_login(other)
    assert client.get(url("tutela_detail", other_eps, tutela.external_id)).status_code == 404
    assert tutela.number not in client.get(url("tutela_list", other_eps)).text


# Annulment -------------------------------------------------------------------------------


def test_the_recobrante_annuls_a_tutela_with_a_reason(prescribing, catalog, recobrante):
    tutela = register(prescribing, catalog, recobrante)
    tutela_annul(actor=recobrante, entity=prescribing["eps"], tutela=tutela, reason="Duplicada")
    tutela.refresh_from_db()
    assert tutela.status == m.TutelaStatus.ANULADA and tutela.annulment_reason == "Duplicada"
    entry = AuditEntry.objects.get(action="prescriptions.tutela.annulled")
    assert entry.data["reason"] == "Duplicada" and entry.entity == prescribing["eps"]
    assert tutela.lines.count() == 2  # the tutela and its lines stay


@pytest.mark.parametrize(
    ("reason", "annul_first", "message"),
    [("", False, "motivo"), ("Error", True, "ya está anulada")],
)
def test_tutela_annulment_refusals_change_nothing(
    prescribing, catalog, recobrante, reason, annul_first, message
):
    tutela = register(prescribing, catalog, recobrante)
    if annul_first:
        tutela_annul(actor=recobrante, entity=prescribing["eps"], tutela=tutela, reason="Uno")
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError, match=message):
        tutela_annul(actor=recobrante, entity=prescribing["eps"], tutela=tutela, reason=reason)
    assert AuditEntry.objects.count() == before


def test_only_the_recobrante_annuls_a_tutela(prescribing, catalog, recobrante):
    tutela = register(prescribing, catalog, recobrante)
    transcriptor = UserFactory()
    grant(transcriptor, prescribing["eps"], "transcriptor")
    with pytest.raises(PermissionDenied):
        tutela_annul(actor=transcriptor, entity=prescribing["eps"], tutela=tutela, reason="X")
    tutela.refresh_from_db()
    assert tutela.status == m.TutelaStatus.ACTIVA


def test_the_annulment_page_needs_a_reason_and_scopes(client, prescribing, catalog, recobrante):
    tutela = register(prescribing, catalog, recobrante)
    target = url("tutela_annul", prescribing["eps"], tutela.external_id)
    assert client.get(target).status_code == 302
    outsider = UserFactory()
    other_eps = EntityFactory(entity_type="EPS")
    grant(outsider, other_eps, "recobrante")
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    # Another EPS's Recobrante cannot reach this tutela through its own entity either.
    own_url = url("tutela_annul", other_eps, tutela.external_id)
    assert client.post(own_url, {"reason": "X"}).status_code == 404
    client.force_login(recobrante)
    page = client.post(target, {"reason": ""})
    assert "Indique el motivo de la anulación." in page.content.decode()
    response = client.post(target, {"reason": "Registrada dos veces"})
    assert response.status_code == 302
    tutela.refresh_from_db()
    assert tutela.status == m.TutelaStatus.ANULADA
    detail = client.get(url("tutela_detail", prescribing["eps"], tutela.external_id))
    assert "Registrada dos veces" in detail.content.decode()
