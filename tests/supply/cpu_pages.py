"""CPU per page in-process (not collected: run it by path). Prints ms of process time per GET."""

import time

import pytest
from django.urls import reverse

from .conftest import direct, plan
from .test_provider_views import deliver, program, report

pytestmark = pytest.mark.django_db
N = 150


def cpu(client, path):
    for _ in range(10):
        assert client.get(path).status_code == 200
    start = time.process_time()
    for _ in range(N):
        client.get(path)
    return (time.process_time() - start) / N * 1000


def test_cpu(client, world):
    steps = direct(world, "S1", deliveries=[plan(i, "1", days=i) for i in range(1, 26)])
    for step in steps[:3]:
        report(world, deliver(world, program(world, step)))
    prov, eps = world["provider"].external_id, world["eps"].external_id
    number = world["prescription"].number
    figures = {}
    client.force_login(world["prov_admin"])
    figures["to_program (22 rows)"] = cpu(client, reverse("supply:to_program", args=[prov]))
    figures["timeline (25 chains)"] = cpu(
        client, reverse("supply:prescription", args=[prov, number])
    )
    client.force_login(world["dispensador"])
    figures["to_deliver"] = cpu(client, reverse("supply:to_deliver", args=[prov]))
    client.force_login(world["eps_admin"])
    figures["to_direct"] = cpu(client, reverse("supply:to_direct", args=[eps]))
    figures["directed (25 rows)"] = cpu(client, reverse("supply:directed", args=[eps]))
    figures["timeline as payer"] = cpu(client, reverse("supply:prescription", args=[eps, number]))
    with open("/tmp/cpu/figures.txt", "a") as out:
        for name, ms in figures.items():
            print(f"{name}: {ms:.2f} ms", file=out)
        print("--", file=out)
