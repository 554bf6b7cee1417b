"""Issue 17 item 9: the direccionamiento's schedule builds at most 120 rows and refuses more
(a regression test: its absolute_max already held)."""

import pytest

from supply.models import Direccionamiento

from .test_payer_views import row_data, url

pytestmark = pytest.mark.django_db


def test_a_schedule_of_40000_rows_is_refused(client, world):
    client.force_login(world["eps_admin"])
    data = row_data(provider=world["provider"].pk, rows=[(1, 30, 10)])
    data["entregas-TOTAL_FORMS"] = "40000"
    response = client.post(url("direct", world, world["lines"]["S1"].pk), data)
    assert response.status_code == 200
    assert "envíe 120 formularios como máximo" in response.content.decode()
    assert len(response.context["formset"].forms) == 120
    assert not Direccionamiento.objects.exists()
