# ruff: noqa: F811  (the imported fixtures are parameters of the ones below)
"""The supply world of tests/supply with web-service credentials: a GUID for the EPS's
code EPT001, the proveedor in its network, the proveedor outside it and the prescribing IPS,
and a small client that speaks the MIPRES paths."""

import datetime
import json

import pytest
from django.core.cache import cache

from webservices import services

from ..prescriptions.conftest import catalog, prescribing  # noqa: F401  (fixtures)
from ..supply.conftest import causes, direct, plan, world  # noqa: F401  (fixtures, helpers)

SUM, FAC, PRES = "WSSUMMIPRESNOPBS", "WSFACMIPRESNOPBS", "WSMIPRESNOPBS"
GUIDS = {
    "eps": "11111111-1111-4111-8111-111111111111",
    "provider": "22222222-2222-4222-8222-222222222222",
    "other_provider": "33333333-3333-4333-8333-333333333333",
    "ips": "44444444-4444-4444-8444-444444444444",
}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


class Ws:
    """Calls as a MIPRES client makes them: `{Op}/{nit}/{token}` and the irregular orders."""

    def __init__(self, client, entity, guid):
        self.client = client
        self.entity = entity
        self.nit = entity.nit
        self.guid = guid
        self.token = services.token_generate(entity.nit, guid)

    def put(self, op, body=None, *, base=SUM, raw=None, headers=None, token=None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.put(
            f"/{base}/api/{op}/{self.nit}/{token or self.token}",
            data=data,
            content_type="application/json",
            headers=headers or {},
        )

    def post(self, op, body, *, base=SUM, headers=None):
        return self.client.post(
            f"/{base}/api/{op}/{self.nit}/{self.token}",
            data=json.dumps(body),
            content_type="application/json",
            headers=headers or {},
        )

    def annul(self, op, pk, *, base=SUM):
        return self.client.put(f"/{base}/api/{op}/{self.nit}/{self.token}/{pk}")

    def by_date(self, op, date=None, *, base=SUM):
        date = date or datetime.date.today().isoformat()
        return self.client.get(f"/{base}/api/{op}/{self.nit}/{self.token}/{date}")

    def by_prescription(self, op, number, *, base=SUM):
        return self.client.get(f"/{base}/api/{op}/{self.nit}/{self.token}/{number}")

    def by_patient(self, op, patient, date=None, *, base=SUM):
        date = date or datetime.date.today().isoformat()
        return self.client.get(
            f"/{base}/api/{op}/{self.nit}/{date}/{self.token}/"
            f"{patient.document_type}/{patient.document_number}"
        )


@pytest.fixture
def creds(world):
    installed = {
        "eps": services.credential_install(
            entity=world["eps"], payer_code=world["code"], guid=GUIDS["eps"]
        ),
        "provider": services.credential_install(
            entity=world["provider"], payer_code=None, guid=GUIDS["provider"]
        ),
        "other_provider": services.credential_install(
            entity=world["other_provider"], payer_code=None, guid=GUIDS["other_provider"]
        ),
        "ips": services.credential_install(entity=world["ips"], payer_code=None, guid=GUIDS["ips"]),
    }
    return installed


@pytest.fixture
def eps_ws(client, world, creds):
    return Ws(client, world["eps"], GUIDS["eps"])


@pytest.fixture
def prov_ws(client, world, creds):
    return Ws(client, world["provider"], GUIDS["provider"])


@pytest.fixture
def other_ws(client, world, creds):
    return Ws(client, world["other_provider"], GUIDS["other_provider"])


@pytest.fixture
def ips_ws(client, world, creds):
    return Ws(client, world["ips"], GUIDS["ips"])


def direccionamiento_body(world, line="M1", number=1, quantity="1", **overrides):
    body = {
        "NoPrescripcion": world["prescription"].number,
        "TipoTec": line[0],
        "ConTec": int(line[1:]),
        "TipoIDPaciente": world["patient"].document_type,
        "NoIDPaciente": world["patient"].document_number,
        "NoEntrega": number,
        "NoSubEntrega": 0,
        "TipoIDProv": "NI",
        "NoIDProv": world["provider"].nit,
        "CodMunEnt": world["patient"].municipality_id,
        "FecMaxEnt": (datetime.date.today() + datetime.timedelta(days=10)).isoformat(),
        "CantTotAEntregar": quantity,
        "DirPaciente": "Calle 10 # 20-30",
        "CodSerTecAEntregar": "19943546-01",
    }
    body.update(overrides)
    return body


def programacion_body(world, deliverable_id, **overrides):
    body = {
        "ID": deliverable_id,
        "FecMaxEnt": (datetime.date.today() + datetime.timedelta(days=10)).isoformat(),
        "TipoIDSedeProv": "NI",
        "NoIDSedeProv": world["provider"].nit,
        "CodSedeProv": world["sede"].code,
        "CodSerTecAEntregar": "19943546-01",
        "CantTotAEntregar": "1",
    }
    body.update(overrides)
    return body


def entrega_body(deliverable_id, **overrides):
    body = {
        "ID": deliverable_id,
        "CodSerTecEntregado": "19943546-01",
        "CantTotEntregada": "1",
        "EntTotal": 1,
        "CausaNoEntrega": 0,
        "FecEntrega": datetime.date.today().isoformat(),
        "NoLote": "L-123",
        "TipoIDRecibe": "CC",
        "NoIDRecibe": "43000111",
    }
    body.update(overrides)
    return body


def reporte_body(deliverable_id, **overrides):
    body = {
        "ID": deliverable_id,
        "EstadoEntrega": 1,
        "CausaNoEntrega": 0,
        "ValorEntregado": "25000",
    }
    body.update(overrides)
    return body


def facturacion_body(world, line="M1", number=1, **overrides):
    body = {
        "NoPrescripcion": world["prescription"].number,
        "TipoTec": line[0],
        "ConTec": int(line[1:]),
        "TipoIDPaciente": world["patient"].document_type,
        "NoIDPaciente": world["patient"].document_number,
        "NoEntrega": number,
        "NoSubEntrega": 0,
        "NoFactura": "FE-1001",
        "NoIDEPS": world["eps"].nit,
        "CodEPS": world["code"].code,
        "CodSerTecAEntregado": "19943546-01",
        "CantUnMinDis": "1",
        "ValorUnitFacturado": "25000",
        "ValorTotFacturado": "25000",
        "CuotaModer": "0",
        "Copago": "0",
    }
    body.update(overrides)
    return body
