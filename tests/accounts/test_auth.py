import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def _login(client, user, password=PASSWORD, number=None):
    return client.post(
        LOGIN,
        {
            "document_type": user.document_type,
            "document_number": number or user.document_number,
            "password": password,
        },
    )


def test_username_is_document_type_and_number():
    user = UserFactory(document_type="CE", document_number=" ab123456 ")
    assert user.username == "CE AB123456"
    assert User.objects.get_by_natural_key("ce  ab123456") == user


def test_login_with_document_type_and_number(client):
    user = UserFactory()
    response = _login(client, user)
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == user


def test_login_accepts_lower_case_passport_numbers(client):
    user = UserFactory(document_type="PA", document_number="AB12345")
    assert _login(client, user, number="ab12345").status_code == 302


def test_a_wrong_password_gets_a_spanish_message(client):
    user = UserFactory()
    response = _login(client, user, password="incorrecta")
    assert response.status_code == 200
    assert "no son correctos" in response.content.decode()


def test_a_person_without_password_cannot_log_in(client):
    user = User.objects.create_user("CC", "70000001", first_name="A", first_surname="B")
    assert not user.has_usable_password()
    assert _login(client, user, password="").status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    response = client.post(
        url,
        {
            "old_password": "mala",
            "new_password1": "Otra.Clave.99",
            "new_password2": "Otra.Clave.99",
        },
    )
    assert "old_password" in response.context["form"].errors
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Otra.Clave.99",
            "new_password2": "Otra.Clave.99",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Otra.Clave.99")


def test_password_reset_by_emailed_link_works_once(client):
    user = UserFactory(email="medica@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "medica@example.org"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["medica@example.org"]
    assert "restablecer" in message.subject.lower()
    link = re.search(r"http://testserver(\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Nueva.Clave.77", "new_password2": "Nueva.Clave.77"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nueva.Clave.77")
    # The same link cannot be used again.
    page = client.get(link, follow=True).content.decode()
    assert "ya se usó o venció" in page


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nadie@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
