"""The prescription service's bundles read plain rows and write JSON with orjson (issue
12.3). Their keys, key order and JSON value types are those the model-instance serializer
answered (captured in prescription_bundles_shape.json before the switch) for a sample holding
every technology type, a transcription, an annulled prescription with its novedad, a Junta
decision and tutelas with and without fallosAdicionales; a request costs the same number of
queries whatever the number of prescriptions."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prescriptions import models as m
from prescriptions.services.prescribing import IngredientData, prescription_issue
from prescriptions.services.tutelas import tutela_register

from ..accounts.factories import UserFactory
from ..entities.factories import SedeFactory, grant
from ..prescriptions.conftest import medicine_line
from .conftest import GUIDS, PRES

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
SHAPE = Path(__file__).with_name("prescription_bundles_shape.json")


def _row(model, code, name, **extra):
    return model.objects.create(code=code, name=name, source="starter", **extra)


@pytest.fixture
def sample(world, catalog):
    """The world's prescription (M, S, P) plus a device and a nutritional line, a second
    ingredient and a UNIRS indication, a Junta decision; a transcription without sede with
    related diagnoses and an orphan disease; an annulled prescription with its novedad; a
    tutela with two additional rulings and one annulled without any."""
    first = world["prescription"]
    first.sede = SedeFactory(entity=world["ips"], address="Carrera 50 # 10-20", phone="6044440000")
    first.save(update_fields=["sede"])
    medicine = world["lines"]["M1"]
    m.LineActiveIngredient.objects.create(
        line=medicine,
        order=2,
        ingredient=_row(m.ActiveIngredient, "00456", "SITAGLIPTINA"),
        concentration=Decimal("50.5"),
        concentration_unit=catalog["mg"],
        content=Decimal("30"),
        content_unit=_row(m.MeasurementUnit, "0247", "mililitro", symbol="mL"),
    )
    medicine.unirs_indications.add(_row(m.UnirsIndication, "12", "Indicación UNIRS"))
    m.TechnologyLine.objects.create(
        prescription=first,
        technology_type="D",
        order=1,
        supply_type=1,
        justification="Marcha inestable.",
        total_quantity=Decimal("1"),
        quantity_per_use=Decimal("1"),
        device_type=_row(m.DeviceType, "300", "Caminador"),
    )
    nutritional_type = catalog["nut_type"]
    m.TechnologyLine.objects.create(
        prescription=first,
        technology_type="N",
        order=1,
        supply_type=2,
        justification="Desnutrición proteico-calórica.",
        total_quantity=Decimal("60.5"),
        dose=Decimal("2.25"),
        dose_unit=catalog["dose_mg"],
        nutritional_type=nutritional_type,
        nutritional_product=_row(
            m.NutritionalProduct, "NP01", "Fórmula elemental", product_type=nutritional_type
        ),
        nutritional_form=_row(m.NutritionalForm, "3", "Polvo"),
        nutritional_route=2,
        frequency_every=8,
        frequency_unit=2,
        duration_amount=3,
        duration_unit=5,
    )
    m.JuntaDecision.objects.create(
        line=world["lines"]["S1"],
        entity=world["eps"],
        decided_by=world["eps_admin"],
        result=3,
        modality=2,
        act_number="ACT-7",
        act_date=TODAY,
        technical_justification="Pertinente.",
        observations="Sin observaciones.",
    )

    def issue():
        return prescription_issue(
            actor=world["medico"],
            entity=world["ips"],
            patient=world["patient"],
            care_setting=12,
            diagnosis=catalog["dx"],
            lines=[
                medicine_line(
                    catalog,
                    ingredients=[IngredientData(catalog["dci"], Decimal("500"), catalog["mg"])],
                )
            ],
        )

    transcribed = issue()
    m.Prescription.objects.filter(pk=transcribed.pk).update(
        transcription_type=2,
        original_reference="ORIG-1",
        sede=None,
        referral=True,
        related_diagnosis_1=catalog["dx"],
        related_diagnosis_2=catalog["dx"],
        orphan_disease=_row(m.OrphanDisease, "0015", "Enfermedad rara"),
    )
    annulled = issue()
    m.Prescription.objects.filter(pk=annulled.pk).update(status=2, annulled_at=timezone.now())
    m.Novelty.objects.create(
        novelty_type=2,
        prescription=annulled,
        original_number=annulled.number,
        resulting_number=annulled.number,
        actor=world["eps_admin"],
    )
    recobrante = UserFactory()
    grant(recobrante, world["eps"], "recobrante")

    def register(rulings):
        return tutela_register(
            actor=recobrante,
            entity=world["eps"],
            patient=world["patient"],
            ruling_number="2026-00045",
            ruling_date=TODAY - datetime.timedelta(days=30),
            first_instance_date=TODAY - datetime.timedelta(days=20),
            medical_justification="Ordenado por el juez.",
            diagnosis=catalog["dx"],
            lines=[medicine_line(catalog)],
            additional_rulings=rulings,
        )

    ruled = register([(TODAY, "IMP-2"), (TODAY - datetime.timedelta(days=2), "IMP-1")])
    plain = register([])
    m.Tutela.objects.filter(pk=ruled.pk).update(
        professional_document_type="CC",
        professional_document_number="79000111",
        professional_name="Ana María Pérez Gómez",
        professional_registration="RM-1",
        orphan_disease=m.OrphanDisease.objects.get(),
    )
    m.Tutela.objects.filter(pk=plain.pk).update(annulled_at=timezone.now())
    return {"prescriptions": [first, transcribed, annulled], "tutelas": [ruled, plain]}


def _get(client, op, *segments) -> bytes:
    response = client.get(f"/{PRES}/api/{op}/" + "/".join(str(s) for s in segments))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.content


def _answers(client, world, sample) -> dict[str, bytes]:
    """Every WSMIPRESNOPBS route over the sample, as the raw bytes answered."""
    nit, guid, today = world["eps"].nit, GUIDS["eps"], TODAY.isoformat()
    patient = (world["patient"].document_type, world["patient"].document_number)
    answers = {
        "Prescripcion": _get(client, "Prescripcion", nit, today, guid),
        "PrescripcionPaciente": _get(client, "PrescripcionPaciente", nit, today, guid, *patient),
        "NovedadesPrescripcion": _get(client, "NovedadesPrescripcion", nit, today, guid),
        "JuntaProfesionalXFecha": _get(client, "JuntaProfesionalXFecha", nit, guid, today),
        "Tutelas": _get(client, "Tutelas", nit, today, guid),
        "TutelaXPaciente": _get(client, "TutelaXPaciente", nit, today, guid, *patient),
        "NovedadesTutelas": _get(client, "NovedadesTutelas", nit, today, guid),
    }
    for n, prescription in enumerate(sample["prescriptions"]):
        number = prescription.number
        answers[f"PrescripcionXNumero{n}"] = _get(client, "PrescripcionXNumero", nit, guid, number)
        answers[f"JuntaProfesional{n}"] = _get(client, "JuntaProfesional", nit, guid, number)
    for n, tutela in enumerate(sample["tutelas"]):
        answers[f"TutelaXNumero{n}"] = _get(client, "TutelaXNumero", nit, guid, tutela.number)
    return answers


def _shape(value):
    """Keys in their order and JSON types, values left out (numbers, dates and names
    change from run to run)."""
    if isinstance(value, dict):
        return [[key, _shape(item)] for key, item in value.items()]
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


def test_every_route_keeps_the_captured_keys_order_and_types(client, world, creds, sample):
    shapes = {op: _shape(json.loads(body)) for op, body in _answers(client, world, sample).items()}
    assert shapes == json.loads(SHAPE.read_text())


def test_the_sample_values(client, world, creds, sample):
    answers = {op: json.loads(body) for op, body in _answers(client, world, sample).items()}
    first, transcribed, annulled = sample["prescriptions"]
    assert [b["prescripcion"]["NoPrescripcion"] for b in answers["Prescripcion"]] == [
        first.number,
        transcribed.number,
        annulled.number,
    ]
    [bundle] = answers["PrescripcionXNumero0"]
    medicine = bundle["medicamentos"][0]
    assert [i["CodPriAct"] for i in medicine["PrincipiosActivos"]] == ["00123", "00456"]
    assert medicine["PrincipiosActivos"][1]["ConcCant"] == 50.5
    assert medicine["PrincipiosActivos"][1]["UMedCantCont"] == "0247"
    assert medicine["IndicacionesUNIRS"] == [{"ConOrden": 1, "CodIndicacion": "12"}]
    assert bundle["dispositivos"][0]["CodDisp"] == "300"
    nutrition = bundle["productosnutricionales"][0]
    assert nutrition["DescProdNutr"] == "NP01" and nutrition["CantTotalF"] == 60.5
    assert nutrition["Dosis"] == 2.25 and nutrition["CodForma"] == "3"
    assert bundle["serviciosComplementarios"][0]["DescSerComp"] == "Pañales"
    assert bundle["prescripcion"]["DirSedeIPS"] == first.sede.address
    [bundle] = answers["PrescripcionXNumero1"]
    header = bundle["prescripcion"]
    assert header["TipoTransc"] == 2 and header["RefAmbAte"] == 1
    assert header["EnfHuerfana"] == 1 and header["CodEnfHuerfana"] == "0015"
    assert header["DirSedeIPS"] == world["ips"].address
    assert answers["PrescripcionXNumero2"][0]["prescripcion"]["EstPres"] == 2
    [novelty] = answers["NovedadesPrescripcion"]
    assert novelty["prescripcion_novedades"]["NoPrescripcion"] == annulled.number
    [junta] = answers["JuntaProfesional0"]
    assert junta["junta_profesional"]["NoActa"] == "ACT-7"
    assert junta["junta_profesional"]["CodEntJM"] == (world["eps"].reps_code or world["eps"].nit)
    ruled, plain = sample["tutelas"]
    [tutela] = answers["TutelaXNumero0"]
    assert tutela["tutela"]["NoTutela"] == ruled.number
    assert [f["NroFalloAdic"] for f in tutela["fallosAdicionales"]] == ["IMP-1", "IMP-2"]
    assert tutela["medicamentos"][0]["DscMedPA"] == "METFORMINA 850 mg tableta"
    assert answers["TutelaXNumero1"][0]["fallosAdicionales"] == []
    [novelty] = answers["NovedadesTutelas"]
    assert novelty["tutela_novedades"]["NoTutela"] == plain.number
    # Compact UTF-8 JSON, as DRF's renderer wrote it.
    body = _answers(client, world, sample)["Prescripcion"]
    assert b'":' in body and b'": ' not in body and "Pañales".encode() in body


def _count(client, op, *segments) -> int:
    with CaptureQueriesContext(connection) as queries:
        _get(client, op, *segments)
    return len(queries)


def test_queries_do_not_grow_with_the_prescriptions(client, world, creds, catalog, sample):
    nit, guid, today = world["eps"].nit, GUIDS["eps"], TODAY.isoformat()
    routes = [
        ("Prescripcion", nit, today, guid),
        ("Tutelas", nit, today, guid),
        ("JuntaProfesionalXFecha", nit, guid, today),
        ("NovedadesPrescripcion", nit, today, guid),
    ]
    before = [_count(client, *route) for route in routes]
    for _ in range(3):
        prescription_issue(
            actor=world["medico"],
            entity=world["ips"],
            patient=world["patient"],
            care_setting=12,
            diagnosis=catalog["dx"],
            lines=[medicine_line(catalog)],
        )
    assert len(json.loads(_get(client, "Prescripcion", nit, today, guid))) == 6
    assert [_count(client, *route) for route in routes] == before
