"""Sessions that bring their user along.

Every logged-in request reads its session, then its user with the user's active roles (the
permission guard and the navigation bar need them). The session row carries the id of the
user it logged in (`accounts.models.Session`), so on PostgreSQL both are one prepared
statement: the session's data, then the user, the roles, the entities and their
municipalities (`entities.selectors.user_with_accesses_sql`).

Django still decides who the request's user is (`django.contrib.auth.get_user`: the
session's user id and backend, the session hash, the fallback secrets): while it does, the
user read with this request's session is offered to the backend (`preloaded`), which takes
it only for the same id and otherwise reads the user itself. Nothing outlives the request.
Writing, expiry, keys and logout are Django's own; other databases (the local SQLite demo)
read the session through the ORM and the user on its own.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from entities.selectors import user_from_rows, user_with_accesses_sql
from mipres.lib import prepared

# The user read with the session of the request being authenticated (see the docstring).
preloaded: ContextVar = ContextVar("preloaded_user", default=None)


@cache
def _sql() -> str:
    return user_with_accesses_sql(
        first="s.session_data, ",
        source=f'"accounts_session" s LEFT JOIN "{get_user_model()._meta.db_table}" u '
        "ON u.id = s.user_id",
        where="s.session_key = %s AND s.expire_date > %s",
    )


class SessionStore(db.SessionStore):
    loaded_user = None  # the session's user with their roles, when read with it

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = data.get(auth.SESSION_KEY)
        session.user_id = get_user_model()._meta.pk.to_python(user_id) if user_id else None
        return session

    def _get_session_from_db(self):
        if connection.vendor != "postgresql":
            return super()._get_session_from_db()
        key = self.session_key  # None unless it passed SessionBase's validation
        rows = prepared.fetch("session_user", _sql(), [key, timezone.now()]) if key else []
        if not rows:
            self._session_key = None
            return None
        self.loaded_user = user_from_rows(rows, start=1)
        return self.model(session_key=key, session_data=rows[0][0])


@contextmanager
def _offering(user):
    token = preloaded.set(user)
    try:
        yield
    finally:
        preloaded.reset(token)


def _get_user(request):
    if not hasattr(request, "_cached_user"):
        session = request.session
        session.get(auth.SESSION_KEY)  # load it, and its user with it
        with _offering(getattr(session, "loaded_user", None)):
            request._cached_user = auth.get_user(request)
    return request._cached_user


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, offering the backend the user read with the
    session."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))
