"""The rules around the main chain: no direccionamiento, supplies carried by a procedure,
entregas en ámbito, the payer's suministro and datos facturados, invoices, territory."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from entities.models import Municipality, NetworkLink
from mipres.lib.errors import DomainError
from prescriptions.enums import PrescriptionStatus
from supply.models import (
    Direccionamiento,
    Entrega,
    NoDireccionamiento,
    StepStatus,
)
from supply.services import (
    datos_facturados_create,
    entrega_ambito_create,
    facturacion_create,
    invoice_total,
    no_direccionamiento_create,
    procedure_supply_create,
    reporte_entrega_create,
    step_annul,
    suministro_create,
)

from ..entities.factories import EntityFactory, PayerCodeFactory
from .conftest import direct
from .test_chain import deliver, program

pytestmark = pytest.mark.django_db


def no_direct(world, line_key="M1", cause="6", **extra):
    return no_direccionamiento_create(
        actor=world["eps_admin"],
        entity=world["eps"],
        line=world["lines"][line_key],
        cause=world["causes"][cause],
        **extra,
    )


def test_no_direccionamiento_blocks_direccionamiento_until_annulled(world):
    record = no_direct(world)
    with pytest.raises(DomainError) as error:
        direct(world)
    assert error.value.code == "no_direccionada"
    with pytest.raises(DomainError) as error:
        no_direct(world)
    assert error.value.code == "no_direccionada"
    step_annul(actor=world["eps_admin"], entity=world["eps"], step=record, reason="error")
    assert direct(world)


def test_no_direccionamiento_cause_must_fit_the_type_and_name_the_association(world):
    # Cause 2 (interacción medicamentosa) does not apply to complementary services.
    with pytest.raises(DomainError) as error:
        no_direct(world, "S1", cause="2")
    assert error.value.code == "cause_type"
    with pytest.raises(DomainError) as error:
        no_direct(world, cause="1")
    assert error.value.field == "associated_number"
    with pytest.raises(DomainError) as error:
        no_direct(world, cause="1", associated_number="20990101000000000001", associated_order=1)
    assert error.value.code == "associated_unknown"
    assert not NoDireccionamiento.objects.exists()


def test_no_direccionamiento_needs_the_role(world):
    with pytest.raises(PermissionDenied):
        no_direccionamiento_create(
            actor=world["prov_admin"],
            entity=world["eps"],
            line=world["lines"]["M1"],
            cause=world["causes"]["6"],
        )


def test_another_payers_line_is_refused(world):
    other_eps = EntityFactory(entity_type="EPS")
    from ..accounts.factories import UserFactory
    from ..entities.factories import grant

    admin = UserFactory()
    grant(admin, other_eps, "administrativo")
    with pytest.raises(DomainError) as error:
        direct(world, actor=admin, entity=other_eps)
    assert error.value.code == "other_payer"


def test_a_device_carried_by_the_procedure_is_not_directed(world, catalog):
    from prescriptions.services.prescribing import LineData, prescription_issue

    from ..prescriptions.factories import DeviceTypeFactory
    from .conftest import procedure_line

    device = LineData(
        technology_type="D",
        supply_type=1,
        justification="Material para el procedimiento.",
        total_quantity=Decimal("2"),
        fields={
            "device_type": DeviceTypeFactory(),
            "quantity_per_use": Decimal("1"),
            "frequency_every": 1,
            "frequency_unit": 8,
            "duration_amount": 1,
            "duration_unit": 8,
        },
    )
    prescription = prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=world["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[procedure_line(catalog), device],
    )
    lines = {line.key: line for line in prescription.lines.all()}
    with pytest.raises(DomainError) as error:
        procedure_supply_create(
            actor=world["eps_admin"],
            entity=world["eps"],
            line=lines["P1"],
            procedure_line=lines["P1"],
        )
    assert error.value.code == "not_device"
    procedure_supply_create(
        actor=world["eps_admin"], entity=world["eps"], line=lines["D1"], procedure_line=lines["P1"]
    )
    world["lines"]["D1"] = lines["D1"]
    with pytest.raises(DomainError) as error:
        direct(world, "D1")
    assert error.value.code == "covered_by_procedure"
    assert "se entrega con el procedimiento P1" in error.value.message


def _ambito(world, **overrides):
    fields = {
        "actor": world["ips_dispensador"],
        "entity": world["ips"],
        "line": world["lines"]["M1"],
        "delivery_number": 1,
        "technology_code": "19943546-01",
        "quantity": Decimal("2"),
        "total": True,
        "delivered_on": datetime.date.today(),
        "batch": "L9",
        "receiver_document_type": "CC",
        "receiver_document_number": "43000111",
    }
    fields.update(overrides)
    return entrega_ambito_create(**fields)


def test_entrega_en_ambito_only_for_hospital_and_urgencias_by_the_prescriber(world):
    with pytest.raises(DomainError) as error:
        _ambito(world)
    assert error.value.code == "not_ambito"
    world["prescription"].care_setting = 22
    world["prescription"].save(update_fields=["care_setting"])
    with pytest.raises(PermissionDenied):
        _ambito(world, actor=world["dispensador"])
    with pytest.raises(DomainError) as error:
        _ambito(world, actor=world["dispensador"], entity=world["provider"])
    assert error.value.code == "not_prescriber"
    entrega = _ambito(world)
    assert entrega.in_ambito and entrega.programacion is None
    # The ámbito entrega assigned the whole line: nothing is left to direct.
    with pytest.raises(DomainError) as error:
        direct(world, deliveries=None)
    assert error.value.code in {"duplicate", "over_total"}
    reporte = reporte_entrega_create(
        actor=None, entity=world["ips"], entrega=entrega, delivered=True, value=Decimal("9")
    )
    assert reporte.deliverable_id == entrega.deliverable_id


def test_report_and_invoice_rules(world):
    [direccionamiento] = direct(world)
    entrega = deliver(world, program(world, direccionamiento))
    with pytest.raises(DomainError) as error:
        reporte_entrega_create(
            actor=world["prov_admin"],
            entity=world["provider"],
            entrega=entrega,
            delivered=False,
            value=Decimal("0"),
        )
    assert error.value.code == "cause_required"
    reporte = reporte_entrega_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        entrega=entrega,
        delivered=True,
        value=Decimal("100"),
    )
    invoice = {
        "actor": world["prov_admin"],
        "entity": world["provider"],
        "reporte": reporte,
        "invoice_number": "FE-9",
        "units": Decimal("1"),
        "unit_value": Decimal("300"),
    }
    for overrides, field in [
        ({"cuota_moderadora": Decimal("10"), "copago": Decimal("5")}, "copago"),
        ({"invoice_number": " "}, "invoice_number"),
        ({"units": Decimal("0")}, "units"),
        ({"units": Decimal("2")}, "units"),  # more than the entrega delivered
        ({"copago": Decimal("400")}, "copago"),
    ]:
        with pytest.raises(DomainError) as error:
            facturacion_create(**{**invoice, **overrides})
        assert error.value.field == field
    assert invoice_total(Decimal("3"), Decimal("100"), Decimal(0), Decimal("50")) == 250
    factura = facturacion_create(**invoice, copago=Decimal("50"))
    assert factura.total_value == Decimal("250.00")
    datos = datos_facturados_create(
        actor=world["eps_admin"],
        entity=world["eps"],
        facturacion=factura,
        comparator=1,
        comparator_code="19943546-01",
        total_delivered=Decimal("2"),
    )
    factura.refresh_from_db()
    assert factura.status == StepStatus.PROCESADO and datos.status == StepStatus.ACTIVO
    with pytest.raises(DomainError) as error:
        step_annul(actor=world["prov_admin"], entity=world["provider"], step=factura, reason="x")
    assert error.value.code == "not_newest"
    assert "los datos facturados" in error.value.message


def test_payer_suministro_requires_an_entrega_and_blocks_its_annulment(world):
    [direccionamiento] = direct(world)
    deliverable = direccionamiento.deliverable
    fields = {
        "actor": world["eps_admin"],
        "entity": world["eps"],
        "deliverable": deliverable,
        "last_delivery": True,
        "complete": True,
        "quantity": Decimal("1"),
        "value": Decimal("100"),
    }
    with pytest.raises(DomainError) as error:
        suministro_create(**fields)
    assert error.value.code == "no_entrega"
    entrega = deliver(world, program(world, direccionamiento))
    with pytest.raises(DomainError) as error:
        suministro_create(**{**fields, "complete": False})
    assert error.value.code == "cause_required"
    suministro = suministro_create(**fields)
    with pytest.raises(DomainError) as error:
        step_annul(actor=world["dispensador"], entity=world["provider"], step=entrega, reason="x")
    assert error.value.code == "suministro"
    step_annul(actor=world["eps_admin"], entity=world["eps"], step=suministro, reason="x")
    step_annul(actor=world["dispensador"], entity=world["provider"], step=entrega, reason="x")
    assert Entrega.objects.get().status == StepStatus.ANULADO


def test_subsidiado_network_is_territorial(world):
    """A subsidiado code's network link names the territory where it applies: a proveedor
    linked for another department is refused for this patient (Medellín, Antioquia)."""
    code = PayerCodeFactory(entity=world["eps"], code="EPSS01", regime="subsidiado")
    affiliation = world["patient"].affiliations.get()
    affiliation.payer_code, affiliation.regime = code, "subsidiado"
    affiliation.save()
    prescription = world["prescription"]
    prescription.payer_code = code
    prescription.save(update_fields=["payer_code"])
    antioquia = EntityFactory(entity_type="ET", dane_code="05")
    bogota = EntityFactory(
        entity_type="ET",
        dane_code="11001",
        municipality=Municipality.objects.get(code="11001"),
    )
    link = NetworkLink.objects.create(
        payer=world["eps"], payer_code=code, territory=bogota, provider=world["provider"]
    )
    with pytest.raises(DomainError) as error:
        direct(world)
    assert error.value.code == "territory"
    assert "territorio del paciente" in error.value.message
    link.ended_at = datetime.datetime.now(datetime.UTC)
    link.save()
    NetworkLink.objects.create(
        payer=world["eps"], payer_code=code, territory=antioquia, provider=world["provider"]
    )
    [direccionamiento] = direct(world)
    assert direccionamiento.payer_code == code


def test_annulled_prescription_has_no_supply(world):
    prescription = world["prescription"]
    prescription.status = PrescriptionStatus.ANULADA
    prescription.save(update_fields=["status"])
    with pytest.raises(DomainError) as error:
        direct(world)
    assert error.value.code == "annulled"
    assert not Direccionamiento.objects.exists()
