"""Operations the migrations share (imported by them: keep each signature as it is)."""

from django.db import migrations


def drop_single_column_indexes(indexes) -> migrations.RunSQL:
    """Drop the indexes Django made for foreign keys whose field now says `db_index=False`,
    as the database side of a SeparateDatabaseAndState whose state side alters the fields.

    Django's own AlterField would also drop and re-add each foreign key constraint, which
    re-checks every row of the table (minutes at national volume); the index alone goes in
    milliseconds. `indexes`: (table, column, index name); reversed, each is made again."""
    return migrations.RunSQL(
        sql=[f"DROP INDEX IF EXISTS {name}" for _table, _column, name in indexes],
        reverse_sql=[
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})"
            for table, column, name in indexes
        ],
    )
