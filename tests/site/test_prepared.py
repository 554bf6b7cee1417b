"""mipres.lib.prepared: a statement is prepared once per connection and answers as the
plain SQL would."""

import pytest
from django.db import DatabaseError, connection, transaction

from mipres.lib import prepared


def _statements(prefix):
    """The connection's prepared statements named `prefix`_<digest> (they outlive a test's
    transaction, so each test uses names of its own)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall() if name.startswith(f"{prefix}_")}


@pytest.mark.django_db
def test_prepared_once_then_executed(django_assert_num_queries):
    sql = "SELECT %s::int + %s::int, '100%%'"
    with django_assert_num_queries(1):  # PREPARE and EXECUTE in one round trip
        assert prepared.fetch("test_sum", sql, [2, 3]) == [(5, "100%")]
    names = _statements("test_sum")
    assert len(names) == 1
    with django_assert_num_queries(1):
        assert prepared.fetch("test_sum", sql, [4, 5]) == [(9, "100%")]
    assert _statements("test_sum") == names
    # Another text under the same name is another statement.
    assert prepared.fetch("test_sum", "SELECT %s::int * 2", [4]) == [(8,)]
    assert len(_statements("test_sum")) == 2


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
def test_postgresql_placeholders_with_types_as_one_string(settings):
    sql = "SELECT $2::text || $1::text, $1 IS NULL"
    assert prepared.fetch("test_dollar", sql, ["a", "b"], types="text, text") == [("ba", False)]
    settings.DATABASE_PREPARED_STATEMENTS = False  # the same text, run plainly
    assert prepared.fetch("test_dollar", sql, ["c", "d"], types="text, text") == [("dc", False)]


@pytest.mark.django_db
def test_a_failed_first_execute_leaves_the_statement_usable():
    sql = "SELECT 10 / %s::int"
    with pytest.raises(DatabaseError), transaction.atomic():
        prepared.fetch("test_div", sql, [0])  # PREPARE took, EXECUTE failed
    assert len(_statements("test_div")) == 1
    assert prepared.fetch("test_div", sql, [5]) == [(2,)]
    assert prepared.fetch("test_div", sql, [2]) == [(5,)]


@pytest.mark.django_db
def test_switched_off_the_sql_runs_as_is(settings, django_assert_num_queries):
    settings.DATABASE_PREPARED_STATEMENTS = False
    with django_assert_num_queries(1) as captured:
        assert prepared.fetch("test_plain", "SELECT %s::int", [1]) == [(1,)]
    assert "PREPARE" not in captured.captured_queries[0]["sql"]
    assert _statements("test_plain") == set()


@pytest.mark.django_db
def test_statements_are_planned_once_not_at_every_execution():
    """plan_cache_mode=force_generic_plan (settings): a statement with parameters keeps one
    plan instead of being planned again whenever its generic plan looks costlier."""
    sql = "SELECT count(*) FROM django_session WHERE expire_date > %s AND session_key = %s"
    for _ in range(8):
        prepared.fetch("test_plans", sql, ["2026-01-01", "x"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE name LIKE 'test_plans_%%'"
        )
        assert cursor.fetchall() == [(8, 0)]
