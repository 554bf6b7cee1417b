"""The entrega form pre-fills the programmed quantity in plain notation (issue 17 §7)."""

import pytest

from .conftest import direct, plan
from .test_provider_views import login, program, url

pytestmark = pytest.mark.django_db


def test_the_entrega_form_prefills_twenty_not_2e1(client, world):
    [direccionamiento] = direct(world, "S1", deliveries=[plan(1, "20")])
    programacion = program(world, direccionamiento)
    login(client, world["dispensador"])
    content = client.get(url("deliver", world["provider"], programacion.pk)).content.decode()
    assert 'name="quantity" value="20"' in content
    assert "E+" not in content
