"""Reads on the replica: only those the code marks, and only when it is safe.

With `DATABASE_REPLICA_URL` set (a PostgreSQL streaming replica of the primary), the
`DATABASES["replica"]` alias exists and `ReplicaRouter` sends a read there when all hold:

- the code marked it: inside `with replica_reads():` or a view decorated `@replica_reads()`
  (worklists, searches, exports, the web services' GETs);
- no transaction is open on the primary (a service's reads stay with its writes);
- the session wrote nothing in the last `REPLICA_PIN_SECONDS` (`ReplicaPinMiddleware`: a
  request that may write, any method but GET, HEAD and OPTIONS, pins its session's reads to
  the primary with a short-lived cookie, so a user reads back what they just wrote);
- the replica answers and lags less than `REPLICA_MAX_LAG_SECONDS` (checked at most every
  `REPLICA_CHECK_SECONDS` per process; one that does not answer is tried again ten
  intervals later).

Everything else, writes included, goes to the primary ("default"). Raw SQL reads the
alias `read_alias()` names.

The pages every user of an entity opens again and again (the worklists, the supply
timeline, the entity's and the payer's consultas) accept the same few seconds of age from
Django's cache: `shared_read` keeps what such a page read and rendered for
`SHARED_READ_SECONDS`, for every user who would see the same (same entity, roles,
language, day and query string), except a session that just wrote or a read inside a
transaction, which read afresh and store what they read.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from contextlib import ContextDecorator
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "primary_reads"

_marked: ContextVar[bool] = ContextVar("replica_reads", default=False)
_pinned: ContextVar[bool] = ContextVar("primary_pinned", default=False)


class replica_reads(ContextDecorator):
    """Mark the reads inside as safe to answer from the replica (a few seconds behind)."""

    def _recreate_cm(self):
        return type(self)()  # a decorated view's calls, in many threads, each their own

    def __enter__(self):
        self._token = _marked.set(True)
        return self

    def __exit__(self, *exc):
        _marked.reset(self._token)
        return False


class _Health:
    """The replica's state as last checked in this process."""

    checked_at = float("-inf")
    usable = False


_health = _Health()


def replica_usable() -> bool:
    """Whether the replica answers and is less than REPLICA_MAX_LAG_SECONDS behind."""
    now = time.monotonic()
    if now - _health.checked_at < settings.REPLICA_CHECK_SECONDS:
        return _health.usable
    _health.checked_at = now
    try:
        with connections[REPLICA].cursor() as cursor:
            # Nothing to replay means no lag, however old the last transaction is.
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                " ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            lag = cursor.fetchone()[0]
    except DatabaseError as error:
        logger.warning("Replica unavailable, reading from the primary: %s", error)
        connections[REPLICA].close()
        # Not again for ten intervals: an unreachable host costs a connect timeout each time.
        _health.checked_at = now + 9 * settings.REPLICA_CHECK_SECONDS
        _health.usable = False
        return False
    _health.usable = lag is not None and lag < settings.REPLICA_MAX_LAG_SECONDS
    if not _health.usable:
        logger.warning("Replica %s s behind, reading from the primary", lag)
    return _health.usable


def read_alias() -> str:
    """The database a marked read may use now: "replica" or "default"."""
    if (
        not _marked.get()
        or _pinned.get()
        or REPLICA not in settings.DATABASES
        or connections["default"].in_atomic_block
    ):
        return "default"
    return REPLICA if replica_usable() else "default"


def shared_read[T](parts: tuple, build: Callable[[], T]) -> T:
    """`build()`, or what it returned to a request with the same `parts` less than
    SHARED_READ_SECONDS ago (Django's cache: Redis, shared by every app server, in
    production). `parts` names everything the value depends on besides the data (the
    entity, the roles, the language, the day, the query string); the key is their digest,
    so a hostile query string makes no odd key, and a set among them counts whatever its
    order. The contract is a marked read's: up to a
    few seconds old, never for a session that wrote in the last REPLICA_PIN_SECONDS (it
    reads afresh, and the others then see what it read). 0 seconds turns it off."""
    seconds = settings.SHARED_READ_SECONDS
    if not seconds:
        return build()
    canonical = tuple(sorted(p) if isinstance(p, set | frozenset) else p for p in parts)
    digest = hashlib.blake2b(repr(canonical).encode(), digest_size=16).hexdigest()
    key = "shared-read:" + digest
    fresh = _pinned.get() or connections["default"].in_atomic_block
    if not fresh and (value := cache.get(key)) is not None:
        return value
    value = build()
    cache.set(key, value, seconds)
    return value


def shared_page[T](request, name: str, build: Callable[[], T], *extra) -> T:
    """`shared_read` of the page `name` of the entity the request acts for
    (`entities.decorators` set `request.entity` and `request.entity_perms`): shared by the
    requests that would get the same from it, with the same entity, roles there (the
    «Anular» links), language, day (the deadline lights) and query string (filters, page),
    and the `extra` parts it depends on (a dispensador's sedes)."""
    parts = (
        name,
        request.entity.pk,
        request.entity_perms,
        get_language(),
        timezone.localdate(),
        request.get_full_path(),
        *extra,
    )
    return shared_read(parts, build)


# Read where they were written, marked or not: the web services' credentials, tokens and
# stored answers (an API client keeps no cookie to pin it to the primary, and authenticates
# with a token it may have generated a moment before).
PRIMARY_ONLY_APPS = frozenset({"webservices"})


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return "default"
        return read_alias()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


class ReplicaPinMiddleware:
    """Reads go to the primary for a session that wrote in the last REPLICA_PIN_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in ("GET", "HEAD", "OPTIONS")
        token = _pinned.set(writes or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writes:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
