"""PgBouncer in transaction mode between Django and PostgreSQL, with the project's own
settings (mipres/settings.py read from the environment, psycopg 3 with server-side binding).

PgBouncer follows psycopg's prepared statements in transaction mode only from 1.21
(`max_prepared_statements`); Debian 12 ships 1.18. So behind an older PgBouncer the
deployment sets `DATABASE_PREPARE_THRESHOLD=` (empty: nothing prepared), and behind 1.21 or
newer keeps the default. Both are proven here: six threads share two server connections,
so a statement prepared on one server connection is soon run on the other.
"""

import json
import subprocess

import pytest

from .harness import PYTHON, REPO, Cluster, pgbouncer_version

pytestmark = pytest.mark.cluster

SCRIPT = """
import json, threading
from django.db import connection
errors = []
def work():
    try:
        for i in range(40):
            with connection.cursor() as cursor:
                cursor.execute("SELECT %s::int + 1", [i])
                assert cursor.fetchone()[0] == i + 1
    except Exception as error:
        errors.append(type(error).__name__ + ": " + str(error))
    finally:
        connection.close()
threads = [threading.Thread(target=work) for _ in range(6)]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps({"threshold": connection.settings_dict["OPTIONS"]["prepare_threshold"],
                  "errors": errors}))
"""


@pytest.fixture(scope="module")
def bouncer():
    cluster = Cluster()
    try:
        cluster.primary.init().start()
        cluster.create_database()
        cluster.start_pgbouncer()
        yield cluster
    finally:
        cluster.stop()


def _run(cluster: Cluster, threshold: str) -> dict:
    env = {**cluster.env, "DATABASE_PREPARE_THRESHOLD": threshold}
    env.pop("DATABASE_REPLICA_URL")
    result = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "-c", SCRIPT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_documented_setting_works_behind_pgbouncer(bouncer):
    """What the cluster's app servers run with (tests/cluster/harness.py)."""
    threshold = bouncer.env["DATABASE_PREPARE_THRESHOLD"]
    outcome = _run(bouncer, threshold)
    assert outcome["errors"] == []
    if pgbouncer_version() < (1, 21):
        assert outcome["threshold"] is None  # nothing prepared
    else:
        assert outcome["threshold"] == 5  # prepared, PgBouncer follows them


@pytest.mark.skipif(pgbouncer_version() >= (1, 21), reason="PgBouncer follows prepared statements")
def test_prepared_statements_break_behind_an_old_pgbouncer(bouncer):
    """Why the setting exists: on 1.18, the server connection PgBouncer hands out next does
    not match what psycopg prepared on the client's: the statement is missing there, or
    another client already prepared one under the same name (which one shows first depends
    on how the pool interleaves the clients)."""
    outcome = _run(bouncer, "1")
    assert outcome["threshold"] == 1
    mismatch = ("does not exist", "already exists")
    assert any(
        "prepared statement" in error and any(m in error for m in mismatch)
        for error in outcome["errors"]
    ), outcome
