"""mipres.lib.prepared on psycopg 3: the SQL answers as written, declared types become
casts, and psycopg prepares a statement itself once it has run `prepare_threshold` times."""

import pytest
from django.db import connection

from mipres.lib import prepared


def _prepared_count(sql_fragment):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{sql_fragment}%"],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_psycopg_prepares_a_repeated_statement(django_assert_num_queries):
    sql = "SELECT %s::int + %s::int, '100%%' AS test_sum"
    for a in range(6):
        with django_assert_num_queries(1):
            assert prepared.fetch("test_sum", sql, [a, 3]) == [(a + 3, "100%")]
    assert _prepared_count("AS test_sum") == 1


@pytest.mark.django_db
def test_named_parameters_repeat_and_come_back_as_dicts():
    sql = "SELECT %(a)s::int AS a, %(b)s::text AS b, %(a)s::int + 1 AS c"
    assert prepared.fetch_dicts("test_named", sql, {"b": "x", "a": 1}) == [
        {"a": 1, "b": "x", "c": 2}
    ]
    assert prepared.fetch_dicts("test_named", sql, {"a": 7, "b": "y"}) == [
        {"a": 7, "b": "y", "c": 8}
    ]


@pytest.mark.django_db
def test_declared_types():
    sql = "SELECT %s IS NULL"
    assert prepared.fetch("test_typed", sql, [None], types=("bigint",)) == [(True,)]
    assert prepared.fetch("test_typed", sql, [3], types=("bigint",)) == [(False,)]


@pytest.mark.django_db
def test_postgresql_placeholders_with_types_as_one_string():
    sql = "SELECT $2::text || $1::text, $1 IS NULL"
    assert prepared.fetch("test_dollar", sql, ["a", "b"], types="text, text") == [("ba", False)]
    assert prepared.fetch("test_dollar", sql, [None, "d"], types="text, text") == [(None, True)]
