"""The test harness: a throwaway PostgreSQL for the session, and the standard cast."""

import pytest
from django.db import connections
from django.test import TransactionTestCase

from entities.db_roles import grant_app_role
from mipres.lib.pgtemp import APP_ROLE, TempCluster

from .accounts.factories import UserFactory
from .entities.factories import EntityFactory, grant


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = TempCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(pg_cluster, django_db_modify_db_settings_parallel_suffix):
    """Point Django at the throwaway cluster before pytest-django creates the test DB."""
    for alias in connections:
        connections[alias].close()
        connections[alias].settings_dict.update(
            HOST=pg_cluster.host, PORT=str(pg_cluster.port), USER=pg_cluster.user, PASSWORD=""
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, pg_cluster):
    """The split a deployment has (docs/database-roles.md): the migrations ran as the
    cluster's superuser, the owner of every table; the tests connect as APP_ROLE, which
    may only read and append to the audit trail. Emptying the tables between transactional
    tests (TRUNCATE) and dropping the test database are the owner's."""
    with django_db_blocker.unblock():
        pg_cluster.create_app_role()
        grant_app_role(APP_ROLE)
    connect_as(APP_ROLE)
    flush = TransactionTestCase._fixture_teardown

    def flush_as_owner(self):
        connect_as(pg_cluster.user)
        try:
            flush(self)
        finally:
            connect_as(APP_ROLE)

    TransactionTestCase._fixture_teardown = flush_as_owner
    yield
    TransactionTestCase._fixture_teardown = flush
    connect_as(pg_cluster.user)


def connect_as(user: str) -> None:
    for alias in connections:
        connections[alias].close()
        connections[alias].settings_dict["USER"] = user


@pytest.fixture(autouse=True)
def _shipped_divipola_in_transactional_tests(request):
    """Transactional tests (browser tests, concurrency tests) start from a database emptied
    by the previous one, data migrations included: load the shipped DIVIPOLA rows again.
    (Serialized rollback cannot: Playwright's event loop gives the test another connection
    object than the one holding the serialized copy.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or (
        "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from entities.divipola import import_municipalities, starter_rows
    from entities.models import Department, Municipality

    import_municipalities(starter_rows(), Department, Municipality)


# The standard cast (STYLE R15): a delegate of the IPS, a member of it whose role grants
# less (a prescriptor), and a delegate of another IPS (the outsider).
@pytest.fixture
def ips(db):
    return EntityFactory(entity_type="IPS")


@pytest.fixture
def owner(ips):
    user = UserFactory()
    grant(user, ips, "delegado")
    return user


@pytest.fixture
def member_readonly(ips):
    user = UserFactory()
    grant(user, ips, "prescriptor")
    return user


@pytest.fixture
def other_ips(db):
    return EntityFactory(entity_type="IPS")


@pytest.fixture
def outsider(other_ips):
    user = UserFactory()
    grant(user, other_ips, "delegado")
    return user


@pytest.fixture
def ministry_admin(db):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="verify_entity"))
    return user


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """`with on_commit():` runs what the code inside queued for after its commit (emails):
    test transactions never commit, so those callbacks would otherwise never run."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
