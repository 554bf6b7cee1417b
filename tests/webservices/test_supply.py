"""The supply endpoints of WSSUMMIPRESNOPBS and WSFACMIPRESNOPBS through the services."""

import datetime

import pytest

from entities.models import AuditEntry
from supply.models import Direccionamiento, Entrega, Programacion, StepStatus

from .conftest import (
    FAC,
    direccionamiento_body,
    entrega_body,
    facturacion_body,
    programacion_body,
    reporte_body,
)

pytestmark = pytest.mark.django_db


def ws_direct(eps_ws, world, **overrides):
    response = eps_ws.put("Direccionamiento", direccionamiento_body(world, **overrides))
    assert response.status_code == 200, response.json()
    (answer,) = response.json()
    return answer


def ws_chain_to_reporte(eps_ws, prov_ws, world):
    answer = ws_direct(eps_ws, world)
    deliverable = answer["Id"]
    assert prov_ws.put("Programacion", programacion_body(world, deliverable)).status_code == 200
    assert prov_ws.put("Entrega", entrega_body(deliverable)).status_code == 200
    response = prov_ws.put("ReporteEntrega", reporte_body(deliverable))
    assert response.status_code == 200, response.json()
    return deliverable


def test_direccionamiento_put_answers_id_pair_and_goes_through_the_service(eps_ws, world):
    answer = ws_direct(eps_ws, world)
    record = Direccionamiento.objects.get(pk=answer["IdDireccionamiento"])
    assert set(answer) == {"Id", "IdDireccionamiento"}
    assert answer["Id"] == record.deliverable_id
    assert record.channel == "ws" and record.created_by is None
    assert record.payer_code == world["code"]
    assert AuditEntry.objects.filter(
        action="supply.direccionamiento.created", object_id=str(record.pk)
    ).exists()


def test_numbers_as_strings_and_names_in_any_case(eps_ws, world):
    body = direccionamiento_body(world, ConTec="1", NoEntrega="1", CantTotAEntregar=1)
    body["noprescripcion"] = body.pop("NoPrescripcion")
    response = eps_ws.put("Direccionamiento", body)
    assert response.status_code == 200, response.json()


def test_duplicate_direccionamiento_says_ya_existe_with_code(eps_ws, world):
    ws_direct(eps_ws, world)
    response = eps_ws.put("Direccionamiento", direccionamiento_body(world))
    assert response.status_code == 422
    body = response.json()
    assert "ya existe" in body["Message"].lower()
    assert body["Code"] == "duplicate"
    assert isinstance(body["Errors"], list) and body["Errors"]


def test_business_refusal_is_422_with_the_service_code(eps_ws, world):
    response = eps_ws.put("Direccionamiento", direccionamiento_body(world, CantTotAEntregar="5"))
    assert response.status_code == 422
    assert response.json()["Code"] == "over_total"
    past = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    response = eps_ws.put("Direccionamiento", direccionamiento_body(world, FecMaxEnt=past))
    assert response.status_code == 422 and response.json()["Code"] == "date_past"
    outside = direccionamiento_body(world, NoIDProv=world["other_provider"].nit)
    assert eps_ws.put("Direccionamiento", outside).json()["Code"] == "network"


def test_malformed_bodies_are_400(eps_ws, world):
    response = eps_ws.put("Direccionamiento", raw="{not json")
    assert response.status_code == 400 and "Message" in response.json()
    response = eps_ws.put("Direccionamiento", direccionamiento_body(world, ConTec="uno"))
    assert response.status_code == 400
    assert any("ConTec" in error for error in response.json()["Errors"])
    response = eps_ws.put("Direccionamiento", direccionamiento_body(world, FecMaxEnt="10/10/2026"))
    assert response.status_code == 400
    response = eps_ws.put("Direccionamiento", [1, 2])
    assert response.status_code == 400
    body = direccionamiento_body(world)
    del body["NoEntrega"]
    assert eps_ws.put("Direccionamiento", body).status_code == 400


def test_unknown_prescription_or_line_is_404(eps_ws, world):
    missing = direccionamiento_body(world, NoPrescripcion="20990101000000000001")
    assert eps_ws.put("Direccionamiento", missing).status_code == 404
    assert eps_ws.put("Direccionamiento", direccionamiento_body(world, ConTec=9)).status_code == 404


def test_patient_mismatch_is_refused(eps_ws, world):
    body = direccionamiento_body(world, NoIDPaciente="999")
    response = eps_ws.put("Direccionamiento", body)
    assert response.status_code == 422 and response.json()["Code"] == "patient_mismatch"


def test_provider_token_cannot_direct(prov_ws, world):
    response = prov_ws.put("Direccionamiento", direccionamiento_body(world))
    assert response.status_code == 403
    assert Direccionamiento.objects.count() == 0


def test_full_proveedor_chain_and_lists(eps_ws, prov_ws, world):
    deliverable = ws_direct(eps_ws, world)["Id"]
    listed = prov_ws.by_date("DireccionamientoXFecha").json()
    assert [row["ID"] for row in listed] == [deliverable]
    row = listed[0]
    assert row["EstDireccionamiento"] == 1 and row["NoIDPaciente"] == "43000111"
    assert row["NoIDProv"] == world["provider"].nit and row["CodEPS"] == "EPT001"
    assert len(row["FecDireccionamiento"]) == 16  # AAAA-MM-DD HH:mm

    answer = prov_ws.put("Programacion", programacion_body(world, deliverable)).json()[0]
    assert set(answer) == {"Id", "IdProgramacion"}
    assert prov_ws.by_date("DireccionamientoXFecha").json()[0]["EstDireccionamiento"] == 2
    programacion = prov_ws.by_prescription(
        "ProgramacionXPrescripcion", world["prescription"].number
    ).json()
    assert programacion[0]["IDProgramacion"] == answer["IdProgramacion"]
    assert programacion[0]["CodSedeProv"] == world["sede"].code

    entrega = prov_ws.put("Entrega", entrega_body(deliverable)).json()[0]
    assert set(entrega) == {"Id", "IdEntrega"}
    rows = prov_ws.by_patient("EntregaXPacienteFecha", world["patient"]).json()
    assert rows[0]["IDEntrega"] == entrega["IdEntrega"] and rows[0]["EntTotal"] == 1

    codes = prov_ws.put(
        "EntregaCodigos",
        {"IDEntrega": entrega["IdEntrega"], "CodSerTecEntregado": "X", "CantTotEntregada": 1},
    )
    assert codes.status_code == 200 and codes.json()[0]["IdEntrega"] == entrega["IdEntrega"]

    reporte = prov_ws.put("ReporteEntrega", reporte_body(deliverable)).json()[0]
    rows = prov_ws.by_date("ReporteEntregaXFecha").json()
    assert rows[0]["IDReporteEntrega"] == reporte["IdReporteEntrega"]
    assert rows[0]["CodTecEntregado"] == "19943546-01" and rows[0]["ValorEntregado"] == "25000"

    factura = prov_ws.put("Facturacion", facturacion_body(world), base=FAC)
    assert factura.status_code == 200, factura.json()
    factura = factura.json()[0]
    rows = prov_ws.by_date("FacturacionXFecha", base=FAC).json()
    assert rows[0]["IDFacturacion"] == factura["IdFacturacion"]
    assert rows[0]["ValorTotFacturado"] == "25000" and rows[0]["CodEPS"] == "EPT001"

    # The EPS sees its code's supply records too.
    assert eps_ws.by_date("EntregaXFecha").json()[0]["IDEntrega"] == entrega["IdEntrega"]
    datos = eps_ws.put(
        "DatosFacturados",
        {"ID": deliverable, "CompAdm": 3, "CantTotEnt": "1"},
        base=FAC,
    )
    assert datos.status_code == 200, datos.json()
    assert set(datos.json()[0]) == {"Id", "IDDatosFacturado"}
    rows = eps_ws.by_prescription(
        "DatosFacturadosxPrescripcion", world["prescription"].number, base=FAC
    ).json()
    assert rows[0]["IDDatosFacturado"] == datos.json()[0]["IDDatosFacturado"]

    # Annulment in reverse order.
    assert (
        eps_ws.annul("DatosFacturadosAnular", rows[0]["IDDatosFacturado"], base=FAC).status_code
        == 200
    )
    refused = prov_ws.annul("AnularEntrega", entrega["IdEntrega"])
    assert refused.status_code == 422 and refused.json()["Code"] == "not_newest"
    assert prov_ws.annul("FacturacionAnular", factura["IdFacturacion"], base=FAC).status_code == 200
    assert prov_ws.annul("AnularReporteEntrega", reporte["IdReporteEntrega"]).status_code == 200
    assert prov_ws.annul("AnularEntrega", entrega["IdEntrega"]).status_code == 200
    assert prov_ws.annul("AnularProgramacion", answer["IdProgramacion"]).status_code == 200
    annulled = prov_ws.by_date("ProgramacionXFecha").json()[0]
    assert annulled["EstProgramacion"] == 0 and annulled["FecAnulacion"]
    record = Programacion.objects.get(pk=answer["IdProgramacion"])
    assert record.annulment_reason == "Anulado por servicio web"


def test_annul_refusals(eps_ws, prov_ws, other_ws, world):
    answer = ws_direct(eps_ws, world)
    assert eps_ws.annul("AnularDireccionamiento", "abc").status_code == 400
    assert eps_ws.annul("AnularDireccionamiento", 999999).status_code == 404
    # Another entity's token does not find it.
    assert other_ws.annul("AnularDireccionamiento", answer["IdDireccionamiento"]).status_code == 404
    ok = eps_ws.annul("AnularDireccionamiento", answer["IdDireccionamiento"])
    assert ok.status_code == 200
    assert ok.json() == [{"Id": answer["Id"], "IdDireccionamiento": answer["IdDireccionamiento"]}]
    again = eps_ws.annul("AnularDireccionamiento", answer["IdDireccionamiento"])
    assert again.status_code == 422 and again.json()["Code"] == "already_annulled"


def test_programacion_refusals(eps_ws, prov_ws, other_ws, world):
    deliverable = ws_direct(eps_ws, world)["Id"]
    # Not directed to the other proveedor: nothing to program.
    assert other_ws.put("Programacion", programacion_body(world, deliverable)).status_code == 404
    bad_sede = programacion_body(world, deliverable, CodSedeProv="77")
    assert prov_ws.put("Programacion", bad_sede).json()["Code"] == "sede_unknown"
    assert prov_ws.put("Programacion", programacion_body(world, deliverable)).status_code == 200
    again = prov_ws.put("Programacion", programacion_body(world, deliverable))
    assert again.status_code == 422 and "ya existe" in again.json()["Message"].lower()


def test_entrega_refusals(eps_ws, prov_ws, world):
    deliverable = ws_direct(eps_ws, world)["Id"]
    prov_ws.put("Programacion", programacion_body(world, deliverable))
    no_batch = prov_ws.put("Entrega", entrega_body(deliverable, NoLote=""))
    assert no_batch.status_code == 422 and no_batch.json()["Code"] == "batch_required"
    partial = prov_ws.put("Entrega", entrega_body(deliverable, CantTotEntregada="0", EntTotal=0))
    assert partial.status_code == 422 and partial.json()["Code"] == "cause_required"
    unknown = prov_ws.put(
        "Entrega", entrega_body(deliverable, EntTotal=0, CantTotEntregada=0, CausaNoEntrega=99)
    )
    assert unknown.json()["Code"] == "cause_unknown"
    assert Entrega.objects.count() == 0


def test_idempotency_key_replays_the_first_answer(eps_ws, world):
    headers = {"Idempotency-Key": "abc-123"}
    first = eps_ws.put("Direccionamiento", direccionamiento_body(world), headers=headers)
    second = eps_ws.put("Direccionamiento", direccionamiento_body(world), headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Direccionamiento.objects.count() == 1
    # Without the key, the repeat is the duplicate refusal.
    assert eps_ws.put("Direccionamiento", direccionamiento_body(world)).status_code == 422


def test_xmany_answers_one_result_per_item_in_order(eps_ws, world):
    items = [
        direccionamiento_body(world, number=1),
        direccionamiento_body(world, number=1),
        direccionamiento_body(world, ConTec="x"),
        direccionamiento_body(world, line="P1", number=1),
    ]
    response = eps_ws.post("DireccionamientoXMany", items)
    assert response.status_code == 200
    results = response.json()
    assert [r["Status"] for r in results] == [200, 422, 400, 200]
    assert "IdDireccionamiento" in results[0] and "ya existe" in results[1]["Message"].lower()
    assert eps_ws.post("DireccionamientoXMany", {"a": 1}).status_code == 400


def test_no_direccionamiento_and_lists(eps_ws, world):
    body = {
        "NoPrescripcion": world["prescription"].number,
        "TipoTec": "P",
        "ConTec": 1,
        "TipoIDPaciente": "CC",
        "NoIDPaciente": "43000111",
        "CausaNoEntrega": 7,
        "NoPrescripcionAsociada": None,
        "ConTecAsociada": None,
    }
    refused = eps_ws.put("NODireccionamiento", {**body, "CausaNoEntrega": 2})
    assert refused.status_code == 422 and refused.json()["Code"] == "cause_type"
    response = eps_ws.put("NODireccionamiento", body)
    assert response.status_code == 200, response.json()
    record_id = response.json()[0]["IdNoDireccionamiento"]
    (row,) = eps_ws.by_date("NODireccionamientoXFecha").json()
    assert row["IDNODireccionamiento"] == record_id and row["CausaNoEntrega"] == 7
    # The line is no longer directed.
    directed = eps_ws.put("Direccionamiento", direccionamiento_body(world, line="P1"))
    assert directed.status_code == 422 and directed.json()["Code"] == "no_direccionada"
    assert eps_ws.annul("AnularNODireccionamiento", record_id).status_code == 200


def test_suministro(eps_ws, prov_ws, world):
    deliverable = ws_direct(eps_ws, world)["Id"]
    prov_ws.put("Programacion", programacion_body(world, deliverable))
    prov_ws.put("Entrega", entrega_body(deliverable))
    body = {
        "ID": deliverable,
        "UltEntrega": 1,
        "EntregaCompleta": 1,
        "CausaNoEntrega": 0,
        "CantTotEntregada": "1",
        "NoLote": "L-1",
        "ValorEntregado": "25000",
    }
    response = eps_ws.put("Suministro", body)
    assert response.status_code == 200, response.json()
    suministro = response.json()[0]["IdSuministro"]
    rows = eps_ws.by_prescription("SuministroXPrescripcion", world["prescription"].number).json()
    assert rows[0]["IDSuministro"] == suministro and rows[0]["EstSuministro"] == 1
    assert prov_ws.put("Suministro", body).status_code == 403
    assert eps_ws.annul("AnularSuministro", suministro).status_code == 200


def test_facturacion_of_an_unknown_delivery_is_404_then_once(eps_ws, prov_ws, world):
    assert prov_ws.put("Facturacion", facturacion_body(world), base=FAC).status_code == 404
    ws_chain_to_reporte(eps_ws, prov_ws, world)
    assert prov_ws.put("Facturacion", facturacion_body(world), base=FAC).status_code == 200
    again = prov_ws.put("Facturacion", facturacion_body(world), base=FAC)
    assert again.status_code == 422 and "ya existe" in again.json()["Message"].lower()
    both = facturacion_body(world, CuotaModer="10", Copago="10")
    # (refused before anything, even though the reporte is already invoiced)
    assert prov_ws.put("Facturacion", both, base=FAC).status_code == 422


def test_scoping_other_tokens_see_nothing(eps_ws, prov_ws, other_ws, ips_ws, world):
    deliverable = ws_chain_to_reporte(eps_ws, prov_ws, world)
    number = world["prescription"].number
    for ws in (other_ws, ips_ws):
        for op in ("DireccionamientoXFecha", "ProgramacionXFecha", "EntregaXFecha"):
            assert ws.by_date(op).json() == []
        assert ws.by_prescription("ReporteEntregaXPrescripcion", number).json() == []
    assert other_ws.put("Entrega", entrega_body(deliverable)).status_code == 404
    # Another code of the same EPS sees nothing of EPT001's.
    from webservices import services

    from ..entities.factories import PayerCodeFactory
    from .conftest import Ws

    code = PayerCodeFactory(entity=world["eps"], code="EPS999", regime="subsidiado")
    services.credential_install(
        entity=world["eps"], payer_code=code, guid="5" * 8 + "-5555-4555-8555-" + "5" * 12
    )
    subsidiado = Ws(eps_ws.client, world["eps"], "5" * 8 + "-5555-4555-8555-" + "5" * 12)
    assert subsidiado.by_date("DireccionamientoXFecha").json() == []
    assert subsidiado.by_date("EntregaXFecha").json() == []
    assert eps_ws.by_date("DireccionamientoXFecha").json() != []
    assert subsidiado.annul("AnularDireccionamiento", 1).status_code == 404


def test_entrega_ambito_by_the_prescribing_ips(ips_ws, world):
    body = {
        "NoPrescripcion": world["prescription"].number,
        "TipoTec": "M",
        "ConTec": 1,
        "TipoIDPaciente": "CC",
        "NoIDPaciente": "43000111",
        "NoEntrega": 1,
        "CodSerTecEntregado": "19943546-01",
        "CantTotEntregada": "1",
        "EntTotal": 1,
        "CausaNoEntrega": 0,
        "FecEntrega": datetime.date.today().isoformat(),
        "NoLote": "L1",
    }
    response = ips_ws.put("EntregaAmbito", body)
    # The world's prescription is ambulatory: the service refuses it in MIPRES's words.
    assert response.status_code == 422 and response.json()["Code"] == "not_ambito"
    assert ips_ws.by_date("EntregaAmbitoXFecha").json() == []


def test_records_keep_their_state_codes(eps_ws, world):
    answer = ws_direct(eps_ws, world)
    eps_ws.annul("AnularDireccionamiento", answer["IdDireccionamiento"])
    row = eps_ws.by_prescription(
        "DireccionamientoXPrescripcion", world["prescription"].number
    ).json()[0]
    assert row["EstDireccionamiento"] == StepStatus.ANULADO


def test_every_record_type_has_the_documented_keys_in_order(eps_ws, prov_ws, world):
    from supply.models import DatosFacturados, Suministro
    from webservices.serializers.supply import FIELDS, ROWS

    deliverable = ws_chain_to_reporte(eps_ws, prov_ws, world)
    prov_ws.put("Facturacion", facturacion_body(world), base=FAC)
    eps_ws.put("DatosFacturados", {"ID": deliverable, "CompAdm": 3, "CantTotEnt": 1}, base=FAC)
    body = {
        "ID": deliverable,
        "UltEntrega": 1,
        "EntregaCompleta": 1,
        "CantTotEntregada": 1,
        "ValorEntregado": 1,
    }
    eps_ws.put("Suministro", body)
    assert DatosFacturados.objects.exists() and Suministro.objects.exists()
    types = {"integer": int, "string": str, "number-or-string": str, "array": list}
    for model, (row, columns) in ROWS.items():
        for values in model.objects.values(*columns):
            answer = row(values)
            assert list(answer) == [name for name, _kind in FIELDS[model]], model
            for name, kind in FIELDS[model]:
                if kind in types:
                    assert isinstance(answer[name], types[kind]), (model, name)


def test_idempotency_key_misuse(eps_ws, world):
    body = direccionamiento_body(world)
    assert (
        eps_ws.put("Direccionamiento", body, headers={"Idempotency-Key": "k" * 201}).status_code
        == 400
    )
    assert (
        eps_ws.put("Direccionamiento", body, headers={"Idempotency-Key": "a\tb"}).status_code == 400
    )
    created = eps_ws.put("Direccionamiento", body, headers={"Idempotency-Key": "k1"})
    assert created.status_code == 200
    # Keys are scoped to the method and path: another operation's k1 is its own.
    other = eps_ws.put("NODireccionamiento", {}, headers={"Idempotency-Key": "k1"})
    assert other.status_code == 400 and "Idempotent-Replayed" not in other.headers
    # The same key with another body is refused (a batch too: its one 422).
    changed = eps_ws.put(
        "Direccionamiento", {**body, "NoEntrega": 2}, headers={"Idempotency-Key": "k1"}
    )
    assert changed.status_code == 422 and changed.json()["Code"] == "idempotency_key_reused"
    assert eps_ws.post("NODireccionamientoXMany", [{}], headers={"Idempotency-Key": "b1"})
    batch = eps_ws.post("NODireccionamientoXMany", [{}, {}], headers={"Idempotency-Key": "b1"})
    assert batch.status_code == 422 and batch.json()["Code"] == "idempotency_key_reused"
    # A refusal is replayed too: the first answer, whatever it was.
    first = eps_ws.put("Direccionamiento", body, headers={"Idempotency-Key": "k2"})
    assert first.status_code == 422
    # Even if the world changed meanwhile (the direccionamiento is annulled now).
    eps_ws.annul("AnularDireccionamiento", created.json()[0]["IdDireccionamiento"])
    again = eps_ws.put("Direccionamiento", body, headers={"Idempotency-Key": "k2"})
    assert again.status_code == 422 and again.json() == first.json()


def test_entrega_ambito_of_a_hospital_prescription_then_reporte(ips_ws, world, catalog):
    from prescriptions.services.prescribing import prescription_issue

    from ..prescriptions.conftest import medicine_line

    hospital = prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=world["patient"],
        care_setting=22,
        diagnosis=catalog["dx"],
        lines=[medicine_line(catalog)],
    )
    body = {
        "NoPrescripcion": hospital.number,
        "TipoTec": "M",
        "ConTec": 1,
        "TipoIDPaciente": "CC",
        "NoIDPaciente": "43000111",
        "NoEntrega": 1,
        "CodSerTecEntregado": "19943546-01",
        "CantTotEntregada": "2",
        "EntTotal": 1,
        "CausaNoEntrega": 0,
        "FecEntrega": datetime.date.today().isoformat(),
        "NoLote": "L1",
    }
    response = ips_ws.put("EntregaAmbito", body)
    assert response.status_code == 200, response.json()
    answer = response.json()[0]
    (row,) = ips_ws.by_date("EntregaAmbitoXFecha").json()
    assert row["IDEntrega"] == answer["IdEntrega"] and row["NoIDRecibe"] == "43000111"
    reporte = ips_ws.put("ReporteEntrega", reporte_body(answer["Id"]))
    assert reporte.status_code == 200, reporte.json()
    refused = ips_ws.annul("AnularEntregaAmbito", answer["IdEntrega"])
    assert refused.status_code == 422 and refused.json()["Code"] == "not_newest"
    reporte_id = reporte.json()[0]["IdReporteEntrega"]
    assert ips_ws.annul("AnularReporteEntrega", reporte_id).status_code == 200
    assert ips_ws.annul("AnularEntregaAmbito", answer["IdEntrega"]).status_code == 200


def test_lists_cost_a_constant_number_of_queries(eps_ws, prov_ws, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(ws, op):
        with CaptureQueriesContext(connection) as queries:
            assert ws.by_date(op).status_code == 200
        return len(queries)

    first = ws_direct(eps_ws, world)["Id"]
    prov_ws.put("Programacion", programacion_body(world, first))
    ops = ("DireccionamientoXFecha", "ProgramacionXFecha")
    one = {op: count(prov_ws, op) for op in ops}
    for number, line in ((2, "M1"), (1, "P1")):
        deliverable = ws_direct(eps_ws, world, number=number, line=line)["Id"]
        prov_ws.put("Programacion", programacion_body(world, deliverable))
    assert len(prov_ws.by_date("ProgramacionXFecha").json()) == 3
    assert {op: count(prov_ws, op) for op in ops} == one
