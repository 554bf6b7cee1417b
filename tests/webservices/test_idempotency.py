"""Idempotency keys (issue 12.5): scoped to (credential, method, path), claimed with a
unique index before the write, so N concurrent requests with one key make one write and
N−1 identical replays, on PostgreSQL, with real threads."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection
from django.test import Client

from supply.models import Direccionamiento, NoDireccionamiento
from webservices import services
from webservices.models import IdempotentResponse

from ..entities.factories import PayerCodeFactory
from .conftest import GUIDS, Ws, direccionamiento_body

THREADS = 12


def _together(calls: list) -> list:
    barrier = Barrier(len(calls))

    def attempt(call):
        try:
            barrier.wait()
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(attempt, calls))


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_write_once_and_replay(world, creds):
    body = direccionamiento_body(world)
    callers = [Ws(Client(), world["eps"], GUIDS["eps"]) for _ in range(THREADS)]
    headers = {"Idempotency-Key": "race-1"}
    responses = _together(
        [lambda ws=ws: ws.put("Direccionamiento", body, headers=headers) for ws in callers]
    )
    assert [r.status_code for r in responses] == [200] * THREADS
    assert len({r.content for r in responses}) == 1
    replayed = [r for r in responses if r.headers.get("Idempotent-Replayed") == "true"]
    assert len(replayed) == THREADS - 1
    assert Direccionamiento.objects.count() == 1
    assert IdempotentResponse.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_refusals_are_replayed_too(world, creds):
    body = direccionamiento_body(world)
    first = Ws(Client(), world["eps"], GUIDS["eps"])
    assert first.put("Direccionamiento", body).status_code == 200
    callers = [Ws(Client(), world["eps"], GUIDS["eps"]) for _ in range(6)]
    headers = {"Idempotency-Key": "race-2"}
    responses = _together(
        [lambda ws=ws: ws.put("Direccionamiento", body, headers=headers) for ws in callers]
    )
    assert {r.status_code for r in responses} == {422}
    assert (
        len({r.content for r in responses}) == 1
        and "ya existe" in responses[0].json()["Message"].lower()
    )


@pytest.mark.django_db
def test_a_key_belongs_to_one_credential(client, world, creds):
    other_code = PayerCodeFactory(entity=world["eps"], code="EPS997", regime="subsidiado")
    guid = "66666666-6666-4666-8666-666666666666"
    services.credential_install(entity=world["eps"], payer_code=other_code, guid=guid)
    eps, other = Ws(client, world["eps"], GUIDS["eps"]), Ws(client, world["eps"], guid)
    headers = {"Idempotency-Key": "shared"}
    first = eps.put("Direccionamiento", direccionamiento_body(world), headers=headers)
    assert first.status_code == 200
    # The other payer code's request with the same key is its own (here refused: the
    # prescription is not under its code), not a replay of the first code's answer.
    second = other.put("NODireccionamiento", {"NoPrescripcion": "1"}, headers=headers)
    assert "Idempotent-Replayed" not in second.headers
    third = other.put("Direccionamiento", direccionamiento_body(world), headers=headers)
    assert "Idempotent-Replayed" not in third.headers and third.content != first.content
    # A retry of the first code with a fresh token of the same GUID still replays.
    again = Ws(client, world["eps"], GUIDS["eps"]).put(
        "Direccionamiento", direccionamiento_body(world), headers=headers
    )
    assert again.headers["Idempotent-Replayed"] == "true" and again.content == first.content
    assert Direccionamiento.objects.count() == 1 and not NoDireccionamiento.objects.exists()
