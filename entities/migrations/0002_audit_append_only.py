"""On PostgreSQL, a trigger refuses UPDATE and DELETE on the audit trail, so not even raw
SQL can rewrite it. (SQLite, used only by the local demo, relies on the model's refusal.)

TRUNCATE is left to the table's owner: the test harness empties tables with it between
browser tests, and an application role in production should not own its tables.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION entities_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'entities_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER entities_auditentry_append_only
    BEFORE UPDATE OR DELETE ON entities_auditentry
    FOR EACH ROW EXECUTE FUNCTION entities_auditentry_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS entities_auditentry_append_only ON entities_auditentry;
DROP FUNCTION IF EXISTS entities_auditentry_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("entities", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
