"""Issue 17 item 13: the application's database role may only read and append to the audit
trail; the suite itself connects as that role (tests/conftest.py, docs/database-roles.md)."""

import pytest
from django.db import DatabaseError, connection, transaction

from entities.audit import log
from entities.models import AuditEntry
from mipres.lib.pgtemp import APP_ROLE

pytestmark = pytest.mark.django_db

TAMPERING = [
    "TRUNCATE entities_auditentry",
    "ALTER TABLE entities_auditentry DISABLE TRIGGER entities_auditentry_append_only",
    "DROP TRIGGER entities_auditentry_append_only ON entities_auditentry",
    "CREATE OR REPLACE FUNCTION entities_auditentry_refuse_change() RETURNS trigger AS "
    "$$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
    "ALTER TABLE entities_auditentry OWNER TO CURRENT_USER",
    "DELETE FROM entities_auditentry",
    "UPDATE entities_auditentry SET action = 'rewritten'",
]


def test_the_suite_runs_as_the_application_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (APP_ROLE, False)


@pytest.mark.parametrize("statement", TAMPERING)
def test_the_application_role_cannot_rewrite_the_audit_trail(statement):
    entry = log(actor=None, action="tests.thing.done")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).action == "tests.thing.done"


def test_the_application_role_reads_and_appends():
    log(actor=None, action="tests.thing.done", data={"x": 1})
    assert AuditEntry.objects.filter(action="tests.thing.done").count() == 1
