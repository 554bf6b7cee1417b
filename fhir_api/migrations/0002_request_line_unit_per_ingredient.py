"""The request line view reads each ingredient's concentration unit by its key instead of
joining the unit table to the ingredients.

With the join, at 10 M prescriptions PostgreSQL hashes the line's one or two ingredients and
seq-scans all 268 measurement units for every line of a page (0.041 ms a line: 2.1 ms of a
50-line MedicationRequest search's 3.6 ms). A scalar subquery on the unit's primary key is an
index lookup per ingredient whatever the planner estimates: 1.8 ms at 10 M, 1.5 ms at 1 M
(EXPLAIN ANALYZE, generic plan; docs/benchmarks.md, sixth session). The rows are the same.
"""

from importlib import import_module

from django.db import migrations

PREVIOUS_VIEW = import_module("fhir_api.migrations.0001_request_line_view").CREATE_VIEW

UNIT_JOINED = """                    'unit', unit.code
"""
UNIT_BY_KEY = """                    'unit', (
                        SELECT unit.code FROM prescriptions_measurementunit unit
                        WHERE unit.id = line_ingredient.concentration_unit_id
                    )
"""
UNIT_JOIN = """        LEFT JOIN prescriptions_measurementunit unit
            ON unit.id = line_ingredient.concentration_unit_id
"""


def _replace_view(sql: str) -> str:
    return sql.replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)


def _unit_by_key(sql: str) -> str:
    assert UNIT_JOINED in sql and UNIT_JOIN in sql, "0001's view text changed"
    return sql.replace(UNIT_JOINED, UNIT_BY_KEY).replace(UNIT_JOIN, "")


class Migration(migrations.Migration):
    dependencies = [("fhir_api", "0001_request_line_view")]

    operations = [
        migrations.RunSQL(_replace_view(_unit_by_key(PREVIOUS_VIEW)), _replace_view(PREVIOUS_VIEW)),
    ]
