"""Issue 17 item 11: failed logins lock an address (the proxy's last X-Forwarded-For hop
only when BEHIND_TLS_PROXY says so) whatever the accounts tried, and slow down, never lock,
a single account attacked from many addresses (accounts/login_attempts.py)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
PROXY = "10.0.0.1"


def _login(client, user, password=PASSWORD, **meta):
    data = {
        "document_type": user.document_type,
        "document_number": user.document_number,
        "password": password,
    }
    return client.post(LOGIN, data, **meta)


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 6
    settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER = 100
    return settings


def test_one_address_trying_many_accounts_is_locked(client, limits):
    victims = [UserFactory() for _ in range(3)]
    statuses = [
        _login(client, victim, "incorrecta").status_code for victim in victims for _ in range(2)
    ]
    # The sixth failure (AXES_FAILURE_LIMIT) locks the address, though each account saw two.
    assert statuses == [200] * 5 + [429]
    response = _login(client, UserFactory())
    assert response.status_code == 429
    assert "Ingreso bloqueado temporalmente" in response.content.decode()
    assert "15 minutos" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert _login(client, victims[0], REMOTE_ADDR="198.51.100.20").status_code == 302


def test_behind_the_proxy_the_lock_is_the_clients_not_the_proxys(client, limits):
    limits.BEHIND_TLS_PROXY = True
    user = UserFactory()
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _ in range(5):
        assert _login(client, user, "incorrecta", **attacker).status_code == 200
    assert _login(client, user, "incorrecta", **attacker).status_code == 429
    assert _login(client, user, **attacker).status_code == 429
    # A forged first hop does not help: only the hop our proxy appended counts.
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.77, 203.0.113.5"}
    assert _login(client, user, **forged).status_code == 429
    # The owner, through the same proxy from elsewhere, signs in.
    owner = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert _login(client, user, **owner).status_code == 302


def test_without_the_proxy_setting_x_forwarded_for_is_ignored(client, limits):
    limits.BEHIND_TLS_PROXY = False
    user = UserFactory()
    statuses = [
        _login(
            client,
            user,
            "incorrecta",
            REMOTE_ADDR="192.0.2.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    meta = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert _login(client, user, **meta).status_code == 429


def test_an_account_attacked_from_many_addresses_is_slowed_not_locked(client, settings):
    settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER = 5
    settings.LOGIN_ACCOUNT_DELAY_SECONDS = 30
    user = UserFactory()
    for n in range(5):
        response = _login(client, user, "incorrecta", REMOTE_ADDR=f"203.0.113.{n}")
        assert response.status_code == 200
    # Right after: every address, the owner's too, must wait; the wait is not extended.
    last = AccessAttempt.objects.order_by("-attempt_time").first().attempt_time
    for n in range(5, 10):
        response = _login(client, user, "incorrecta", REMOTE_ADDR=f"203.0.113.{n}")
        assert response.status_code == 429
        assert "Espere un momento" in response.content.decode()
    assert AccessAttempt.objects.order_by("-attempt_time").first().attempt_time == last
    assert _login(client, user, REMOTE_ADDR="198.51.100.7").status_code == 429
    # Once the delay has passed, the owner signs in.
    AccessAttempt.objects.update(attempt_time=last - datetime.timedelta(seconds=31))
    assert _login(client, user, REMOTE_ADDR="198.51.100.7").status_code == 302
    # Other accounts are not slowed.
    assert _login(client, UserFactory(), REMOTE_ADDR="203.0.113.1").status_code == 302
