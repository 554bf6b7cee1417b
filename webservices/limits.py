"""The request limits of every caller authenticated by a web-service credential (the MIPRES
web services and the FHIR API alike), on Django's cache (mipres.lib.ratelimit):

- a valid caller counts against its own credential's quota only, so nobody else's traffic,
  failed or not, makes it answer 429;
- a failed authentication counts against the client address and, when the request names
  one, the NIT, never against a credential;
- an address over its failed authentications is refused before anything is looked up.

Each function says whether the request may go on; the caller answers 429 in its own
contract's shape."""

import time

from django.conf import settings

from mipres.lib.ratelimit import exceeded, hit
from mipres.lib.request_context import client_ip


def retry_after() -> int:
    """Seconds until the current one-minute window ends."""
    return 60 - int(time.time()) % 60


def _address_key() -> str:
    return f"ws:fail:addr:{client_ip.get() or ''}"


def address_blocked() -> bool:
    """Whether the client address is over its failed authentications (counts nothing)."""
    return exceeded(_address_key(), settings.WS_AUTH_FAILURES_PER_MINUTE_PER_ADDRESS, 60)


def failure_counted(nit: str | None) -> bool:
    """Count one failed authentication against the address and the NIT (if any); False
    once either is over its limit."""
    by_address = hit(_address_key(), settings.WS_AUTH_FAILURES_PER_MINUTE_PER_ADDRESS, 60)
    if nit is None:
        return by_address
    by_nit = hit(f"ws:fail:nit:{nit[:20]}", settings.WS_AUTH_FAILURES_PER_MINUTE_PER_NIT, 60)
    return by_address and by_nit


def request_counted(credential_id: int) -> bool:
    """Count one request against the credential's quota; False once it is over."""
    return hit(f"ws:credential:{credential_id}", settings.WS_RATE_LIMIT_PER_MINUTE, 60)
