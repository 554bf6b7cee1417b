"""Two scripted clients, as EPS and proveedor software really call the services: Python
`requests` against the live server, with the token from GenerarToken."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from supply.models import IN_FORCE, Programacion

from .conftest import FAC, GUIDS, SUM, direccionamiento_body, entrega_body, facturacion_body

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = datetime.date.today().isoformat()


class Client:
    def __init__(self, base_url: str, nit: str, guid: str):
        self.base_url, self.nit = base_url, nit
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json"})
        response = self.session.get(f"{base_url}/{SUM}/api/GenerarToken/{nit}/{guid}", timeout=30)
        assert response.status_code == 200
        self.token = response.json()

    def get(self, path, base=SUM):
        response = self.session.get(f"{self.base_url}/{base}/api/{path}", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def put(self, op, body=None, base=SUM, expect=200):
        response = self.session.put(
            f"{self.base_url}/{base}/api/{op}/{self.nit}/{self.token}", json=body, timeout=30
        )
        assert response.status_code == expect, response.text
        return response.json()


def test_eps_client_prescriptions_by_date_then_direct_then_annul(live_server, world, creds):
    eps = Client(live_server.url, world["eps"].nit, GUIDS["eps"])
    number = world["prescription"].number
    # The EPS's prescription query service answers with the GUID itself in the path.
    bundles = requests.get(
        f"{live_server.url}/WSMIPRESNOPBS/api/Prescripcion/{eps.nit}/{TODAY}/{GUIDS['eps']}",
        timeout=30,
    )
    assert bundles.status_code == 200
    (bundle,) = bundles.json()
    assert bundle["prescripcion"]["NoPrescripcion"] == number
    assert [m["ConOrden"] for m in bundle["medicamentos"]] == [1]
    (answer,) = eps.put("Direccionamiento", direccionamiento_body(world))
    listed = eps.get(f"DireccionamientoXPrescripcion/{eps.nit}/{eps.token}/{number}")
    assert [row["IDDireccionamiento"] for row in listed] == [answer["IdDireccionamiento"]]
    response = eps.session.put(
        f"{live_server.url}/{SUM}/api/AnularDireccionamiento/{eps.nit}/{eps.token}/"
        f"{answer['IdDireccionamiento']}",
        timeout=30,
    )
    assert response.status_code == 200
    listed = eps.get(f"DireccionamientoXFecha/{eps.nit}/{eps.token}/{TODAY}")
    assert listed[0]["EstDireccionamiento"] == 0 and listed[0]["FecAnulacion"]


def _annul(client, op, pk, base=SUM):
    response = client.session.put(
        f"{client.base_url}/{base}/api/{op}/{client.nit}/{client.token}/{pk}", timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_proveedor_client_whole_chain_then_annul_in_reverse(live_server, world, creds):
    eps = Client(live_server.url, world["eps"].nit, GUIDS["eps"])
    eps.put("Direccionamiento", direccionamiento_body(world))

    prov = Client(live_server.url, world["provider"].nit, GUIDS["provider"])
    # The token in the path as clients encode it: "=" as %3D, trailing %20.
    encoded = prov.token.replace("=", "%3D") + "%20%20"
    (pending,) = prov.get(f"DireccionamientoXFecha/{prov.nit}/{encoded}/{TODAY}")
    deliverable = pending["ID"]
    (programada,) = prov.put(
        "Programacion",
        {
            "ID": str(deliverable),
            "FecMaxEnt": pending["FecMaxEnt"],
            "TipoIDSedeProv": "NI",
            "NoIDSedeProv": prov.nit,
            "CodSedeProv": world["sede"].code,
            "CodSerTecAEntregar": pending["CodSerTecAEntregar"],
            "CantTotAEntregar": pending["CantTotAEntregar"],
        },
    )
    (entregada,) = prov.put("Entrega", entrega_body(deliverable, CantTotEntregada=1))
    (reportada,) = prov.put(
        "ReporteEntrega",
        {"ID": deliverable, "EstadoEntrega": 1, "CausaNoEntrega": 0, "ValorEntregado": 25000},
    )
    (facturada,) = prov.put("Facturacion", facturacion_body(world), base=FAC)
    assert (
        prov.get(
            f"FacturacionXPrescripcion/{prov.nit}/{prov.token}/{pending['NoPrescripcion']}",
            base=FAC,
        )[0]["EstFacturacion"]
        == 1
    )

    _annul(prov, "FacturacionAnular", facturada["IdFacturacion"], base=FAC)
    _annul(prov, "AnularReporteEntrega", reportada["IdReporteEntrega"])
    _annul(prov, "AnularEntrega", entregada["IdEntrega"])
    _annul(prov, "AnularProgramacion", programada["IdProgramacion"])
    (direccionamiento,) = prov.get(f"DireccionamientoXFecha/{prov.nit}/{prov.token}/{TODAY}")
    assert direccionamiento["EstDireccionamiento"] == 1  # back to activo: programmable again


def test_concurrent_puts_for_one_step_give_exactly_one_success(live_server, world, creds):
    eps = Client(live_server.url, world["eps"].nit, GUIDS["eps"])
    (answer,) = eps.put("Direccionamiento", direccionamiento_body(world))
    prov = Client(live_server.url, world["provider"].nit, GUIDS["provider"])
    body = {"ID": answer["Id"], "CodSedeProv": world["sede"].code}
    url = f"{live_server.url}/{SUM}/api/Programacion/{prov.nit}/{prov.token}"

    def send(_):
        return requests.put(url, json=body, timeout=60)

    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(send, range(5)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 422, 422, 422, 422], [r.text for r in responses]
    assert all(
        "ya existe" in r.json()["Message"].lower() for r in responses if r.status_code == 422
    )
    assert Programacion.objects.filter(status__in=IN_FORCE).count() == 1
