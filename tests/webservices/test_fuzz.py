"""Never a 500 on any input (DESIGN §5): every PUT with each field replaced by values of
the wrong type, out of range or too long, and the XMany variants."""

import pytest

from webservices.views import billing, supply

from .conftest import FAC, SUM, direccionamiento_body, entrega_body, facturacion_body

pytestmark = pytest.mark.django_db

STRANGE = [
    None,
    True,
    -1,
    0,
    2**40,
    1e308,
    "1e400",
    "9" * 30,
    "-0.0001",
    "x" * 600,
    "\u0000",
    "",
    [],
    {"a": 1},
    "2026-02-30",
]
OPERATIONS = [(SUM, op) for op in supply.PUTS] + [(FAC, op) for op in billing.PUTS]


@pytest.mark.parametrize(("base", "operation"), OPERATIONS, ids=lambda o: getattr(o, "name", o))
def test_no_field_value_gives_a_server_error(base, operation, eps_ws, prov_ws, world):
    answer = eps_ws.put("Direccionamiento", direccionamiento_body(world)).json()[0]
    samples = {
        **direccionamiento_body(world),
        **entrega_body(answer["Id"]),
        **facturacion_body(world),
        "IDEntrega": 1,
        "CodSedeProv": world["sede"].code,
        "EstadoEntrega": 1,
        "ValorEntregado": "1",
        "UltEntrega": 1,
        "EntregaCompleta": 1,
        "CompAdm": 1,
        "CantTotEnt": "1",
    }
    base_body = {name: samples.get(name, 1) for name, _kind, _required in operation.fields}
    for ws in (eps_ws, prov_ws):
        for name, _kind, _required in operation.fields:
            for value in STRANGE:
                response = ws.put(operation.name, {**base_body, name: value}, base=base)
                assert response.status_code < 500, (operation.name, name, value)
        if operation.many:
            items = [base_body, {**base_body, "ID": "x"}, "no", None, 5]
            response = ws.post(f"{operation.name}XMany", items, base=base)
            assert response.status_code == 200
            assert len(response.json()) == len(items)
