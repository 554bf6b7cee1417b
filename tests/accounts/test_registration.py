import re

import pytest
from django.core import mail
from django.urls import reverse
from stdnum.co import nit as stdnum_nit

from accounts.models import ProfessionalRecord, ProviderRegistryRecord, User
from entities import services as entity_services
from entities.models import AuditEntry, Entity, Membership, Municipality

from ..entities.factories import EntityFactory, grant
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    """The path of the first link of the site in an email."""
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def rethus_record(user_or_doc, profession="medicina", active=True):
    document_type, number = (
        (user_or_doc.document_type, user_or_doc.document_number)
        if isinstance(user_or_doc, User)
        else user_or_doc
    )
    # RETHUS has the person's own name (PASO 1 and PASO 2 compare them).
    named = user_or_doc if isinstance(user_or_doc, User) else None
    return ProfessionalRecord.objects.create(
        document_type=document_type,
        document_number=number,
        first_name=named.first_name if named else "Pro",
        first_surname=named.first_surname if named else "Fesional",
        profession=profession,
        registration_number="RM-1",
        active=active,
        source="test",
    )


def _person(**overrides):
    data = {
        "document_type": "CC",
        "document_number": "79000111",
        "first_name": "Camilo",
        "middle_name": "",
        "first_surname": "Pardo",
        "second_surname": "Lozano",
        "birth_date": "1985-04-12",
        "email": "camilo@example.org",
        "email_confirmation": "camilo@example.org",
        "phone": "3001234567",
    }
    data.update(overrides)
    return data


# --- PASO 1 ---------------------------------------------------------------------------


def test_paso1_registers_a_person_without_a_usable_password(client):
    response = client.post(reverse("accounts:person_register"), _person())
    assert response.status_code == 200
    assert "Registro exitoso" in response.content.decode()
    person = User.objects.get(username="CC 79000111")
    assert not person.has_usable_password()
    assert str(person.birth_date) == "1985-04-12"
    assert AuditEntry.objects.filter(action="accounts.user.registered").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email_confirmation": "otro@example.org"}, "email_confirmation", "no coinciden"),
        ({"birth_date": "2999-01-01"}, "birth_date", "no puede ser futura"),
        ({"document_number": "12.345"}, "document_number", "sin puntos ni espacios"),
        ({"first_name": ""}, "first_name", "obligatorio"),
    ],
)
def test_paso1_bad_input_is_shown_beside_the_field(client, overrides, field, message):
    response = client.post(reverse("accounts:person_register"), _person(**overrides))
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert not User.objects.exists()


def test_paso1_duplicate_document_is_refused(client):
    UserFactory(document_type="CC", document_number="79000111")
    response = client.post(reverse("accounts:person_register"), _person())
    errors = response.context["form"].errors["document_number"]
    assert "Ya existe una persona registrada" in errors[0]
    assert User.objects.filter(document_number="79000111").count() == 1


def test_paso1_is_rate_limited(client, settings, request_credentials):
    from accounts.views import registration

    for _ in range(registration.PUBLIC_FORM_LIMIT):
        client.post(reverse("accounts:person_register"), _person(first_name=""))
    response = client.post(reverse("accounts:person_register"), _person())
    assert response.status_code == 429
    assert not User.objects.exists()


# --- PASO 2 ---------------------------------------------------------------------------


@pytest.fixture
def request_credentials(client, on_commit):
    def post(**data):
        with on_commit():
            return client.post(reverse("accounts:credentials_request"), data)

    return post


def test_paso2_professional_gets_a_one_time_link_and_sets_the_password(client, request_credentials):
    person = User.objects.create_user(
        "CC", "79000222", first_name="Ana", first_surname="Ruiz", email="ana@example.org"
    )
    rethus_record(person)
    response = request_credentials(
        kind="profesional", document_type="CC", document_number="79000222"
    )
    assert "a*****@example.org" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    assert "CC 79000222" in message.body
    assert message.alternatives and "Crear mi contraseña" in message.alternatives[0][0]
    link = _link(message)
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Clave.Nueva.2026", "new_password2": "Clave.Nueva.2026"}
    )
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    person.refresh_from_db()
    assert person.check_password("Clave.Nueva.2026")
    assert AuditEntry.objects.filter(
        action="accounts.credentials.set", object_id=str(person.pk)
    ).exists()
    # The link is used up: it says so and offers a new one.
    page = client.get(link, follow=True).content.decode()
    assert "ya se usó o venció" in page
    assert reverse("accounts:credentials_request") in page


def test_paso2_expired_link_is_refused(client, settings, request_credentials):
    import time_machine
    from django.utils import timezone

    person = User.objects.create_user(
        "CC", "79000223", first_name="Ana", first_surname="Ruiz", email="a@example.org"
    )
    request_credentials(kind="otro", document_type="CC", document_number="79000223")
    link = _link(mail.outbox[0])
    later = timezone.now() + timezone.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        page = client.get(link, follow=True).content.decode()
    assert "ya se usó o venció" in page
    person.refresh_from_db()
    assert not person.has_usable_password()


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (None, "no aparece en RETHUS"),
        ({"active": False}, "está inactivo"),
    ],
)
def test_paso2_professional_must_be_active_in_rethus(client, record, message, request_credentials):
    person = User.objects.create_user(
        "CC", "79000333", first_name="A", first_surname="B", email="x@example.org"
    )
    if record is not None:
        rethus_record(person, **record)
    response = request_credentials(
        kind="profesional", document_type="CC", document_number="79000333"
    )
    errors = response.context["form"].errors["document_number"]
    assert message in errors[0]
    assert mail.outbox == []


def test_paso2_unknown_document_points_to_paso1(client, request_credentials):
    response = request_credentials(kind="otro", document_type="CC", document_number="11111111")
    assert "PASO 1" in response.context["form"].errors["document_number"][0]
    assert mail.outbox == []


def test_paso2_delegate_must_match_the_designated_delegate(client, request_credentials):
    ips = EntityFactory(entity_type="IPS")
    delegate = User.objects.create_user(
        "CC", "79000444", first_name="D", first_surname="E", email="d@example.org"
    )
    entity_services.delegate_designate(actor=None, entity=ips, user=delegate)
    mail.outbox.clear()
    other = User.objects.create_user(
        "CC", "79000445", first_name="O", first_surname="P", email="o@example.org"
    )
    base = {"kind": "delegado", "entity_type": "IPS", "document_type": "CC"}
    response = request_credentials(**base, nit=ips.nit, document_number=other.document_number)
    assert "no corresponde al delegado" in response.context["form"].errors["document_number"][0]
    response = request_credentials(**base, nit="123456789", document_number="79000444")
    assert "No hay una entidad" in response.context["form"].errors["nit"][0]
    response = request_credentials(
        **{**base, "entity_type": "EPS"}, nit=ips.nit, document_number="79000444"
    )
    assert "No hay una entidad" in response.context["form"].errors["nit"][0]
    response = request_credentials(**base, nit="", document_number="79000444")
    assert "El delegado administrativo debe indicarlo" in response.context["form"].errors["nit"][0]
    assert mail.outbox == []
    response = request_credentials(**base, nit=ips.nit_display, document_number="79000444")
    assert response.status_code == 200 and len(mail.outbox) == 1
    assert ips.name in mail.outbox[0].body


def test_paso2_delegate_of_an_unverified_entity_waits(client, request_credentials):
    ips = EntityFactory(entity_type="IPS", status="pending")
    delegate = UserFactory()
    grant(delegate, ips, "delegado")
    response = request_credentials(
        kind="delegado",
        entity_type="IPS",
        nit=ips.nit,
        document_type="CC",
        document_number=delegate.document_number,
    )
    assert "aún no ha sido verificada" in response.context["form"].errors["nit"][0]


# --- Entity registration --------------------------------------------------------------


@pytest.fixture
def legal_and_delegate():
    legal = User.objects.create_user(
        "CC", "71000001", first_name="Rep", first_surname="Legal", email="rep@example.org"
    )
    delegate = User.objects.create_user(
        "CC", "71000002", first_name="Del", first_surname="Egado", email="del@example.org"
    )
    return legal, delegate


def _entity_form(**overrides):
    nit = overrides.pop("nit", "900400301")
    data = {
        "legal_document_type": "CC",
        "legal_document_number": "71000001",
        "entity_type": "IPS",
        "nit": nit,
        "dv": stdnum_nit.calc_check_digit(nit),
        "name": "Clínica Nueva del Pacífico",
        "municipality": "76001",
        "address": "Calle 5 # 1-1",
        "reps_code": "760010000301",
        "delegate_document_type": "CC",
        "delegate_document_number": "71000002",
    }
    data.update(overrides)
    return data


@pytest.fixture
def reps_ips():
    return ProviderRegistryRecord.objects.create(
        habilitation_code="760010000301",
        nit="900400301",
        name="Clínica Nueva del Pacífico",
        municipality=Municipality.objects.get(code="76001"),
        source="test",
    )


def test_the_entity_form_says_the_delegate_registers_first(client):
    content = client.get(reverse("accounts:entity_register")).content.decode()
    assert '<p class="small text-muted">Debe estar registrado como persona natural (PASO 1).' in (
        content
    )


def test_entity_registration_confirmation_verification_and_delegate_invitation(
    client, legal_and_delegate, reps_ips, ministry_admin, on_commit
):
    legal, delegate = legal_and_delegate
    with on_commit():
        response = client.post(reverse("accounts:entity_register"), _entity_form())
    assert response.status_code == 200, response.context["form"].errors
    entity = Entity.objects.get(nit="900400301")
    assert entity.status == "pending" and entity.awaiting_confirmation
    assert entity.legal_representative == legal and entity.pending_delegate == delegate
    assert mail.outbox[0].to == ["rep@example.org"]
    # The Ministry cannot verify before the legal representative confirms.
    from mipres.lib.errors import DomainError

    with pytest.raises(DomainError, match="aún no ha confirmado"):
        entity_services.entity_verify(actor=ministry_admin, entity=entity)
    page = client.get(_link(mail.outbox[0])).content.decode()
    assert "Registro confirmado" in page
    entity.refresh_from_db()
    assert not entity.awaiting_confirmation
    with on_commit():
        entity_services.entity_verify(actor=ministry_admin, entity=entity)
    assert Membership.objects.active().get(entity=entity, role="delegado").user == delegate
    invitation = mail.outbox[-1]
    assert invitation.to == ["del@example.org"]
    assert (
        "PASO 2" in invitation.body and reverse("accounts:credentials_request") in invitation.body
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"dv": "X"}, "dv", None),
        ({"nit": "900400302", "reps_code": "760010000301"}, "nit", "no aparece en REPS"),
        ({"reps_code": "760019999999"}, "reps_code", "no está en REPS"),
        ({"municipality": "99999"}, "municipality", "No existe un municipio"),
        ({"legal_document_number": "123456"}, "legal_document_number", "PASO 1"),
        ({"delegate_document_number": "123456"}, "delegate_document_number", "PASO 1"),
        ({"entity_type": "EPS", "reps_code": ""}, "payer_code_contributivo", "al menos un código"),
    ],
)
def test_entity_registration_refusals_change_nothing(
    client, legal_and_delegate, reps_ips, overrides, field, message
):
    response = client.post(reverse("accounts:entity_register"), _entity_form(**overrides))
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert any(message in e for e in errors[field]), errors
    assert not Entity.objects.exists()
    assert mail.outbox == []


def test_entity_registration_wrong_check_digit_and_duplicate_nit(
    client, legal_and_delegate, reps_ips
):
    good = stdnum_nit.calc_check_digit("900400301")
    response = client.post(
        reverse("accounts:entity_register"), _entity_form(dv=str((int(good) + 1) % 10))
    )
    assert response.context["form"].errors["dv"] == [
        "El dígito de verificación no corresponde a este NIT."
    ]
    EntityFactory(nit="900400301", dv=good)
    response = client.post(reverse("accounts:entity_register"), _entity_form())
    assert response.context["form"].errors["nit"] == [
        "Ya existe una entidad registrada con este NIT."
    ]
    assert Entity.objects.filter(nit="900400301").count() == 1


def test_eps_registration_with_payer_codes(client, legal_and_delegate):
    response = client.post(
        reverse("accounts:entity_register"),
        _entity_form(
            entity_type="EPS",
            nit="900555666",
            reps_code="",
            payer_code_contributivo="epx001",
            payer_code_subsidiado="EPXS01",
        ),
    )
    assert response.status_code == 200
    entity = Entity.objects.get(nit="900555666")
    assert sorted(entity.payer_codes.values_list("code", "regime")) == [
        ("EPX001", "contributivo"),
        ("EPXS01", "subsidiado"),
    ]
    assert entity.reps_code == ""


def test_a_forged_or_expired_confirmation_link_is_refused(client):
    response = client.get(reverse("accounts:entity_confirm", args=["no-es-un-token"]))
    assert response.status_code == 400
    assert "no es válido o ya venció" in response.content.decode()


# --- Change of delegate ---------------------------------------------------------------


def test_legal_representative_designates_another_delegate(client, legal_and_delegate, on_commit):
    legal, old = legal_and_delegate
    ips = EntityFactory(entity_type="IPS", legal_representative=legal)
    entity_services.delegate_designate(actor=None, entity=ips, user=old)
    new = User.objects.create_user(
        "CC", "71000003", first_name="Nue", first_surname="Vo", email="nuevo@example.org"
    )
    mail.outbox.clear()
    form = {
        "entity_type": "IPS",
        "nit": ips.nit,
        "legal_document_type": "CC",
        "legal_document_number": "71000001",
        "delegate_document_type": "CC",
        "delegate_document_number": "71000003",
    }
    # Somebody who is not the legal representative cannot ask.
    response = client.post(
        reverse("accounts:delegate_change"), {**form, "legal_document_number": "71000002"}
    )
    assert (
        "no corresponde al representante legal"
        in response.context["form"].errors["legal_document_number"][0]
    )
    assert mail.outbox == []
    with on_commit():
        client.post(reverse("accounts:delegate_change"), form)
    assert mail.outbox[0].to == ["rep@example.org"]
    # Nothing changes until the legal representative opens the link.
    assert Membership.objects.active().get(entity=ips, role="delegado").user == old
    with on_commit():
        page = client.get(_link(mail.outbox[0])).content.decode()
    assert "Delegado designado" in page
    assert Membership.objects.active().get(entity=ips, role="delegado").user == new
    assert Membership.objects.filter(
        entity=ips, role="delegado", user=old, ended_at__isnull=False
    ).exists()
    assert mail.outbox[-1].to == ["nuevo@example.org"]
