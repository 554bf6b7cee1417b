"""A worklist filtered by a date out of range answers with the message beside the filter,
not a 500 (issue 17 §14: «hasta 9999-12-31» overflowed when its next day was worked out)."""

import pytest
from django.urls import reverse

from .conftest import direct

pytestmark = pytest.mark.django_db

MESSAGE = "Escriba una fecha entre el 01/01/1900 y el 31/12/2999."


@pytest.mark.parametrize(
    ("name", "who", "entity", "fields"),
    [
        ("to_program", "prov_admin", "provider", ("date_from", "date_to")),
        ("to_deliver", "dispensador", "provider", ("date_from", "date_to")),
        ("directed", "eps_admin", "eps", ("date_from", "date_to", "due_from", "due_to")),
        ("to_direct", "eps_admin", "eps", ("date_from", "date_to")),
    ],
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("fmt", ["", "csv"])
def test_a_date_out_of_range_is_refused_beside_the_filter(
    client, world, name, who, entity, fields, day, fmt
):
    direct(world, "M1")
    client.force_login(world[who])
    address = reverse(f"supply:{name}", args=[world[entity].external_id])
    for field in fields:
        response = client.get(address, {field: day, "formato": fmt})
        assert response.status_code == 200, (field, response.status_code)
        if not fmt:
            assert MESSAGE in response.content.decode(), field
