"""Statements prepared once per database connection, for the queries every page makes.

Through the ORM, a worklist's or a timeline's query costs about 1 ms of CPU to build and
compile, and PostgreSQL plans its joins again on every request (1–2 ms on tables with many
indexes). Written once as SQL and prepared, it costs neither after the first request of a
connection. `execute` does that:

- `sql` has psycopg2's placeholders, `%s` with a list of parameters or `%(name)s` with a
  dict, which become `$1`, `$2`… in the PREPARE; or PostgreSQL's own `$1`, `$2`… with a
  list. `types` may say what PostgreSQL cannot infer: type names in the parameters' order
  (a sequence, or one comma-separated string), or by name for `%(name)s`. A literal `%` is
  written `%%`, as for psycopg2.
- The statement's name is `name` plus a digest of its text, so two texts never share one.
- The PREPARE goes in the same round trip as the first EXECUTE, so a page makes the same
  queries on a fresh connection as on a used one. A prepared statement outlives a
  rollback; when the first EXECUTE fails, whether the PREPARE took is checked before the
  next use.
- Through psycopg 3 (server-side binding, `prepare_threshold` in the settings), `sql`
  runs as a plain parameterised statement, each declared type a cast, and psycopg prepares
  it itself after a few executions (none behind an old PgBouncer; docs/scaling.md).
"""

import hashlib
import re
import weakref
from functools import lru_cache

from django.db import DatabaseError, connection

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s")
_NUMBERED = re.compile(r"\$(\d+)")

# The raw connections on which a statement is prepared, and those on which its first
# EXECUTE failed (prepared or not), by statement name.
_prepared: dict[str, weakref.WeakSet] = {}
_unsure: dict[str, weakref.WeakSet] = {}


def enabled() -> bool:
    """True on psycopg2, whose statements this module prepares; psycopg 3 prepares its own."""
    return connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"


@lru_cache(maxsize=2048)
def _statement(name: str, sql: str, types) -> tuple[str, str, tuple]:
    """(statement name, PREPARE text, the dict keys in parameter order or () for a list);
    `types` as `execute` takes it, a mapping given as a tuple of its items."""
    keys: list[str] = []
    count = 0

    def number(match) -> str:
        nonlocal count
        key = match.group(1)
        if key is None:
            count += 1
            return f"${count}"
        if key not in keys:
            keys.append(key)
        return f"${keys.index(key) + 1}"

    body = _PLACEHOLDER.sub(number, sql)
    if types and isinstance(types[0], tuple):  # by name
        types = tuple(dict(types)[key] for key in keys)
    elif isinstance(types, str):
        types = (types,)
    digest = hashlib.blake2s(f"{types}{body}".encode(), digest_size=6).hexdigest()
    declared = f" ({', '.join(types)})" if types else ""
    statement = f"{name}_{digest}"
    return statement, f"PREPARE {statement}{declared} AS {body}", tuple(keys)


def _plain(sql: str, params, types) -> tuple[str, list]:
    """`sql` with `%s` placeholders only, each declared type as a cast, and its parameters
    in their order."""
    _, prepare, keys = _statement("plain", sql, types)
    declared = prepare.split(" AS ", 1)[0].partition(" (")[2].rstrip(")")
    casts = declared.split(", ") if declared else []
    values = [params[key] for key in keys] if keys else list(params)
    body = prepare.split(" AS ", 1)[1]
    order = [int(number) - 1 for number in _NUMBERED.findall(body)]

    def placeholder(match) -> str:
        index = int(match.group(1)) - 1
        return f"%s::{casts[index]}" if casts else "%s"

    return _NUMBERED.sub(placeholder, body), [values[index] for index in order]


def execute(cursor, name: str, sql: str, params=(), *, types=()) -> None:
    """Run `sql` with `params` on `cursor` (a cursor of `django.db.connection`) through a
    statement prepared once per connection; read the rows from the cursor."""
    if isinstance(types, dict):
        types = tuple(sorted(types.items()))
    elif not isinstance(types, str):
        types = tuple(types)
    if not enabled():
        cursor.execute(*_plain(sql, params, types))
        return
    statement, prepare, keys = _statement(name, sql, types)
    values = [params[key] for key in keys] if keys else list(params)
    run = f"EXECUTE {statement}" + (f" ({', '.join(['%s'] * len(values))})" if values else "")
    prepared = _prepared.setdefault(statement, weakref.WeakSet())
    unsure = _unsure.setdefault(statement, weakref.WeakSet())
    raw = connection.connection
    if raw in unsure:
        unsure.discard(raw)
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [statement])
        if cursor.fetchone():
            prepared.add(raw)
    if raw in prepared:
        cursor.execute(run, values)
        return
    try:
        cursor.execute(f"{prepare}; {run}", values)
    except DatabaseError:
        unsure.add(raw)
        raise
    prepared.add(raw)


def fetch(name: str, sql: str, params=(), *, types=()) -> list[tuple]:
    """The rows of `sql` (see `execute`)."""
    with connection.cursor() as cursor:
        execute(cursor, name, sql, params, types=types)
        return cursor.fetchall()


def fetch_dicts(name: str, sql: str, params=(), *, types=()) -> list[dict]:
    """The rows of `sql` as dicts by column name (see `execute`)."""
    with connection.cursor() as cursor:
        execute(cursor, name, sql, params, types=types)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
