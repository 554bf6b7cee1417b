# ruff: noqa: F811  (the imported fixture is a parameter of the tests below)
"""The consultas share what they read for SHARED_READ_SECONDS among the entity's users who
would see the same (mipres.db.shared_page); «Mis prescripciones», one professional's own,
is never shared. These tests commit (`transaction=True`): inside a test transaction every
read is fresh."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ..accounts.factories import UserFactory
from ..entities.factories import grant
from .test_consultas import _numbers, world  # noqa: F401  (fixture)
from .test_prescription_views import issue, url

pytestmark = pytest.mark.django_db(transaction=True)


def get(client, page):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def test_mis_prescripciones_is_never_shared_between_professionals(client, world, settings):
    settings.SHARED_READ_SECONDS = 60
    page = url("prescription_list_own", world["ips"])
    client.force_login(world["medico"])
    assert _numbers(get(client, page)[0]) == {world["mine"].number}
    colleague = Client()
    colleague.force_login(world["colleague"])
    assert _numbers(get(colleague, page)[0]) == {world["colleagues"].number}


def test_the_entitys_list_is_shared_for_a_few_seconds(
    client, world, prescribing, catalog, settings
):
    settings.SHARED_READ_SECONDS = 60
    page = url("prescription_list_entity", world["ips"])
    client.force_login(world["admision"])
    first, read = get(client, page)
    listed = {world["mine"].number, world["colleagues"].number}
    assert _numbers(first) == listed

    issue(prescribing, catalog)  # a médico prescribes meanwhile
    other = UserFactory()
    grant(other, world["ips"], "admision")
    colleague = Client()
    colleague.force_login(other)
    shared, shared_queries = get(colleague, page)
    assert _numbers(shared) == listed  # a few seconds old
    assert shared_queries < read
    settings.SHARED_READ_SECONDS = 0
    assert len(_numbers(get(colleague, page)[0])) == 3
