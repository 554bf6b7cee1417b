"""A facturación never bills more minimum dispensing units than the entrega delivered
(issue 17.3): the proveedor's invoice form says so beside the field, in Spanish."""

import pytest

from supply.models import Facturacion

from .test_provider_views import chains, login, url

pytestmark = pytest.mark.django_db


def test_the_invoice_form_refuses_more_units_than_delivered(client, world):
    [reporte] = chains(world, upto="reporte")[:1]
    delivered = reporte.entrega.quantity
    login(client, world["prov_admin"])
    page = url("invoice", world["provider"], reporte.pk)
    data = {"invoice_number": "FE-1", "unit_value": "100", "cuota_moderadora": "", "copago": ""}
    response = client.post(page, {**data, "units": str(delivered + 1)})
    assert response.status_code == 200
    assert "superan las entregadas" in response.content.decode()
    assert not Facturacion.objects.exists()
    assert client.post(page, {**data, "units": str(delivered)}).status_code == 302
    assert Facturacion.objects.get().units == delivered
