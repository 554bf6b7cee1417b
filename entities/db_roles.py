"""The application's database role: everything on the project's tables except the audit
trail, which it may only read and append to (docs/database-roles.md).

Migrations run as the tables' owner (DATABASE_OWNER_URL, entities' `migrate` command); the
application connects as another role (DATABASE_URL) that gets the grants below after every
migration. Without ownership it cannot TRUNCATE the audit table, nor disable, drop or
replace its append-only trigger (entities/migrations/0002_audit_append_only.py); without
UPDATE or DELETE it cannot rewrite a row even if the trigger were gone.
"""

from django.db import connections
from psycopg import sql

AUDIT_TABLE = "entities_auditentry"

_GRANTS = (
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "REVOKE ALL ON {audit} FROM {role}",
    "GRANT SELECT, INSERT ON {audit} TO {role}",
)


def grant_app_role(role: str, using: str = "default") -> None:
    """Give `role` the application's privileges on the database `using` connects to (run
    as the owner, after migrating; repeatable)."""
    with connections[using].cursor() as cursor:
        for statement in _GRANTS:
            cursor.execute(
                sql.SQL(statement).format(
                    role=sql.Identifier(role), audit=sql.Identifier(AUDIT_TABLE)
                )
            )


def create_role(role: str, using: str = "default") -> None:
    """Create the login role `role` when missing (a local cluster or the test harness;
    a deployment creates its roles with their passwords itself)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
