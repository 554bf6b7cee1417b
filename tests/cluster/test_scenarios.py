"""The scaled-out MIPRES at work (issue 14 item 5): two app servers behind HAProxy share
sessions, rate limits and the user cache through Redis, write to the primary through
PgBouncer, read marked pages from the streaming replica, and one worker runs the tasks.

The scenarios share one cluster and run in this order; the last ones break pieces of it.
"""

import re
import signal
import threading
import time
from itertools import count

import pytest
import requests
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, demo_users
from entities.permissions import EntityType, Role

from .harness import Cluster, port_open, wait_for

pytestmark = pytest.mark.cluster

DELEGATE = next(
    user
    for user in demo_users()
    if user.entity.entity_type == EntityType.IPS and user.role == Role.DELEGADO
)
_codes = count(int(time.time()) % 100_000 * 1000)


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def _app(cluster: Cluster, name: str) -> str:
    return f"http://127.0.0.1:{cluster.ports[name]}"


def login(base: str) -> requests.Session:
    session = requests.Session()
    session.get(base + reverse("accounts:login"), timeout=30)
    response = session.post(
        base + reverse("accounts:login"),
        data={
            "document_type": "CC",
            "document_number": DELEGATE.document_number,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def _logged_in(session: requests.Session, base: str) -> bool:
    response = session.get(base + reverse("home"), allow_redirects=False, timeout=30)
    return response.status_code == 200


def _sedes_url(session: requests.Session, base: str) -> str:
    home = session.get(base + reverse("home"), timeout=30).text
    match = re.search(r"/cuentas/administracion/([0-9a-f-]{36})/", home)
    assert match, "the delegate's home links to their entity's module"
    return base + reverse("accounts:module_sedes", args=[match.group(1)])


def create_sede(session: requests.Session, sedes_url: str, code: str) -> requests.Response:
    return session.post(
        sedes_url + "nueva/",
        data={
            "code": code,
            "name": f"Sede {code}",
            "address": "Calle 1 # 2-3",
            "municipality": DELEGATE.entity.municipality,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )


def _replica_caught_up(cluster: Cluster) -> None:
    target = cluster.primary.sql("SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if cluster.replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'") == "t":
            return
        time.sleep(0.1)
    raise TimeoutError("the replica did not catch up")


def test_a_login_on_one_server_is_valid_on_the_other(cluster):
    session = login(_app(cluster, "app1"))
    assert _logged_in(session, _app(cluster, "app2"))
    assert _logged_in(session, cluster.url)


def test_a_rate_limit_counts_across_both_servers(cluster):
    if time.localtime().tm_sec > 45:  # the limit's window is the clock's minute
        time.sleep(61 - time.localtime().tm_sec)
    lookup = reverse("accounts:rethus_lookup") + "?document_type=CC&document_number=123456"
    statuses = [
        requests.get(_app(cluster, name) + lookup, timeout=30).status_code
        for name in ("app1", "app2", "app1", "app2", "app1", "app2")
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]  # RETHUS_LOOKUPS_PER_MINUTE=4


def test_reads_your_writes_while_marked_lists_read_the_replica(cluster):
    """With the replica's replay paused, the writer reads its new sede back at once (its
    session is pinned to the primary); another session's marked list comes from the replica
    and misses it, until the replica lags past REPLICA_MAX_LAG_SECONDS and the list comes
    from the primary again."""
    writer, reader = login(cluster.url), login(cluster.url)
    sedes = _sedes_url(writer, cluster.url)
    reader.get(sedes, timeout=30)  # the reader's own pin from its login expires meanwhile
    time.sleep(float(cluster.env["REPLICA_PIN_SECONDS"]) + 0.5)
    lag_limit = float(cluster.env["REPLICA_MAX_LAG_SECONDS"])
    last_commit = time.monotonic()
    cluster.primary.sql("SELECT txid_current()")  # a commit: the replica's lag counts from it
    _replica_caught_up(cluster)
    cluster.replica.sql("SELECT pg_wal_replay_pause()")
    try:
        code = str(next(_codes))
        assert create_sede(writer, sedes, code).status_code == 302
        assert f"Sede {code}" in writer.get(sedes, timeout=30).text  # read-your-writes
        stale = reader.get(sedes, timeout=30).text
        if time.monotonic() - last_commit < lag_limit - 1:  # (a slow machine may be later)
            assert f"Sede {code}" not in stale  # from the replica, behind
        time.sleep(max(0, last_commit + lag_limit + 1 - time.monotonic()))
        assert f"Sede {code}" in reader.get(sedes, timeout=30).text  # too far behind: primary
    finally:
        cluster.replica.sql("SELECT pg_wal_replay_resume()")


def test_a_task_enqueued_on_one_server_runs_once_on_the_worker(cluster):
    base = _app(cluster, "app1")
    session = requests.Session()
    url = base + reverse("accounts:password_reset")
    session.get(url, timeout=30)
    response = session.post(
        url,
        data={"email": "nadie@example.org", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302
    query = (
        "SELECT status, jsonb_array_length(worker_ids::jsonb) FROM "
        "django_tasks_database_dbtaskresult WHERE task_path LIKE '%send_password_reset'"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = cluster.primary.sql(query).splitlines()
        if rows and rows[0].startswith(("SUCCESSFUL", "FAILED")):
            break
        time.sleep(0.3)
    assert rows == ["SUCCESSFUL|1"]


def test_restarting_redis_logs_nobody_out(cluster):
    session = login(cluster.url)
    redis = cluster.processes["redis"]
    redis.stop()
    assert _logged_in(session, cluster.url)  # the sessions are in the database
    redis.start()
    wait_for(lambda: port_open(cluster.ports["redis"]), "Redis")
    assert _logged_in(session, cluster.url)  # an empty Redis: read from the database again


def test_stopping_the_replica_sends_reads_to_the_primary(cluster):
    session = login(cluster.url)
    sedes = _sedes_url(session, cluster.url)
    cluster.replica.stop()
    time.sleep(float(cluster.env["REPLICA_PIN_SECONDS"]) + 0.5)  # no longer pinned
    for _ in range(4):  # both servers, both workers
        assert session.get(sedes, timeout=30).status_code == 200


def test_killing_an_app_server_mid_load_loses_no_acknowledged_write(cluster):
    sessions = [login(cluster.url) for _ in range(3)]
    sedes = _sedes_url(sessions[0], cluster.url)
    acknowledged, stop = [], threading.Event()

    def write(session):
        while not stop.is_set():
            code = str(next(_codes))
            try:
                response = create_sede(session, sedes, code)
            except requests.RequestException:
                continue  # not acknowledged
            if response.status_code == 302:
                acknowledged.append(code)

    threads = [threading.Thread(target=write, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    time.sleep(3)
    cluster.processes["app1"].stop(signal.SIGKILL)
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join()
    stored = set(cluster.primary.sql("SELECT code FROM entities_sede").split())
    assert acknowledged and set(acknowledged) <= stored
    # HAProxy took the dead server out: every request now succeeds.
    statuses = [requests.get(cluster.url + "/healthz", timeout=10).status_code for _ in range(8)]
    assert statuses == [200] * 8
