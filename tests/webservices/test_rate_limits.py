"""Rate limits (issue 12.4): a valid caller's quota is its credential's, counted after
authentication; failed authentications are limited per client address and per NIT and
never make a valid caller answer 429. Both run at once: an attacker's bogus tokens
interleaved with the EPS's valid calls."""

import time

import pytest
from django.test import override_settings

from webservices import services

from ..entities.factories import PayerCodeFactory
from .conftest import GUIDS, SUM, Ws

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_window():
    """The limits count per minute: start a test early enough in one."""
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)


def _bogus(client, nit, address, token="bogus"):
    return client.get(
        f"/{SUM}/api/DireccionamientoXFecha/{nit}/{token}/2026-01-01", REMOTE_ADDR=address
    )


@override_settings(
    WS_RATE_LIMIT_PER_MINUTE=8,
    WS_AUTH_FAILURES_PER_MINUTE_PER_ADDRESS=5,
    WS_AUTH_FAILURES_PER_MINUTE_PER_NIT=12,
)
def test_bogus_tokens_never_lock_out_the_valid_callers_of_the_nit(client, world, eps_ws):
    nit = world["eps"].nit
    other_code = PayerCodeFactory(entity=world["eps"], code="EPS998", regime="subsidiado")
    other_guid = "55555555-5555-4555-8555-555555555555"
    services.credential_install(entity=world["eps"], payer_code=other_code, guid=other_guid)
    other = Ws(client, world["eps"], other_guid)
    attacker = [_bogus(client, nit, f"198.51.100.{n % 4}").status_code for n in range(40)]
    valid = []
    for n in range(6):  # interleaved with more failures from fresh addresses
        attacker.append(_bogus(client, nit, f"203.0.113.{n}").status_code)
        valid.append(eps_ws.by_date("DireccionamientoXFecha").status_code)
    assert set(valid) == {200}
    assert attacker[:5] == [401] * 5 and 429 in attacker
    # Its GenerarToken and the EPS's other payer code answer too.
    token = client.get(f"/{SUM}/api/GenerarToken/{nit}/{GUIDS['eps']}")
    assert token.status_code == 200
    assert other.by_date("DireccionamientoXFecha").status_code == 200
    # An address over its failures is refused before anything else, even a valid token.
    blocked = client.get(
        f"/{SUM}/api/DireccionamientoXFecha/{nit}/{eps_ws.token}/2026-01-01",
        REMOTE_ADDR="198.51.100.1",
    )
    assert blocked.status_code == 429 and blocked.json()["Code"] == "rate_limited"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    # The valid caller's own quota (8 a minute: 6 + GenerarToken + 1) runs out for it alone.
    assert eps_ws.by_date("DireccionamientoXFecha").status_code == 200
    assert eps_ws.by_date("DireccionamientoXFecha").status_code == 429
    assert other.by_date("DireccionamientoXFecha").status_code == 200


@override_settings(WS_AUTH_FAILURES_PER_MINUTE_PER_ADDRESS=3)
def test_wrong_guids_on_generar_token_are_limited_per_address(client, world, creds):
    nit = world["provider"].nit
    path = f"/{SUM}/api/GenerarToken/{nit}/00000000-0000-4000-8000-000000000000"
    codes = [client.get(path).status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    other_address = client.get(
        f"/{SUM}/api/GenerarToken/{nit}/{GUIDS['provider']}", REMOTE_ADDR="192.0.2.50"
    )
    assert other_address.status_code == 200
