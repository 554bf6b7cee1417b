# ruff: noqa: F811  (the imported fixtures are parameters of the ones below)
"""The web-service world (tests/webservices) with a whole chain on M1, a no
direccionamiento on P1, device and nutrition lines added, and a FHIR client per caller."""

import datetime
from decimal import Decimal

import pytest

from prescriptions.models import (
    DeviceType,
    NutritionalProduct,
    NutritionalProductType,
    TechnologyLine,
)
from supply.services import (
    entrega_create,
    facturacion_create,
    no_direccionamiento_create,
    programacion_create,
)

from ..prescriptions.conftest import catalog, prescribing  # noqa: F401  (fixtures)
from ..supply.conftest import causes, direct, plan, world  # noqa: F401  (fixtures, helpers)
from ..webservices.conftest import (  # noqa: F401  (fixtures)
    creds,
    eps_ws,
    fresh_rate_limits,
    ips_ws,
    other_ws,
    prov_ws,
)


class Fhir:
    def __init__(self, client, ws):
        self.client = client
        self.token = ws.token

    def get(self, path, token=None, **headers):
        auth = {"Authorization": f"Bearer {token if token is not None else self.token}"}
        return self.client.get(f"/fhir/r4/{path}", headers={**auth, **headers})


@pytest.fixture
def chain(world):
    """M1: direccionamiento → programación → partial entrega → facturación; S1 delivered in
    full at the second sede; P1: no direccionamiento; D1 and N1 added as lines of the same
    prescription."""
    direccionamiento = direct(world, "M1", deliveries=[plan(quantity="2")])[0]
    programacion = programacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        direccionamiento=direccionamiento,
        sede=world["sede"],
    )
    entrega = entrega_create(
        actor=world["dispensador"],
        entity=world["provider"],
        programacion=programacion,
        technology_code="19943546-01",
        quantity=Decimal("1"),
        total=False,
        delivered_on=datetime.date.today(),
        receiver_document_type="CC",
        receiver_document_number="43000111",
        batch="L-2026-77",
        cause=world["causes"]["4"],  # presentación no fraccionable
    )
    facturacion = facturacion_create(
        actor=world["prov_admin"],
        entity=world["provider"],
        entrega=entrega,
        invoice_number="FE-1001",
        units=Decimal("1"),
        unit_value=Decimal("12500.50"),
    )
    no_direccionamiento = no_direccionamiento_create(
        actor=world["eps_admin"],
        entity=world["eps"],
        line=world["lines"]["P1"],
        cause=world["causes"]["5"],  # suministro por tutela
    )
    service_direccionamiento = direct(world, "S1", deliveries=[plan(quantity="30")])[0]
    service_entrega = entrega_create(
        actor=world["dispensador"],
        entity=world["provider"],
        programacion=programacion_create(
            actor=world["prov_admin"],
            entity=world["provider"],
            direccionamiento=service_direccionamiento,
            sede=world["sede2"],
        ),
        technology_code="139",
        quantity=Decimal("30"),
        total=True,
        delivered_on=datetime.date.today(),
        receiver_document_type="CC",
        receiver_document_number="43000111",
    )
    prescription = world["prescription"]
    device = TechnologyLine.objects.create(
        prescription=prescription,
        technology_type="D",
        order=1,
        supply_type=1,
        justification="Marcha inestable.",
        total_quantity=Decimal("1"),
        device_type=DeviceType.objects.create(code="300", name="Caminador", source="starter"),
    )
    nutritional_type = NutritionalProductType.objects.get(code="1201")
    nutrition = TechnologyLine.objects.create(
        prescription=prescription,
        technology_type="N",
        order=1,
        supply_type=2,
        justification="Desnutrición proteico-calórica.",
        total_quantity=Decimal("60"),
        nutritional_type=nutritional_type,
        nutritional_product=NutritionalProduct.objects.create(
            code="NP01", name="Fórmula elemental", source="starter", product_type=nutritional_type
        ),
        nutritional_route=2,
        frequency_every=8,
        frequency_unit=2,
        duration_amount=3,
        duration_unit=5,
    )
    return {
        **world,
        "direccionamiento": direccionamiento,
        "programacion": programacion,
        "entrega": entrega,
        "facturacion": facturacion,
        "service_entrega": service_entrega,
        "no_direccionamiento": no_direccionamiento,
        "device": device,
        "nutrition": nutrition,
    }


@pytest.fixture
def eps_fhir(client, eps_ws):
    return Fhir(client, eps_ws)


@pytest.fixture
def prov_fhir(client, prov_ws):
    return Fhir(client, prov_ws)


@pytest.fixture
def other_fhir(client, other_ws):
    return Fhir(client, other_ws)


@pytest.fixture
def ips_fhir(client, ips_ws):
    return Fhir(client, ips_ws)
