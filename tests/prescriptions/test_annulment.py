"""Anulación: `prescription_annul`, the supply hook, the search and the confirmation page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from entities.models import AuditEntry
from mipres.lib.errors import DomainError
from prescriptions.models import Novelty, Prescription
from prescriptions.services.novelties import (
    annulment_blockers,
    prescription_annul,
)

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, grant
from .test_junta import issue

pytestmark = pytest.mark.django_db

REASON = "Se prescribió al paciente equivocado."


@pytest.fixture
def anulador(prescribing):
    user = UserFactory()
    grant(user, prescribing["ips"], "anulador")
    return user


@pytest.fixture
def prescription(prescribing, catalog):
    return issue(prescribing, catalog)


def assert_unchanged(prescription):
    prescription.refresh_from_db()
    assert prescription.status == 4
    assert prescription.annulled_at is None and prescription.annulment_reason == ""
    assert not Novelty.objects.filter(novelty_type=2).exists()
    assert not AuditEntry.objects.filter(action="prescriptions.prescription.annulled").exists()


# Service ---------------------------------------------------------------------------------


def test_annulment_keeps_the_prescription_in_state_2_with_a_novelty_and_an_audit_entry(
    prescribing, anulador, prescription
):
    result = prescription_annul(
        actor=anulador, entity=prescribing["ips"], prescription=prescription, reason=f"  {REASON} "
    )
    prescription.refresh_from_db()
    assert result == prescription
    assert prescription.status == 2 and prescription.get_status_display() == "Anulada"
    assert prescription.annulled_at is not None and prescription.annulment_reason == REASON
    assert prescription.lines.count() == 2  # nothing is deleted
    novelty = Novelty.objects.get()
    assert novelty.novelty_type == 2 and novelty.prescription == prescription
    assert novelty.original_number == novelty.resulting_number == prescription.number
    assert novelty.actor == anulador and novelty.reason == REASON
    entry = AuditEntry.objects.get(action="prescriptions.prescription.annulled")
    assert entry.actor == anulador and entry.entity == prescribing["ips"]
    assert entry.object_id == str(prescription.pk) and entry.data["reason"] == REASON


@pytest.mark.parametrize(("source", "allowed"), [(4, True), (2, False)])
def test_only_an_active_prescription_is_annulled(
    prescribing, anulador, prescription, source, allowed
):
    if source == 2:
        prescription_annul(
            actor=anulador, entity=prescribing["ips"], prescription=prescription, reason="Primera"
        )
    if allowed:
        prescription_annul(
            actor=anulador, entity=prescribing["ips"], prescription=prescription, reason=REASON
        )
        prescription.refresh_from_db()
        assert prescription.status == 2
        return
    with pytest.raises(DomainError) as refused:
        prescription_annul(
            actor=anulador, entity=prescribing["ips"], prescription=prescription, reason=REASON
        )
    assert refused.value.code == "already_annulled"
    assert f"La prescripción {prescription.number} ya está anulada" in str(refused.value)
    prescription.refresh_from_db()
    assert prescription.annulment_reason == "Primera"
    assert Novelty.objects.count() == 1
    assert AuditEntry.objects.filter(action="prescriptions.prescription.annulled").count() == 1


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_mandatory(prescribing, anulador, prescription, reason):
    with pytest.raises(DomainError) as refused:
        prescription_annul(
            actor=anulador, entity=prescribing["ips"], prescription=prescription, reason=reason
        )
    assert refused.value.field == "reason"
    assert str(refused.value) == "Indique el motivo de la anulación."
    assert_unchanged(prescription)


@pytest.mark.parametrize("role", ["prescriptor", "junta", "admision", "delegado"])
def test_only_the_anulador_annuls(prescribing, prescription, role):
    """Decision (docs/junta-novedades.md): the prescriber does not annul their own either."""
    user = prescribing["medico"] if role == "prescriptor" else UserFactory()
    if role != "prescriptor":
        grant(user, prescribing["ips"], role)
    with pytest.raises(PermissionDenied):
        prescription_annul(
            actor=user, entity=prescribing["ips"], prescription=prescription, reason=REASON
        )
    assert_unchanged(prescription)


def test_the_anulador_of_another_entity_cannot_annul(prescribing, prescription):
    other_ips = EntityFactory(entity_type="IPS")
    user = UserFactory()
    grant(user, other_ips, "anulador")
    with pytest.raises(DomainError) as refused:
        prescription_annul(actor=user, entity=other_ips, prescription=prescription, reason=REASON)
    assert refused.value.code == "other_entity"
    assert_unchanged(prescription)


def test_the_supply_hook_finds_nothing_without_supply(prescription):
    assert annulment_blockers(prescription) == []


def _deliverable(prescribing, line, number=1):
    from supply.models import Deliverable

    return Deliverable.objects.create(
        line=line,
        prescription=line.prescription,
        delivery_number=number,
        payer=prescribing["eps"],
    )


def _direccionamiento(prescribing, line, status):
    from supply.models import Direccionamiento

    return Direccionamiento.objects.create(
        deliverable=_deliverable(prescribing, line),
        entity=prescribing["eps"],
        provider=EntityFactory(entity_type="IPS"),
        municipality=prescribing["patient"].municipality,
        max_delivery_date=datetime.date.today(),
        quantity=line.total_quantity,
        patient_address="Calle 1 # 2-3",
        technology_code="19943546-01",
        status=status,
        annulled_at=timezone.now() if status == 0 else None,
    )


def _entrega_en_ambito(prescribing, line, status):
    from supply.models import Entrega

    return Entrega.objects.create(
        deliverable=_deliverable(prescribing, line, number=2),
        entity=prescribing["ips"],
        in_ambito=True,
        technology_code="19943546-01",
        quantity=line.total_quantity,
        total=True,
        delivered_on=datetime.date.today(),
        receiver_document_type="CC",
        receiver_document_number="43000111",
        status=status,
        annulled_at=timezone.now() if status == 0 else None,
    )


@pytest.mark.parametrize(
    ("step", "status", "described"),
    [
        (_direccionamiento, 1, "M1: direccionamiento activo (entrega 1)"),
        (_direccionamiento, 2, "M1: direccionamiento procesado (entrega 1)"),
        (_entrega_en_ambito, 1, "M1: entrega en ámbito activa (entrega 2)"),
        (_entrega_en_ambito, 2, "M1: entrega en ámbito procesada (entrega 2)"),
    ],
)
def test_supply_in_force_blocks_the_annulment_in_the_service_and_on_the_page(
    client, prescribing, anulador, prescription, step, status, described
):
    step(prescribing, prescription.lines.get(technology_type="M"), status)
    with pytest.raises(DomainError) as refused:
        prescription_annul(
            actor=anulador, entity=prescribing["ips"], prescription=prescription, reason=REASON
        )
    assert refused.value.code == "supply_in_force"
    assert described in str(refused.value)
    assert_unchanged(prescription)
    client.force_login(anulador)
    url = confirm_url(prescribing["ips"], prescription)
    page = client.get(url)
    assert "No se puede anular" in page.text and described in page.text
    assert 'name="reason"' not in page.text
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 200 and described in response.text
    assert_unchanged(prescription)


@pytest.mark.parametrize("step", [_direccionamiento, _entrega_en_ambito])
def test_annulled_supply_records_do_not_block(prescribing, anulador, prescription, step):
    step(prescribing, prescription.lines.get(technology_type="M"), 0)
    assert annulment_blockers(prescription) == []
    prescription_annul(
        actor=anulador, entity=prescribing["ips"], prescription=prescription, reason=REASON
    )
    prescription.refresh_from_db()
    assert prescription.status == 2


# Views -----------------------------------------------------------------------------------


def search_url(entity):
    return reverse("prescriptions:annul_search", args=[entity.external_id])


def confirm_url(entity, prescription):
    return reverse(
        "prescriptions:annul_confirm", args=[entity.external_id, prescription.external_id]
    )


@pytest.mark.parametrize("name", ["search", "confirm"])
def test_views_require_login_hide_other_entities_and_need_the_permission(
    client, prescribing, prescription, name
):
    ips = prescribing["ips"]
    url = search_url(ips) if name == "search" else confirm_url(ips, prescription)
    response = client.get(url)
    assert response.status_code == 302 and "/cuentas/ingresar/" in response["Location"]
    outsider = UserFactory()
    grant(outsider, EntityFactory(entity_type="IPS"), "anulador")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(prescribing["medico"])
    assert client.get(url).status_code == 403


def test_the_search_finds_by_number_and_by_patient_document(
    client, prescribing, catalog, anulador, prescription
):
    other = issue(prescribing, catalog)
    client.force_login(anulador)
    response = client.get(search_url(prescribing["ips"]), {"numero": prescription.number})
    assert prescription.number in response.text and other.number not in response.text
    response = client.get(
        search_url(prescribing["ips"]), {"tipo_documento": "CC", "documento": "43.000.111"}
    )
    assert prescription.number in response.text and other.number in response.text
    response = client.get(search_url(prescribing["ips"]), {"documento": "99999999"})
    assert prescription.number not in response.text


def test_the_anulador_annuls_through_the_confirmation_page(
    client, prescribing, anulador, prescription
):
    client.force_login(anulador)
    page = client.get(confirm_url(prescribing["ips"], prescription))
    assert page.status_code == 200
    assert "Motivo de la anulación" in page.text and "S1" in page.text
    response = client.post(
        confirm_url(prescribing["ips"], prescription), {"reason": REASON}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith(f"?numero={prescription.number}")
    assert "quedó anulada" in response.text and "Anulada" in response.text
    prescription.refresh_from_db()
    assert prescription.status == 2


def test_annulling_without_a_reason_shows_the_message_and_changes_nothing(
    client, prescribing, anulador, prescription
):
    client.force_login(anulador)
    response = client.post(confirm_url(prescribing["ips"], prescription), {"reason": "  "})
    assert response.status_code == 200
    assert "Indique el motivo de la anulación." in response.text
    assert_unchanged(prescription)


def test_an_annulled_prescription_cannot_be_annulled_again(
    client, prescribing, anulador, prescription
):
    prescription_annul(
        actor=anulador, entity=prescribing["ips"], prescription=prescription, reason="Primera"
    )
    client.force_login(anulador)
    url = confirm_url(prescribing["ips"], prescription)
    assert "ya está anulada" in client.get(url).text
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 200 and "ya está anulada" in response.text
    assert Novelty.objects.count() == 1
    assert Prescription.objects.get(pk=prescription.pk).annulment_reason == "Primera"


def test_another_entitys_prescription_answers_404(client, prescribing, prescription):
    other_ips = EntityFactory(entity_type="IPS")
    user = UserFactory()
    grant(user, other_ips, "anulador")
    client.force_login(user)
    assert client.post(confirm_url(other_ips, prescription), {"reason": REASON}).status_code == 404
    assert prescription.number not in client.get(search_url(other_ips)).text
    assert_unchanged(prescription)
