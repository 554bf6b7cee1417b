"""bench/ loads national volume as the cluster's owner, a superuser (`make bench` runs it so,
docs/benchmarks.md): its set-based reference checks switch triggers off, which the
application's role may not do. These tests connect as the owner too."""

import pytest

from mipres.lib.pgtemp import APP_ROLE

from ..conftest import connect_as


@pytest.fixture(scope="module", autouse=True)
def _as_owner(request):
    if request.node.get_closest_marker("django_db") is None:
        # A module without the database (run.py's page list): pytest-django creates no test
        # database for it when it runs alone, so there is nobody to connect as.
        yield
        return
    request.getfixturevalue("django_db_setup")
    connect_as(request.getfixturevalue("pg_cluster").user)
    yield
    connect_as(APP_ROLE)
