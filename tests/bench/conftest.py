"""bench/ loads national volume as the cluster's owner, a superuser (`make bench` runs it so,
docs/benchmarks.md): its set-based reference checks switch triggers off, which the
application's role may not do. These tests connect as the owner too."""

import pytest

from mipres.lib.pgtemp import APP_ROLE

from ..conftest import connect_as


@pytest.fixture(scope="module", autouse=True)
def _as_owner(django_db_setup, pg_cluster):
    connect_as(pg_cluster.user)
    yield
    connect_as(APP_ROLE)
