"""A supply world: an EPS paying for a patient's prescription made at an IPS, a proveedor
in the EPS's network with two sedes, and one user per supply role."""

import datetime
from decimal import Decimal

import pytest

from entities.models import NetworkLink
from prescriptions.catalogs import STARTER_DIR, import_catalog_file
from prescriptions.models import NonDeliveryCause
from prescriptions.services.prescribing import LineData, prescription_issue
from supply.services import DeliveryPlan, direccionamiento_create

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, SedeFactory, grant
from ..prescriptions.conftest import catalog, medicine_line, prescribing, service_line  # noqa: F401  (fixtures)


@pytest.fixture
def causes(db):
    import_catalog_file("causas_no_entrega", STARTER_DIR / "causas_no_entrega.csv", actor=None)
    return {cause.code: cause for cause in NonDeliveryCause.objects.all()}


def procedure_line(rows, **overrides):
    data = {
        "technology_type": "P",
        "supply_type": 1,
        "justification": "Control por especialista.",
        "total_quantity": Decimal("1"),
        "fields": {
            "procedure": rows["cups"],
            "quantity_per_use": Decimal("1"),
            "frequency_every": 1,
            "frequency_unit": 8,
            "duration_amount": 1,
            "duration_unit": 8,
        },
    }
    data.update(overrides)
    return LineData(**data)


@pytest.fixture
def world(prescribing, catalog, causes):  # noqa: F811
    """`prescription` has M1 (2 boxes, única), S1 (90, sucesiva; needs the Junta, approved
    here) and P1 (1, única); the EPS's network has `provider` (two sedes) for code EPT001;
    `other_provider` has a sede but is outside the network."""
    from prescriptions.enums import JuntaStatus

    eps, ips = prescribing["eps"], prescribing["ips"]
    provider = EntityFactory(entity_type="PROVEEDOR", name="Droguería Central")
    other_provider = EntityFactory(entity_type="PROVEEDOR", name="Farmacia Ajena")
    sede, sede2 = SedeFactory(entity=provider, code="01"), SedeFactory(entity=provider, code="02")
    other_sede = SedeFactory(entity=other_provider, code="01")
    NetworkLink.objects.create(payer=eps, payer_code=prescribing["code"], provider=provider)
    users = {}
    for name, entity, role in [
        ("eps_admin", eps, "administrativo"),
        ("prov_admin", provider, "administrativo"),
        ("dispensador", provider, "dispensador"),
        ("other_admin", other_provider, "administrativo"),
        ("other_dispensador", other_provider, "dispensador"),
        ("ips_dispensador", ips, "dispensador"),
    ]:
        users[name] = UserFactory()
        grant(users[name], entity, role)
    prescription = prescription_issue(
        actor=prescribing["medico"],
        entity=ips,
        patient=prescribing["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[medicine_line(catalog), service_line(catalog), procedure_line(catalog)],
    )
    lines = {line.key: line for line in prescription.lines.all()}
    lines["S1"].junta_status = JuntaStatus.APROBADA
    lines["S1"].save(update_fields=["junta_status"])
    return {
        **prescribing,
        **users,
        "provider": provider,
        "other_provider": other_provider,
        "sede": sede,
        "sede2": sede2,
        "other_sede": other_sede,
        "prescription": prescription,
        "lines": lines,
        "causes": causes,
    }


def plan(number=1, quantity="1", days=10, sub=0):
    return DeliveryPlan(
        delivery_number=number,
        sub_number=sub,
        quantity=Decimal(quantity),
        max_delivery_date=datetime.date.today() + datetime.timedelta(days=days),
    )


def direct(world, line_key="M1", deliveries=None, provider=None, **overrides):
    """Direct `line_key` as the EPS administrativo (one delivery of 1 by default)."""
    fields = {
        "actor": world["eps_admin"],
        "entity": world["eps"],
        "line": world["lines"][line_key],
        "provider": provider or world["provider"],
        "deliveries": deliveries or [plan()],
        "municipality": world["patient"].municipality,
        "patient_address": "Calle 10 # 20-30",
        "technology_code": "19943546-01",
    }
    fields.update(overrides)
    return direccionamiento_create(**fields)
