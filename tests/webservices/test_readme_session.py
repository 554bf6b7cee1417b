"""The README's `curl` session, step by step through the test client on the seeded demo
world: the proveedor's chain to facturación and its annulments in reverse order, the
refusals, and the EPS's direccionamiento retried with an Idempotency-Key."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from .test_demo import demo  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
SUM, FAC, PRES = "WSSUMMIPRESNOPBS", "WSFACMIPRESNOPBS", "WSMIPRESNOPBS"


def _demo() -> dict:
    out = io.StringIO()
    call_command("demo_credentials", "--json", stdout=out)
    return json.loads(out.getvalue())


def _pick(demo_json, name_or_code):
    return next(
        r
        for r in demo_json["web_services"]
        if r["payer_code"] == name_or_code or r["entity_name"].startswith(name_or_code)
    )


def test_the_readme_session_runs(demo, client):  # noqa: F811
    def put(path, body=None, **headers):
        data = json.dumps(body) if body is not None else ""
        return client.put(f"/{path}", data=data, content_type="application/json", headers=headers)

    demo_json = _demo()
    number = demo_json["supply_prescriptions"][0]["number"]
    dia = f"{number[:4]}-{number[4:6]}-{number[6:8]}"
    hoy = datetime.date.today().isoformat()
    prov = _pick(demo_json, "Dispensación Antioquia")
    nit = prov["nit"]
    token = client.get(f"/{SUM}/api/GenerarToken/{nit}/{prov['guid']}").json()
    rows = client.get(f"/{SUM}/api/DireccionamientoXFecha/{nit}/{token}/{dia}").json()
    row = next(r for r in rows if r["EstDireccionamiento"] == 1 and r["NoEntrega"] == 1)
    ident = row["ID"]
    ans = put(
        f"{SUM}/api/Programacion/{nit}/{token}",
        {
            "ID": ident,
            "FecMaxEnt": row["FecMaxEnt"],
            "TipoIDSedeProv": "NI",
            "NoIDSedeProv": nit,
            "CodSedeProv": "01",
            "CodSerTecAEntregar": row["CodSerTecAEntregar"],
            "CantTotAEntregar": row["CantTotAEntregar"],
        },
    )
    assert ans.status_code == 200, ans.json()
    id_prog = ans.json()[0]["IdProgramacion"]
    ans = put(
        f"{SUM}/api/Entrega/{nit}/{token}",
        {
            "ID": ident,
            "CodSerTecEntregado": row["CodSerTecAEntregar"],
            "CantTotEntregada": row["CantTotAEntregar"],
            "EntTotal": 1,
            "CausaNoEntrega": 0,
            "FecEntrega": hoy,
            "NoLote": "L-2026-001",
            "TipoIDRecibe": row["TipoIDPaciente"],
            "NoIDRecibe": row["NoIDPaciente"],
        },
    )
    assert ans.status_code == 200, ans.json()
    id_ent = ans.json()[0]["IdEntrega"]
    ans = put(
        f"{SUM}/api/ReporteEntrega/{nit}/{token}",
        {"ID": ident, "EstadoEntrega": 1, "CausaNoEntrega": 0, "ValorEntregado": "25500"},
    )
    assert ans.status_code == 200, ans.json()
    id_rep = ans.json()[0]["IdReporteEntrega"]
    ans = put(
        f"{FAC}/api/Facturacion/{nit}/{token}",
        {
            "NoPrescripcion": row["NoPrescripcion"],
            "TipoTec": row["TipoTec"],
            "ConTec": row["ConTec"],
            "TipoIDPaciente": row["TipoIDPaciente"],
            "NoIDPaciente": row["NoIDPaciente"],
            "NoEntrega": 1,
            "NoSubEntrega": 0,
            "NoFactura": "FE-DEMO-1",
            "CodSerTecAEntregado": row["CodSerTecAEntregar"],
            "CantUnMinDis": row["CantTotAEntregar"],
            "ValorUnitFacturado": "850",
            "CuotaModer": "0",
            "Copago": "0",
        },
    )
    assert ans.status_code == 200, ans.json()
    id_fac = ans.json()[0]["IdFacturacion"]
    listed = client.get(
        f"/{FAC}/api/FacturacionXPrescripcion/{nit}/{token}/{row['NoPrescripcion']}"
    )
    assert any(r["IDFacturacion"] == id_fac for r in listed.json())
    again = put(f"{SUM}/api/Programacion/{nit}/{token}", {"ID": ident, "CodSedeProv": "01"})
    assert again.status_code == 422 and again.json()["Code"] == "duplicate"
    bad = client.get(f"/{SUM}/api/DireccionamientoXFecha/{nit}/no-es-un-token/{dia}")
    assert bad.status_code == 401
    bad = client.get(f"/{SUM}/api/DireccionamientoXFecha/{nit}/{token}/2026-13-45")
    assert bad.status_code == 400 and bad.json()["Code"] == "bad_date"
    for path in (
        f"{FAC}/api/FacturacionAnular/{nit}/{token}/{id_fac}",
        f"{SUM}/api/AnularReporteEntrega/{nit}/{token}/{id_rep}",
        f"{SUM}/api/AnularEntrega/{nit}/{token}/{id_ent}",
        f"{SUM}/api/AnularProgramacion/{nit}/{token}/{id_prog}",
    ):
        assert put(path).status_code == 200, path

    eps = _pick(demo_json, "EPS099")
    eps_nit, eps_guid = eps["nit"], eps["guid"]
    bundles = client.get(f"/{PRES}/api/Prescripcion/{eps_nit}/{dia}/{eps_guid}").json()
    assert bundles and "prescripcion" in bundles[0]
    eps_token = client.get(f"/{SUM}/api/GenerarToken/{eps_nit}/{eps_guid}").json()
    fresca = next(p["number"] for p in demo_json["supply_prescriptions"] if p["key"] == "fresca")
    bundle = client.get(f"/{PRES}/api/PrescripcionXNumero/{eps_nit}/{eps_guid}/{fresca}").json()
    assert bundle[0]["medicamentos"][0]["ConOrden"] == 1
    body = {
        "NoPrescripcion": fresca,
        "TipoTec": "M",
        "ConTec": 1,
        "TipoIDPaciente": "CC",
        "NoIDPaciente": "43100001",
        "NoEntrega": 1,
        "NoSubEntrega": 0,
        "TipoIDProv": "NI",
        "NoIDProv": nit,
        "CodMunEnt": "05001",
        "FecMaxEnt": (datetime.date.today() + datetime.timedelta(days=10)).isoformat(),
        "CantTotAEntregar": "30",
        "DirPaciente": "Calle 10 # 43-20",
        "CodSerTecAEntregar": "20061001-01",
    }
    path = f"{SUM}/api/Direccionamiento/{eps_nit}/{eps_token}"
    first = put(path, body, **{"Idempotency-Key": "fresca-1"})
    assert first.status_code == 200, first.json()
    second = put(path, body, **{"Idempotency-Key": "fresca-1"})
    assert second.headers["Idempotent-Replayed"] == "true" and second.content == first.content
    assert put(path, body).status_code == 422
    id_dir = first.json()[0]["IdDireccionamiento"]
    assert (
        put(f"{SUM}/api/AnularDireccionamiento/{eps_nit}/{eps_token}/{id_dir}").status_code == 200
    )
