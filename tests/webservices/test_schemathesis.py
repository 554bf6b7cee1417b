"""Schemathesis over the whole OpenAPI schema (issue 6 item 9): every operation of
/api/schema/, called through the WSGI app with generated parameters and bodies (valid
and invalid), answers no server error, only documented status codes, the documented
content type and bodies that match the documented response schemas.

Bounded: a few examples per operation with a fixed seed, so the run is deterministic and
short. Generated values reach the views past the token because the fixture seeds a world
with credentials and records at every step of the supply chain, and the test puts a real
NIT and token in the path (three calls in four as the operation's own kind of entity, one
as the other kind; one in eight keeps the generated ones, a 401). Every other call also
gets the world's own date, prescription, patient and ids, and a valid body every fourth;
one call in eight sends an Idempotency-Key the world already used (replay or 422), and one
in four with a date puts the calendar's edges there (9999-12-31, 0001-01-01). Nesting 5,000
levels deep and 10 MB bodies cannot go through schemathesis's own JSON encoder: they are
in test_bad_input.py."""

import datetime
import itertools
import os

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import (
    FAC,
    GUIDS,
    PRES,
    SUM,
    Ws,
    direccionamiento_body,
    entrega_body,
    facturacion_body,
    programacion_body,
    reporte_body,
)

pytestmark = pytest.mark.django_db

# Hypothesis caches what it learns from the source under its home directory: keep it in
# .pytest_cache (ignored by git, removed by `make clean`) rather than ./.hypothesis.
set_hypothesis_home_dir(django_settings.BASE_DIR / ".pytest_cache" / "hypothesis")
# A longer, different run by hand: WS_SCHEMATHESIS_EXAMPLES=100 WS_SCHEMATHESIS_SEED=7.
MAX_EXAMPLES = int(os.environ.get("WS_SCHEMATHESIS_EXAMPLES", "8"))
SEED = int(os.environ.get("WS_SCHEMATHESIS_SEED", "20260601"))

_django = get_wsgi_application()


def app(environ, start_response):
    """Django's WSGI app, without closing the database connection when a request ends
    (that would end the test's transaction), as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = _django(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
schema.config.seed = SEED
# No example database (.hypothesis/): every run replays the same cases.
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
# Examples (none in our schema), coverage (boundary values of every parameter and field)
# and fuzzing; the stateful phase needs links the contract does not declare.
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# An Idempotency-Key the fixture used (so calls that send it are replayed or refused).
USED_KEY = "clave-usada-1"
# Operations of the payer (EPS, EOC, entidad territorial); the rest are the proveedor's.
PAYER_OPERATIONS = {
    "Direccionamiento",
    "NODireccionamiento",
    "Suministro",
    "DatosFacturados",
    "AnularDireccionamiento",
    "AnularNODireccionamiento",
    "AnularSuministro",
    "DatosFacturadosAnular",
    "DatosFacturadosxPrescripcion",
}


def _operation_name(path: str) -> str:
    return path.split("/")[3]


def _is_payer_operation(path: str) -> bool:
    name = _operation_name(path)
    return (
        path.startswith(f"/{PRES}/")
        or name in PAYER_OPERATIONS
        or (name.endswith("XMany") and name[: -len("XMany")] in PAYER_OPERATIONS)
    )


@pytest.fixture
def chain(client, world, creds, settings):
    """The world with records at every step, registered through the web services:
    delivery 1 of M1 directed, programmed, delivered, reported and invoiced; delivery 2
    directed and programmed; S1 directed. Lists then answer records, the annulments have
    a target, and `bodies` holds a valid body per registration."""
    settings.WS_RATE_LIMIT_PER_MINUTE = 100_000
    eps = Ws(client, world["eps"], GUIDS["eps"])
    prov = Ws(client, world["provider"], GUIDS["provider"])
    today = datetime.date.today().isoformat()
    steps = [
        (eps, "Direccionamiento", direccionamiento_body(world), SUM),
        (eps, "Direccionamiento", direccionamiento_body(world, number=2), SUM),
        (eps, "Direccionamiento", direccionamiento_body(world, line="S1", quantity="30"), SUM),
        (prov, "Programacion", lambda ids: programacion_body(world, ids[0]), SUM),
        (prov, "Programacion", lambda ids: programacion_body(world, ids[1]), SUM),
        (prov, "Entrega", lambda ids: entrega_body(ids[0]), SUM),
        (prov, "ReporteEntrega", lambda ids: reporte_body(ids[0]), SUM),
        (prov, "Facturacion", facturacion_body(world), FAC),
    ]
    deliverables, ids = [], {}
    for ws, name, body, base in steps:
        # The first programación's answer is remembered under USED_KEY.
        first_programacion = name == "Programacion" and "AnularProgramacion" not in ids
        headers = {"Idempotency-Key": USED_KEY} if first_programacion else {}
        body = body(deliverables) if callable(body) else body
        response = ws.put(name, body, base=base, headers=headers)
        assert response.status_code == 200, (name, response.json())
        (answer,) = response.json()
        if name == "Direccionamiento":
            deliverables.append(answer["Id"])
        step_id = next(value for key, value in answer.items() if key != "Id")
        ids["FacturacionAnular" if name == "Facturacion" else f"Anular{name}"] = step_id
    first, second, third = deliverables
    ids.update(ID=first, AnularEntregaAmbito=ids["AnularEntrega"])
    bodies = {
        "Direccionamiento": direccionamiento_body(world, line="S1", number=2, quantity="30"),
        "Programacion": programacion_body(world, third),
        "Entrega": entrega_body(second),
        "EntregaCodigos": {
            "IDEntrega": ids["AnularEntrega"],
            "CodSerTecEntregado": "19943546-01",
            "CantTotEntregada": "1",
            "FecEntrega": today,
        },
        "ReporteEntrega": reporte_body(first),
        "Facturacion": facturacion_body(world),
    }
    return {
        "world": world,
        "eps": eps,
        "prov": prov,
        "ids": ids,
        "bodies": bodies,
        "calls": itertools.count(),
    }


def _real_values(case, chain, call: int) -> None:
    """The world's own date, prescription, patient and ids in the path and the body;
    every other time, a valid body for the operation."""
    world, ids = chain["world"], chain["ids"]
    name = _operation_name(case.path)
    real = {
        "fecha": datetime.date.today().isoformat(),
        "numero": world["prescription"].number,
        "tipodoc": world["patient"].document_type,
        "numdoc": world["patient"].document_number,
        "id": str(ids.get(name, ids["ID"])),
    }
    for parameter, value in real.items():
        if parameter in case.path_parameters:
            case.path_parameters[parameter] = value
    valid = chain["bodies"].get(name.removesuffix("XMany"))
    if valid is not None and call % 4 == 0:
        if name.endswith("XMany"):
            generated = case.body if isinstance(case.body, list) else [case.body]
            case.body = [valid, *generated]
        else:
            case.body = dict(valid)
    elif isinstance(case.body, dict) and "ID" in case.body:
        case.body["ID"] = ids["ID"]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
def test_schema(case, chain):
    call = next(chain["calls"])
    # Three calls in four as the operation's own kind of entity, one as the other kind
    # (403, 404 or an empty list); one in eight keeps the generated NIT and token (401).
    as_payer = _is_payer_operation(case.path) != (call % 4 == 3)
    caller = chain["eps"] if as_payer else chain["prov"]
    guid = GUIDS["eps"] if as_payer else GUIDS["provider"]
    parameters = case.path_parameters
    if call % 8 != 7:
        parameters["nit"] = caller.nit
        if "guid" in parameters:
            parameters["guid"] = guid
        if "token" in parameters:
            parameters["token"] = guid if case.path.startswith(f"/{PRES}/") else caller.token
    if call % 2 == 0:
        _real_values(case, chain, call)
    if call % 8 in (2, 4) and "fecha" in parameters:
        # The calendar's edges (issue 12.7): a 400 with Message, never a 500.
        parameters["fecha"] = "9999-12-31" if call % 8 == 2 else "0001-01-01"
    if call % 8 == 6 and case.method in ("PUT", "POST"):
        case.headers = {**(case.headers or {}), "Idempotency-Key": USED_KEY}
    case.call_and_validate(checks=CHECKS)
