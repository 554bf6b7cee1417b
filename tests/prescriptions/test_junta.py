"""Junta de Profesionales: `junta_decide`, the worklist selector and the views."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from entities.models import AuditEntry
from mipres.lib.errors import DomainError
from prescriptions.models import JuntaDecision, TechnologyLine
from prescriptions.selectors.junta import junta_line_get_pending, junta_line_list_pending
from prescriptions.services.junta import junta_decide
from prescriptions.services.novelties import prescription_annul
from prescriptions.services.prescribing import prescription_issue

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, grant
from .conftest import medicine_line, service_line

pytestmark = pytest.mark.django_db


def issue(world, catalog, *, entity=None, lines=None):
    return prescription_issue(
        actor=world["medico"],
        entity=entity or world["ips"],
        patient=world["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=lines or [medicine_line(catalog), service_line(catalog)],
    )


def act(**overrides) -> dict:
    data = {
        "result": 3,
        "modality": 1,
        "act_number": "JP-2026-014",
        "act_date": timezone.localdate(),
        "technical_justification": "Cumple los criterios de la junta para pañales.",
        "observations": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def junta(prescribing):
    user = UserFactory()
    grant(user, prescribing["ips"], "junta")
    return user


@pytest.fixture
def pending(prescribing, catalog):
    """The complementary service (S1) of a fresh prescription: EstJM 2."""
    return issue(prescribing, catalog).lines.get(technology_type="S")


# Service ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("result", "label"), [(3, "aprobada"), (4, "no fue aprobada")])
def test_decision_sets_estjm_records_the_act_and_audits(prescribing, junta, pending, result, label):
    decision = junta_decide(
        actor=junta, entity=prescribing["ips"], line=pending, **act(result=result, modality=2)
    )
    pending.refresh_from_db()
    assert pending.junta_status == result
    assert label in pending.get_junta_status_display()
    assert decision.line == pending and decision.entity == prescribing["ips"]
    assert (decision.result, decision.modality, decision.act_number) == (result, 2, "JP-2026-014")
    assert decision.decided_by == junta and decision.decided_at is not None
    entry = AuditEntry.objects.get(action="prescriptions.line.junta_decided")
    assert entry.actor == junta and entry.entity == prescribing["ips"]
    assert entry.object_id == str(pending.prescription_id)
    assert entry.data["line"] == "S1" and entry.data["result"] == result


@pytest.mark.parametrize(("source", "allowed"), [(1, False), (2, True), (3, False), (4, False)])
def test_only_a_pending_line_is_decided(prescribing, junta, pending, source, allowed):
    TechnologyLine.objects.filter(pk=pending.pk).update(junta_status=source)
    pending.refresh_from_db()
    if allowed:
        junta_decide(actor=junta, entity=prescribing["ips"], line=pending, **act(result=4))
        pending.refresh_from_db()
        assert pending.junta_status == 4
        assert JuntaDecision.objects.count() == 1
        return
    with pytest.raises(DomainError) as refused:
        junta_decide(actor=junta, entity=prescribing["ips"], line=pending, **act())
    assert refused.value.code == "decided"
    assert "no está pendiente de junta" in str(refused.value)
    pending.refresh_from_db()
    assert pending.junta_status == source
    assert not JuntaDecision.objects.exists()
    assert not AuditEntry.objects.filter(action="prescriptions.line.junta_decided").exists()


def test_an_annulled_prescriptions_lines_are_not_decided(prescribing, junta, pending):
    anulador = UserFactory()
    grant(anulador, prescribing["ips"], "anulador")
    prescription_annul(
        actor=anulador,
        entity=prescribing["ips"],
        prescription=pending.prescription,
        reason="Error de digitación",
    )
    with pytest.raises(DomainError) as refused:
        junta_decide(actor=junta, entity=prescribing["ips"], line=pending, **act())
    assert refused.value.code == "annulled" and "anulada" in str(refused.value)
    pending.refresh_from_db()
    assert pending.junta_status == 2 and not JuntaDecision.objects.exists()


@pytest.mark.parametrize("role", ["prescriptor", "anulador", "admision", "delegado"])
def test_someone_without_the_junta_role_is_denied(prescribing, pending, role):
    user = UserFactory()
    grant(user, prescribing["ips"], role)
    with pytest.raises(PermissionDenied):
        junta_decide(actor=user, entity=prescribing["ips"], line=pending, **act())
    pending.refresh_from_db()
    assert pending.junta_status == 2 and not JuntaDecision.objects.exists()


def test_the_junta_of_another_entity_cannot_decide(prescribing, pending):
    other_ips = EntityFactory(entity_type="IPS")
    member = UserFactory()
    grant(member, other_ips, "junta")
    with pytest.raises(DomainError) as refused:
        junta_decide(actor=member, entity=other_ips, line=pending, **act())
    assert refused.value.code == "other_entity"
    assert "no es de su entidad" in str(refused.value)
    pending.refresh_from_db()
    assert pending.junta_status == 2 and not JuntaDecision.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"act_date": timezone.localdate() + datetime.timedelta(days=1)}, "act_date"),
        ({"technical_justification": "   "}, "technical_justification"),
        ({"act_number": ""}, "act_number"),
        ({"modality": 3}, "modality"),
        ({"result": 2}, "result"),
        ({"result": 1}, "result"),
    ],
)
def test_an_incomplete_act_is_refused(prescribing, junta, pending, overrides, field):
    with pytest.raises(DomainError) as refused:
        junta_decide(actor=junta, entity=prescribing["ips"], line=pending, **act(**overrides))
    assert refused.value.field == field
    pending.refresh_from_db()
    assert pending.junta_status == 2 and not JuntaDecision.objects.exists()


def test_an_eps_junta_decides_for_its_independent_professionals(prescribing, catalog):
    eps = prescribing["eps"]
    grant(prescribing["medico"], eps, "prescriptor")
    line = issue(prescribing, catalog, entity=eps).lines.get(technology_type="S")
    eps_junta, ips_junta = UserFactory(), UserFactory()
    grant(eps_junta, eps, "junta")
    grant(ips_junta, prescribing["ips"], "junta")
    assert list(junta_line_list_pending(entity=prescribing["ips"])) == []
    with pytest.raises(DomainError):
        junta_decide(actor=ips_junta, entity=prescribing["ips"], line=line, **act())
    junta_decide(actor=eps_junta, entity=eps, line=line, **act())
    line.refresh_from_db()
    assert line.junta_status == 3


# Selector --------------------------------------------------------------------------------


def test_the_worklist_holds_the_entitys_pending_lines_of_active_prescriptions(
    prescribing, catalog, junta
):
    first = issue(prescribing, catalog)
    second = issue(prescribing, catalog, lines=[medicine_line(catalog)])  # nothing pending
    third = issue(prescribing, catalog, lines=[service_line(catalog)])
    anulador = UserFactory()
    grant(anulador, prescribing["ips"], "anulador")
    prescription_annul(actor=anulador, entity=prescribing["ips"], prescription=third, reason="x")
    lines = list(junta_line_list_pending(entity=prescribing["ips"]))
    assert [(line.prescription, line.key) for line in lines] == [(first, "S1")]
    assert second.lines.get().junta_status == 1
    assert list(junta_line_list_pending(entity=EntityFactory(entity_type="IPS"))) == []


@pytest.mark.parametrize("key", ["S1", "M1", "S2", "X1", "S", "1", "S1a"])
def test_get_pending_answers_404_unless_the_key_names_a_pending_line(prescribing, pending, key):
    from django.http import Http404

    kwargs = {
        "entity": prescribing["ips"],
        "prescription_id": pending.prescription.external_id,
        "line_key": key,
    }
    if key == "S1":
        assert junta_line_get_pending(**kwargs) == pending
        return
    with pytest.raises(Http404):
        junta_line_get_pending(**kwargs)


# Views -----------------------------------------------------------------------------------


def worklist_url(entity):
    return reverse("prescriptions:junta_worklist", args=[entity.external_id])


def decide_url(entity, line):
    return reverse(
        "prescriptions:junta_decide",
        args=[entity.external_id, line.prescription.external_id, line.key],
    )


def login(client, user):
    client.force_login(user)


def form_data(**overrides):
    data = act(**overrides)
    data["act_date"] = data["act_date"].isoformat()
    return data


@pytest.mark.parametrize("name", ["worklist", "decisions", "decide"])
def test_views_require_login_hide_other_entities_and_need_the_permission(
    client, prescribing, pending, name
):
    ips = prescribing["ips"]
    urls = {
        "worklist": worklist_url(ips),
        "decisions": reverse("prescriptions:junta_decisions", args=[ips.external_id]),
        "decide": decide_url(ips, pending),
    }
    url = urls[name]
    response = client.get(url)
    assert response.status_code == 302 and "/cuentas/ingresar/" in response["Location"]
    outsider = UserFactory()
    grant(outsider, EntityFactory(entity_type="IPS"), "junta")
    login(client, outsider)
    assert client.get(url).status_code == 404
    login(client, prescribing["medico"])  # a member of the IPS, without the Junta role
    assert client.get(url).status_code == 403


def test_the_member_decides_from_the_worklist(client, prescribing, junta, pending):
    login(client, junta)
    response = client.get(worklist_url(prescribing["ips"]))
    assert response.status_code == 200
    assert pending.prescription.number in response.text and "Pañales" in response.text
    assert decide_url(prescribing["ips"], pending) in response.text
    response = client.get(decide_url(prescribing["ips"], pending))
    assert response.status_code == 200 and "Incontinencia urinaria" in response.text
    response = client.post(decide_url(prescribing["ips"], pending), form_data(), follow=True)
    assert response.redirect_chain
    assert "EstJM 3" in response.text
    pending.refresh_from_db()
    assert pending.junta_status == 3
    # Decided: it leaves the worklist, and its page answers 404.
    assert pending.prescription.number not in client.get(worklist_url(prescribing["ips"])).text
    assert client.get(decide_url(prescribing["ips"], pending)).status_code == 404


def test_an_error_shows_beside_its_field_and_changes_nothing(client, prescribing, junta, pending):
    login(client, junta)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        decide_url(prescribing["ips"], pending),
        form_data(act_date=tomorrow, technical_justification=""),
    )
    assert response.status_code == 200
    assert "La fecha no puede ser posterior a hoy." in response.text
    assert "La justificación técnica es obligatoria." in response.text
    pending.refresh_from_db()
    assert pending.junta_status == 2 and not JuntaDecision.objects.exists()


def test_another_entitys_line_answers_404(client, prescribing, pending):
    other_ips = EntityFactory(entity_type="IPS")
    member = UserFactory()
    grant(member, other_ips, "junta")
    login(client, member)
    # Its own entity in the URL, the other IPS's prescription: not found.
    response = client.post(decide_url(other_ips, pending), form_data())
    assert response.status_code == 404
    # The other IPS in the URL: the member has no role there.
    assert client.post(decide_url(prescribing["ips"], pending), form_data()).status_code == 404
    pending.refresh_from_db()
    assert pending.junta_status == 2 and not JuntaDecision.objects.exists()


def test_the_worklist_costs_the_same_queries_for_one_or_many_rows(
    client, prescribing, catalog, junta
):
    login(client, junta)
    issue(prescribing, catalog)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(worklist_url(prescribing["ips"])).status_code == 200
        return len(queries)

    one = count()
    for _ in range(4):
        issue(prescribing, catalog)
    assert count() == one


def test_an_act_dated_before_the_prescription_is_refused_beside_the_date(
    client, prescribing, junta, pending
):
    prescription = pending.prescription
    prescription.prescribed_at = timezone.now() - datetime.timedelta(days=3)
    prescription.save(update_fields=["prescribed_at"])
    prescribed = timezone.localdate(prescription.prescribed_at)
    with pytest.raises(DomainError) as refused:
        junta_decide(
            actor=junta,
            entity=prescribing["ips"],
            line=pending,
            **act(act_date=prescribed - datetime.timedelta(days=1)),
        )
    assert refused.value.field == "act_date"
    assert "no puede ser anterior a la de la prescripción" in str(refused.value)
    login(client, junta)
    response = client.post(
        decide_url(prescribing["ips"], pending),
        form_data(act_date=prescribed - datetime.timedelta(days=1)),
    )
    assert response.status_code == 200
    assert "no puede ser anterior a la de la prescripción" in response.text
    pending.refresh_from_db()
    assert pending.junta_status == 2 and not JuntaDecision.objects.exists()
    # The prescription's own day is accepted.
    junta_decide(actor=junta, entity=prescribing["ips"], line=pending, **act(act_date=prescribed))
    pending.refresh_from_db()
    assert pending.junta_status == 3
