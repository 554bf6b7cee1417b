"""The Jinja2 environment's filters (mipres.jinja_env) write what Django's would."""

import pytest

from entities.models import Entity
from mipres.jinja_env import display
from prescriptions.models import TechnologyLine

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (TechnologyLine, {"technology_type": "M", "supply_type": 1, "junta_status": 2}),
        (TechnologyLine, {"technology_type": "S", "supply_type": 2, "junta_status": 4}),
        (Entity, {"entity_type": "EPS"}),
    ],
)
def test_display_is_get_field_display(model, values):
    instance = model(**values)
    for name in values:
        assert display(instance, name) == getattr(instance, f"get_{name}_display")()


def test_display_of_a_value_outside_the_choices_writes_the_value():
    line = TechnologyLine(supply_type=99)
    assert display(line, "supply_type") == str(line.get_supply_type_display()) == "99"
