"""Issue 17 item 5: where a document is in RETHUS, PASO 1 and PASO 2 compare the names
(without accents or case, tolerant of a missing second name or surname) and refuse a
mismatch, pointing to the support desk; the delegate's activation screen shows the RETHUS
name beside the registered one."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.registries.names import names_match
from entities.models import AuditEntry

from .factories import ProfessionalRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


def _name(first, middle, surname, second):
    return SimpleNamespace(
        first_name=first, middle_name=middle, first_surname=surname, second_surname=second
    )


RETHUS = _name("María", "José", "Gómez", "Peña")


@pytest.mark.parametrize(
    "typed",
    [
        _name("MARIA", "JOSE", "GOMEZ", "PEÑA"),
        _name("maría", "", "gómez", ""),
        _name("María José", "", "Gómez Peña", ""),
        _name("Maria", "Jose", "Gomez", ""),
    ],
)
def test_the_same_person_written_differently_matches(typed):
    assert names_match(typed, RETHUS)


@pytest.mark.parametrize(
    "typed",
    [
        _name("Mario", "José", "Gómez", "Peña"),
        _name("María", "José", "Pérez", "Peña"),
        _name("José", "", "Gómez", "Peña"),
        _name("María", "Luisa", "Gómez", "Peña"),
    ],
)
def test_another_name_does_not_match(typed):
    assert not names_match(typed, RETHUS)


def _paso1(client, **overrides):
    data = {
        "document_type": "CC",
        "document_number": "79555111",
        "first_name": "Maria",
        "middle_name": "",
        "first_surname": "GOMEZ",
        "second_surname": "",
        "birth_date": "1985-04-12",
        "email": "maria@example.org",
        "email_confirmation": "maria@example.org",
        "phone": "3001234567",
    }
    data.update(overrides)
    return client.post(reverse("accounts:person_register"), data)


@pytest.fixture
def in_rethus():
    return ProfessionalRecordFactory(
        document_number="79555111",
        first_name="María",
        middle_name="José",
        first_surname="Gómez",
        second_surname="Peña",
    )


def test_paso1_refuses_a_name_that_is_not_rethus_s(client, in_rethus):
    response = _paso1(client, first_name="Pedro", first_surname="Suárez")
    assert response.status_code == 200
    error = response.context["form"].errors["first_name"][0]
    assert "no coinciden con los que RETHUS" in error and "mesa de ayuda" in error
    assert not User.objects.exists()


def test_paso1_accepts_rethus_s_name_without_accents_or_second_names(client, in_rethus):
    response = _paso1(client)
    assert response.status_code == 200
    assert User.objects.get().first_name == "Maria"


def test_paso1_of_a_document_outside_rethus_compares_nothing(client):
    _paso1(client, first_name="Pedro", first_surname="Suárez")
    assert User.objects.filter(first_name="Pedro").exists()


def test_paso2_refuses_a_person_whose_name_is_not_rethus_s(client, in_rethus, on_commit):
    User.objects.create_user(
        "CC", "79555111", first_name="Pedro", first_surname="Suárez", email="p@example.org"
    )
    with on_commit():
        response = client.post(
            reverse("accounts:credentials_request"),
            {"kind": "profesional", "document_type": "CC", "document_number": "79555111"},
        )
    error = response.context["form"].errors["document_number"][0]
    assert "no coinciden con los que RETHUS" in error
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="accounts.credentials.requested").exists()


def test_the_activation_screen_shows_the_rethus_name_beside_the_registered_one(
    client, ips, owner, in_rethus
):
    UserFactory(document_number="79555111", first_name="Pedro", first_surname="Suárez")
    client.force_login(owner)
    url = reverse("accounts:module_activate", args=[ips.external_id])
    page = client.post(
        url, {"document_type": "CC", "document_number": "79555111", "action": "buscar"}
    ).content.decode()
    assert "Pedro Suárez" in page
    assert "Nombre en RETHUS" in page and "María José Gómez Peña" in page
    assert "no coincide con el de RETHUS" in page
