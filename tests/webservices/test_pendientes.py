"""The pendientes read extension (issue 15 §3; docs/webservices.md): the proveedor and the
payer read them like the other supply lists; another proveedor does not."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from supply.services import programacion_create
from supply.services.pendientes import pendiente_create

from ..supply.conftest import direct, plan

pytestmark = pytest.mark.django_db
BASE = "/WSSUMMIPRESNOPBS/api"


def test_pendientes_are_read_by_prescription(client, world, eps_ws, prov_ws, other_ws):
    programacion = programacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        direccionamiento=direct(world, deliveries=[plan(quantity="2")])[0],
        sede=world["sede"],
    )
    pendiente = pendiente_create(
        actor=world["dispensador"],
        entity=world["provider"],
        programacion=programacion,
        quantity=Decimal("2"),
        promised_at=timezone.now() + datetime.timedelta(hours=10),
    )
    number = world["prescription"].number
    for ws in (prov_ws, eps_ws):
        response = client.get(f"{BASE}/PendienteXPrescripcion/{ws.nit}/{ws.token}/{number}")
        assert response.status_code == 200
        [row] = response.json()
        assert row["IDPendiente"] == pendiente.pk and row["IDProgramacion"] == programacion.pk
        assert row["NoPrescripcion"] == number and row["CantPendiente"] == "2"
        assert row["EstPendiente"] == 1 and row["IDEntrega"] is None
        assert row["CodSedeProv"] == world["sede"].code and row["DirPaciente"] is None
    url = f"{BASE}/PendienteXPrescripcion/{other_ws.nit}/{other_ws.token}/{number}"
    assert client.get(url).json() == []
    today = timezone.localdate().isoformat()
    url = f"{BASE}/PendienteXFecha/{prov_ws.nit}/{prov_ws.token}/{today}"
    assert [row["IDPendiente"] for row in client.get(url).json()] == [pendiente.pk]
