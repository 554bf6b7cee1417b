"""docker-compose.yml describes the cluster the harness starts (no Docker engine runs here):
the same services, the same settings given to the app servers and the worker, the same
worker command, PgBouncer in transaction mode and HAProxy checking /healthz as the harness
configures them."""

import re

import pytest
import yaml

from mipres.lib.pgtemp import APP_ROLE

from .harness import REPO, SERVICES, WORKER_COMMAND, app_environment, pgbouncer_version

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
HARNESS = (REPO / "tests/cluster/harness.py").read_text()

pytestmark = pytest.mark.cluster


def test_the_same_services():
    assert set(COMPOSE["services"]) - {"migrate"} == set(SERVICES)  # migrate: once a release


def test_the_app_servers_and_the_worker_get_the_harness_settings():
    harness = app_environment(
        database_url="postgres://u@pgbouncer:6432/mipres",
        replica_url="postgres://u@replica:5432/mipres",
        redis_url="redis://redis:6379/0",
        prepared=pgbouncer_version() >= (1, 21),
    )
    for name in ("app1", "app2", "worker"):
        compose = COMPOSE["services"][name]["environment"]
        assert set(harness) <= set(compose), name
        for key in ("DATABASE_URL", "DATABASE_REPLICA_URL"):
            host = re.search(r"@([\w.]+):", harness[key]).group(1)
            assert f"@{host}:" in compose[key], key
            assert compose[key].startswith(f"postgres://{APP_ROLE}:"), key  # not the owner
        assert compose["REDIS_URL"] == harness["REDIS_URL"]
        for key in (
            "DATABASE_PREPARE_THRESHOLD",
            "DATABASE_SERVER_SIDE_CURSORS",
            "DEBUG",
            "MIGRATE_ON_START",
        ):
            assert compose[key] == harness[key], key


def test_the_worker_runs_the_harness_command():
    assert COMPOSE["services"]["worker"]["command"] == ["python", *WORKER_COMMAND]


def test_pgbouncer_and_haproxy_are_configured_as_in_the_harness():
    pgbouncer = COMPOSE["configs"]["pgbouncer"]["content"]
    haproxy = COMPOSE["configs"]["haproxy"]["content"]
    for line in (
        "pool_mode = transaction",
        "ignore_startup_parameters = extra_float_digits,options",
    ):
        assert line in pgbouncer and line in HARNESS, line
    for line in ("option httpchk GET /healthz", "retry-on conn-failure", "option redispatch"):
        assert line in haproxy and line in HARNESS, line
    assert re.findall(r"server (\w+) ", haproxy) == ["app1", "app2"]
