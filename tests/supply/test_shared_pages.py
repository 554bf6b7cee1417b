"""The worklists and the timeline share what they read for SHARED_READ_SECONDS among the
entity's users who would see the same (mipres.db.shared_read): never across roles, sedes or
entities, and never for a session that just wrote.

These tests commit (`transaction=True`): a read inside a transaction, as in every other
test, always reads afresh."""

import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ..accounts.factories import UserFactory
from ..entities.factories import grant
from .conftest import direct, plan
from .test_provider_views import chains, deliveries, login, program, url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def colleague(world):
    """A second administrativo of the proveedor, in a browser of their own."""
    user = UserFactory()
    grant(user, world["provider"], "administrativo")
    return login(Client(), user)


def steps(response) -> list[str]:
    return re.findall(r'data-kind="([^"]+)"', response.content.decode())


def get(client, page):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def test_the_entitys_users_share_a_worklist_for_a_few_seconds(client, world, colleague, settings):
    settings.SHARED_READ_SECONDS = 1
    direct(world, "S1", deliveries=[plan(1, "30", days=5)])
    page = url("to_program", world["provider"])
    first, read = get(login(client, world["prov_admin"]), page)
    assert deliveries(first) == ["1"]

    direct(world, "S1", deliveries=[plan(2, "30", days=20)])  # the EPS directs another
    shared, shared_queries = get(colleague, page)
    assert deliveries(shared) == ["1"]  # what the first read, a moment ago
    assert shared_queries == read - 3  # no payers, rows nor deliverables read

    time.sleep(1.1)
    later, _ = get(colleague, page)
    assert deliveries(later) == ["1", "2"]


def test_another_query_string_is_another_page(client, world, colleague, settings):
    settings.SHARED_READ_SECONDS = 60
    chains(world, upto="direccionamiento")
    page = url("to_program", world["provider"])
    login(client, world["prov_admin"])
    assert deliveries(get(client, page)[0]) == ["1", "2", "3"]
    filtered, _ = get(colleague, page + "?light=a_tiempo")
    assert deliveries(filtered) == ["3"]
    hostile, _ = get(colleague, page + "?light=%00%ff&despues=" + "9" * 400)
    assert deliveries(hostile) == ["1", "2", "3"]


def test_a_session_that_wrote_reads_afresh_and_shares_it(client, world, colleague, settings):
    settings.SHARED_READ_SECONDS = 60
    first, second, _third = chains(world, upto="direccionamiento")
    page = url("to_program", world["provider"])
    login(client, world["prov_admin"])
    assert deliveries(get(client, page)[0]) == ["1", "2", "3"]

    posted = client.post(url("program", world["provider"], first.pk), {"sede": world["sede"].pk})
    assert posted.status_code == 302
    assert deliveries(get(client, page)[0]) == ["2", "3"]
    # The fresh page is what the entity's other users are now given.
    assert deliveries(get(colleague, page)[0]) == ["2", "3"]

    program(world, second)  # a colleague's write the first session did not make
    assert deliveries(get(colleague, page)[0]) == ["2", "3"]  # a few seconds old
    assert deliveries(get(client, page)[0]) == ["3"]  # pinned to what it reads


def test_roles_and_sedes_are_part_of_what_is_shared(client, world, settings):
    settings.SHARED_READ_SECONDS = 60
    programaciones = chains(world, upto="programacion")
    program(world, direct(world, "M1")[0], sede=world["sede2"])
    page = url("to_deliver", world["provider"])
    # A dispensador who also programs may annul a programación from the list.
    both = UserFactory()
    grant(both, world["provider"], "dispensador")
    grant(both, world["provider"], "administrativo")
    annul_link = url("annul", world["provider"], "programacion", programaciones[0].pk)
    with_annul, _ = get(login(Client(), both), page)
    assert deliveries(with_annul) == ["1", "1", "2", "3"]  # by FecMaxEnt: S1 1, M1 1, S1 2, 3
    assert annul_link in with_annul.content.decode()

    plain, _ = get(login(client, world["dispensador"]), page)
    assert deliveries(plain) == ["1", "1", "2", "3"]
    assert annul_link not in plain.content.decode()

    at_sede2 = UserFactory()
    grant(at_sede2, world["provider"], "dispensador").sedes.add(world["sede2"])
    assert deliveries(get(login(Client(), at_sede2), page)[0]) == ["1"]


def test_another_entity_never_gets_the_page(client, world, settings):
    settings.SHARED_READ_SECONDS = 60
    chains(world, upto="direccionamiento")
    login(client, world["prov_admin"])
    assert deliveries(get(client, url("to_program", world["provider"]))[0]) == ["1", "2", "3"]
    other = login(Client(), world["other_admin"])
    assert deliveries(get(other, url("to_program", world["other_provider"]))[0]) == []


def test_the_timeline_is_shared_like_the_worklists(client, world, colleague, settings):
    settings.SHARED_READ_SECONDS = 60
    [direccionamiento] = direct(world, "M1")
    page = url("prescription", world["provider"], world["prescription"].number)
    first, read = get(login(client, world["prov_admin"]), page)
    program(world, direccionamiento)
    shared, shared_queries = get(colleague, page)
    # The programación made since is not there yet: the same steps as the first read.
    assert steps(shared) == steps(first) == ["direccionamiento"]
    assert shared_queries < read


def test_zero_seconds_reads_every_time(client, world, colleague, settings):
    settings.SHARED_READ_SECONDS = 0
    direct(world, "S1", deliveries=[plan(1, "30", days=5)])
    page = url("to_program", world["provider"])
    assert deliveries(get(login(client, world["prov_admin"]), page)[0]) == ["1"]
    direct(world, "S1", deliveries=[plan(2, "30", days=20)])
    assert deliveries(get(colleague, page)[0]) == ["1", "2"]
