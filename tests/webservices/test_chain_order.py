"""Facturación follows the entrega, before or after the reporte de entrega (issue 12.2):
annulment follows creation order; a step whose earlier step is missing is a 422 with
Message/Code when the caller sees the ID, never a 404. A facturación never bills more
minimum dispensing units than were delivered (issue 17.3)."""

import pytest

from supply.models import Entrega, Facturacion, ReporteEntrega, StepStatus

from .conftest import FAC, entrega_body, facturacion_body, programacion_body, reporte_body
from .test_supply import ws_direct

pytestmark = pytest.mark.django_db


def _to_entrega(eps_ws, prov_ws, world, **entrega):
    deliverable = ws_direct(eps_ws, world)["Id"]
    assert prov_ws.put("Programacion", programacion_body(world, deliverable)).status_code == 200
    response = prov_ws.put("Entrega", entrega_body(deliverable, **entrega))
    assert response.status_code == 200, response.json()
    return deliverable, response.json()[0]["IdEntrega"]


def _refused(response, code):
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["Code"] == code and body["Message"]
    return body


def test_facturacion_before_the_reporte_then_annulment_in_creation_order(eps_ws, prov_ws, world):
    deliverable, entrega = _to_entrega(eps_ws, prov_ws, world)
    invoiced = prov_ws.put("Facturacion", facturacion_body(world), base=FAC)
    assert invoiced.status_code == 200, invoiced.json()
    factura = invoiced.json()[0]["IdFacturacion"]
    assert Facturacion.objects.get(pk=factura).reporte_id is None
    again = prov_ws.put("Facturacion", facturacion_body(world), base=FAC)
    assert "ya existe" in _refused(again, "duplicate")["Message"].lower()
    reported = prov_ws.put("ReporteEntrega", reporte_body(deliverable))
    assert reported.status_code == 200, reported.json()
    reporte = reported.json()[0]["IdReporteEntrega"]
    # The reporte came last: it is annulled first; the entrega waits for both.
    _refused(prov_ws.annul("AnularEntrega", entrega), "not_newest")
    _refused(prov_ws.annul("FacturacionAnular", factura, base=FAC), "not_newest")
    assert prov_ws.annul("AnularReporteEntrega", reporte).status_code == 200
    _refused(prov_ws.annul("AnularEntrega", entrega), "not_newest")
    assert prov_ws.annul("FacturacionAnular", factura, base=FAC).status_code == 200
    assert Entrega.objects.get(pk=entrega).status == StepStatus.ACTIVO
    assert prov_ws.annul("AnularEntrega", entrega).status_code == 200


def test_facturacion_after_the_reporte_is_annulled_first(eps_ws, prov_ws, world):
    deliverable, _entrega = _to_entrega(eps_ws, prov_ws, world)
    reporte = prov_ws.put("ReporteEntrega", reporte_body(deliverable)).json()[0]
    factura = prov_ws.put("Facturacion", facturacion_body(world), base=FAC).json()[0]
    assert ReporteEntrega.objects.get(pk=reporte["IdReporteEntrega"]).status == 2
    _refused(prov_ws.annul("AnularReporteEntrega", reporte["IdReporteEntrega"]), "not_newest")
    assert prov_ws.annul("FacturacionAnular", factura["IdFacturacion"], base=FAC).status_code == 200
    assert ReporteEntrega.objects.get(pk=reporte["IdReporteEntrega"]).status == 1
    assert prov_ws.annul("AnularReporteEntrega", reporte["IdReporteEntrega"]).status_code == 200


def test_a_missing_earlier_step_is_a_422_not_a_404(eps_ws, prov_ws, other_ws, world):
    deliverable = ws_direct(eps_ws, world)["Id"]
    # Directed, not yet programmed: no entrega to report or invoice.
    _refused(prov_ws.put("Entrega", entrega_body(deliverable)), "chain_not_ready")
    _refused(prov_ws.put("ReporteEntrega", reporte_body(deliverable)), "chain_not_ready")
    _refused(prov_ws.put("Facturacion", facturacion_body(world), base=FAC), "chain_not_ready")
    assert prov_ws.put("Programacion", programacion_body(world, deliverable)).status_code == 200
    _refused(prov_ws.put("ReporteEntrega", reporte_body(deliverable)), "chain_not_ready")
    _refused(prov_ws.put("Facturacion", facturacion_body(world), base=FAC), "chain_not_ready")
    # Another proveedor does not see the ID at all.
    assert other_ws.put("ReporteEntrega", reporte_body(deliverable)).status_code == 404
    assert other_ws.put("Facturacion", facturacion_body(world), base=FAC).status_code == 404
    assert prov_ws.put("ReporteEntrega", reporte_body(999999)).status_code == 404


def test_a_facturacion_never_bills_more_units_than_delivered(eps_ws, prov_ws, world):
    _to_entrega(eps_ws, prov_ws, world)
    over = facturacion_body(world, CantUnMinDis="2", ValorTotFacturado="50000")
    body = _refused(prov_ws.put("Facturacion", over, base=FAC), "over_delivered")
    assert "superan las entregadas" in body["Message"]
    assert not Facturacion.objects.exists()
    assert prov_ws.put("Facturacion", facturacion_body(world), base=FAC).status_code == 200


def test_an_invoiced_entrega_cannot_be_reported_as_not_delivered(eps_ws, prov_ws, world, causes):
    deliverable, _entrega = _to_entrega(eps_ws, prov_ws, world)
    assert prov_ws.put("Facturacion", facturacion_body(world), base=FAC).status_code == 200
    refused = prov_ws.put(
        "ReporteEntrega", reporte_body(deliverable, EstadoEntrega=0, CausaNoEntrega=7)
    )
    _refused(refused, "invoiced")
