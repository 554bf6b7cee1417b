"""Django's database sessions, read with a prepared statement instead of the ORM.

Every logged-in request reads its session row; through the ORM that read costs about 0.9 ms
of CPU, most of it compiling the same SQL again (mipres.lib.rows). Writing, expiry, keys and
logout are Django's own. Only the read on PostgreSQL is replaced; other databases (the
local SQLite demo) keep the ORM.
"""

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from . import prepared

SQL = 'SELECT "session_data" FROM "django_session" WHERE "session_key" = %s AND "expire_date" > %s'


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if connection.vendor != "postgresql":
            return super()._get_session_from_db()
        key = self.session_key  # None unless it passed SessionBase's validation
        row = None
        if key:
            rows = prepared.fetch("session_get", SQL, [key, timezone.now()])
            row = rows[0] if rows else None
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])
