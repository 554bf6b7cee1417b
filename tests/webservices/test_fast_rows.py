"""The lists read plain rows and write JSON with orjson (issue 12.3): the answer keeps
the contract's keys, order and types for a sample chain, and a request costs the same
number of queries whatever the number of records."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supply.models import Direccionamiento, Entrega, Programacion, ReporteEntrega

from .conftest import FAC, facturacion_body
from .test_supply import ws_chain_to_reporte, ws_direct

pytestmark = pytest.mark.django_db


def _stamp(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else None


def test_a_sample_chain_answers_the_contract(eps_ws, prov_ws, world):
    deliverable = ws_chain_to_reporte(eps_ws, prov_ws, world)
    assert prov_ws.put("Facturacion", facturacion_body(world), base=FAC).status_code == 200
    d = Direccionamiento.objects.select_related("provider", "entity", "payer_code").get()
    patient, number = world["patient"], world["prescription"].number
    head = {
        "NoPrescripcion": number,
        "TipoTec": "M",
        "ConTec": 1,
        "TipoIDPaciente": patient.document_type,
        "NoIDPaciente": patient.document_number,
        "NoEntrega": 1,
    }
    response = prov_ws.by_date("DireccionamientoXFecha")
    assert response["Content-Type"] == "application/json"
    assert response.json() == [
        {
            "ID": deliverable,
            "IDDireccionamiento": d.pk,
            **head,
            "NoSubEntrega": 0,
            "TipoIDProv": "NI",
            "NoIDProv": world["provider"].nit,
            "CodMunEnt": d.municipality_id,
            "FecMaxEnt": d.max_delivery_date.isoformat(),
            "CantTotAEntregar": "1",
            "DirPaciente": d.patient_address,
            "CodSerTecAEntregar": d.technology_code,
            "NoIDEPS": world["eps"].nit,
            "CodEPS": "EPT001",
            "FecDireccionamiento": _stamp(d.created_at),
            "EstDireccionamiento": 2,
            "FecAnulacion": None,
        }
    ]
    e, r = Entrega.objects.get(), ReporteEntrega.objects.get()
    [reporte] = prov_ws.by_prescription("ReporteEntregaXPrescripcion", number).json()
    assert reporte == {
        "ID": deliverable,
        "IDReporteEntrega": r.pk,
        **head,
        "EstadoEntrega": 1,
        "CausaNoEntrega": 0,
        "ValorEntregado": "25000",
        "CodTecEntregado": e.technology_code,
        "CantTotEntregada": "1",
        "NoLote": e.batch,
        "FecEntrega": e.delivered_on.isoformat(),
        "FecRepEntrega": _stamp(r.created_at),
        "EstRepEntrega": 2,
        "FecAnulacion": None,
    }
    p = Programacion.objects.select_related("sede__entity").get()
    [programacion] = prov_ws.by_patient("ProgramacionXPacienteFecha", patient).json()
    assert list(programacion)[:2] == ["ID", "IDProgramacion"]
    assert programacion["CodSedeProv"] == p.sede.code
    assert programacion["NoIDSedeProv"] == p.sede.entity.nit
    [factura] = prov_ws.by_date("FacturacionXFecha", base=FAC).json()
    assert factura["CantUnMinDis"] == "1" and factura["CodigosFacturacion"] == []
    # The bytes are compact UTF-8 JSON, as DRF's renderer wrote them.
    assert b'":' in response.content and b'": ' not in response.content


def test_queries_per_request_do_not_grow_with_the_records(eps_ws, prov_ws, world):
    ws_direct(eps_ws, world)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert prov_ws.by_date("DireccionamientoXFecha").status_code == 200
        return len(queries)

    prov_ws.by_date("DireccionamientoXFecha")  # the token's caller is read once, then cached
    one = count()
    first = Direccionamiento.objects.get()
    copies = []
    for _ in range(25):
        fields = {
            f.attname: getattr(first, f.attname) for f in Direccionamiento._meta.concrete_fields
        }
        fields.update(id=None, status=0, annulled_at=timezone.now())
        copies.append(Direccionamiento(**fields))
    Direccionamiento.objects.bulk_create(copies)
    assert len(prov_ws.by_date("DireccionamientoXFecha").json()) == 26
    assert count() == one
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    assert prov_ws.by_date("DireccionamientoXFecha", yesterday).json() == []
