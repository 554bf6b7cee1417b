"""GenerarToken, the path token, routing and refusals common to every endpoint."""

import datetime
import json
import logging

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from webservices import services
from webservices.models import Credential, TemporalToken
from webservices.paths import mask_tokens

from .conftest import FAC, GUIDS, SUM, direccionamiento_body

pytestmark = pytest.mark.django_db


def test_generar_token_answers_a_quoted_json_string(client, world, creds):
    nit = world["provider"].nit
    for base in (SUM, FAC):
        response = client.get(f"/{base}/api/GenerarToken/{nit}/{GUIDS['provider']}")
        assert response.status_code == 200
        assert response.content.startswith(b'"') and response.content.endswith(b'"')
        token = json.loads(response.content)
        assert token.endswith("=")
        assert services.token_resolve(token, nit).entity == world["provider"]
    # Only hashes are stored.
    assert not TemporalToken.objects.filter(token_hash=token).exists()
    assert not Credential.objects.filter(guid_hash=GUIDS["provider"]).exists()


def test_generar_token_refuses_bad_credentials_with_message(client, world, creds):
    nit = world["provider"].nit
    for path in (
        f"/{SUM}/api/GenerarToken/{nit}/{GUIDS['eps']}",  # another entity's GUID
        f"/{SUM}/api/GenerarToken/{nit}/00000000-0000-0000-0000-000000000000",
        f"/{SUM}/api/GenerarToken/123/{GUIDS['provider']}",
    ):
        response = client.get(path)
        assert response.status_code == 401
        assert "Message" in response.json()


def test_paths_are_case_insensitive_and_nit_may_carry_the_dv(client, world, creds):
    nit = world["provider"].nit
    guid = GUIDS["provider"].lower()
    assert client.get(f"/wssummipresnopbs/Api/generartoken/{nit}/{guid}").status_code == 200
    assert (
        client.get(
            f"/WsFacMipresNoPbs/API/GENERARTOKEN/{nit}-{world['provider'].dv}/{guid}/"
        ).status_code
        == 200
    )


def test_token_segments_are_decoded_and_trimmed(client, prov_ws, world):
    token = prov_ws.token
    nit = world["provider"].nit
    day = datetime.date.today().isoformat()
    for variant in (token, token.replace("=", "%3D"), token.replace("=", "%3D") + "%20%20%20"):
        path = f"/{SUM}/api/DireccionamientoXFecha/{nit}/{variant}/{day}"
        response = client.get(path)
        assert response.status_code == 200, variant
        assert response.json() == []


def test_bad_or_expired_token_is_401(client, prov_ws, world):
    nit = world["provider"].nit
    day = datetime.date.today().isoformat()
    response = client.get(f"/{SUM}/api/DireccionamientoXFecha/{nit}/nope/{day}")
    assert response.status_code == 401 and "Message" in response.json()
    # The token of another NIT.
    other = world["other_provider"].nit
    assert (
        client.get(f"/{SUM}/api/DireccionamientoXFecha/{other}/{prov_ws.token}/{day}").status_code
        == 401
    )
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=25)):
        assert prov_ws.by_date("DireccionamientoXFecha", day).status_code == 401


def test_rotating_the_guid_revokes_its_tokens(prov_ws, world):
    assert prov_ws.by_date("DireccionamientoXFecha").status_code == 200
    services.credential_rotate(actor=None, entity=world["provider"])
    assert prov_ws.by_date("DireccionamientoXFecha").status_code == 401
    assert services.token_generate(world["provider"].nit, GUIDS["provider"]) is None


def test_malformed_parameters_are_400(prov_ws):
    assert prov_ws.by_date("DireccionamientoXFecha", "2026-13-45").status_code == 400
    response = prov_ws.by_date("DireccionamientoXFecha", "ayer")
    assert response.status_code == 400 and response.json()["Code"] == "bad_date"
    assert prov_ws.annul("AnularProgramacion", "12a").status_code == 400


def test_unknown_routes_and_methods_answer_json(client, prov_ws, world):
    response = client.get(f"/{SUM}/api/NoExiste/{world['provider'].nit}/x")
    assert response.status_code == 404 and "Message" in response.json()
    response = client.get(f"/{SUM}/api/Direccionamiento/{world['provider'].nit}/{prov_ws.token}")
    assert response.status_code == 405 and "Message" in response.json()


def test_strange_inputs_never_give_500(client, eps_ws, world):
    nit = world["eps"].nit
    for path in (
        f"/{SUM}/api/DireccionamientoXFecha/{nit}/{eps_ws.token}/0000-00-00",
        f"/{SUM}/api/DireccionamientoXPrescripcion/{nit}/{eps_ws.token}/' OR 1=1",
        f"/{SUM}/api/DireccionamientoXPacienteFecha/{nit}/2026-01-01/{eps_ws.token}/ZZ/%00",
        f"/{SUM}/api/AnularEntrega/{nit}/{eps_ws.token}/99999999999999999999999",
    ):
        assert client.get(path).status_code < 500
        assert client.put(path).status_code < 500
    for raw in ("", "null", "[]", '"x"', '{"ConTec": {}}', "1e999", '{"NoEntrega": 1e40}'):
        assert eps_ws.put("Direccionamiento", raw=raw).status_code in (400, 404, 422)
    body = direccionamiento_body(world, CantTotAEntregar="NaN")
    assert eps_ws.put("Direccionamiento", body).status_code == 400


@override_settings(WS_RATE_LIMIT_PER_MINUTE=3)
def test_rate_limit_per_credential_is_429_with_retry_after(client, prov_ws, world):
    codes = [prov_ws.by_date("DireccionamientoXFecha").status_code for _ in range(5)]
    assert codes[:2] == [200, 200]  # (the token's GenerarToken was not counted: made directly)
    assert 429 in codes
    limited = prov_ws.by_date("DireccionamientoXFecha")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "Message" in limited.json()


def test_tokens_never_reach_the_logs(client, prov_ws, world, caplog):
    caplog.set_level(logging.INFO)
    nit = world["provider"].nit
    for path in (
        f"/{SUM}/api/Nada/{nit}/{prov_ws.token}",
        f"/{SUM}/api/DireccionamientoXFecha/{nit}/{prov_ws.token}/mal",
        f"/{SUM}/api/GenerarToken/{nit}/{GUIDS['provider']}",
        f"/{SUM}/api/EntregaXPacienteFecha/{nit}/mal/{prov_ws.token}/CC/1",
    ):
        client.get(path)
    assert caplog.records, "the 4xx answers are logged by django.request"
    assert prov_ws.token not in caplog.text
    assert GUIDS["provider"] not in caplog.text
    assert "***" in caplog.text


def test_unknown_operation_answers_the_refusal_shape(client, prov_ws, world):
    response = client.get(f"/{SUM}/api/Nada/{world['provider'].nit}/{prov_ws.token}")
    assert response.status_code == 404
    assert response.json() == {
        "Message": "No existe el recurso solicitado.",
        "Errors": ["No existe el recurso solicitado."],
        "Code": "not_found",
    }


def test_mask_tokens_positions():
    token = "Zm9vYmFyYmF6cXV4LWZvb2Jhcl9iYXpxdXhmb29iYXI="
    line = f'"GET /wssummipresnopbs/api/ProgramacionXFecha/900123456/{token}/2026-01-01 HTTP/1.1"'
    assert token not in mask_tokens(line)
    assert "900123456" in mask_tokens(line) and "2026-01-01" in mask_tokens(line)
    line = f"/WSMIPRESNOPBS/api/Prescripcion/900123456/2026-01-01/{GUIDS['eps']}"
    assert GUIDS["eps"] not in mask_tokens(line)
    line = "PUT /WSSUMMIPRESNOPBS/api/AnularEntrega/900/abc%3D%20%20/12"
    assert "abc" not in mask_tokens(line) and mask_tokens(line).endswith("/12")


def test_gunicorn_access_log_masks_tokens():
    from webservices.gunicorn import MaskingLogger

    class Cfg:
        def __getattr__(self, name):
            return None

    logger = MaskingLogger.__new__(MaskingLogger)
    logger.cfg = Cfg()
    token = "Zm9vYmFyYmF6cXV4LWZvb2Jhcl9iYXpxdXhmb29iYXI%3D"
    environ = {
        "REQUEST_METHOD": "PUT",
        "RAW_URI": f"/WSSUMMIPRESNOPBS/api/Entrega/900123456/{token}",
        "PATH_INFO": f"/WSSUMMIPRESNOPBS/api/Entrega/900123456/{token}",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }

    class Resp:
        status = "200 OK"
        sent = 10
        headers = []

    class Req:
        headers = [("AUTHORIZATION", f"Bearer {token}")]

    atoms = logger.atoms(Resp(), Req(), environ, datetime.timedelta(seconds=1))
    assert token not in json.dumps(atoms, default=str)


def test_runserver_log_lines_are_masked():
    token = "Zm9vYmFyYmF6cXV4LWZvb2Jhcl9iYXpxdXhmb29iYXI="
    logger = logging.getLogger("django.server")
    handler = next(h for h in logger.handlers if h.name == "django.server")
    record = logger.makeRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /WSSUMMIPRESNOPBS/api/EntregaXFecha/900/{token}/2026-01-01 HTTP/1.1", "200", "2"),
        None,
    )
    assert handler.filter(record)
    line = handler.format(record)
    assert token not in line and "EntregaXFecha/900/***/2026-01-01" in line


def test_suspended_entity_or_inactive_code_loses_its_tokens(eps_ws, prov_ws, world):
    assert eps_ws.by_date("DireccionamientoXFecha").status_code == 200
    world["code"].active = False
    world["code"].save(update_fields=["active"])
    assert eps_ws.by_date("DireccionamientoXFecha").status_code == 401
    assert services.token_generate(world["eps"].nit, GUIDS["eps"]) is None
    world["provider"].status = "suspended"
    world["provider"].save(update_fields=["status"])
    assert prov_ws.by_date("DireccionamientoXFecha").status_code == 401


def test_a_token_is_read_once_then_served_from_the_cache(prov_ws, world, django_assert_num_queries):
    first = services.token_resolve(prov_ws.token, world["provider"].nit)
    assert first is not None and first.entity == world["provider"]
    with django_assert_num_queries(0):
        again = services.token_resolve(prov_ws.token, world["provider"].nit)
        # The NIT is still checked against the cached caller.
        assert services.token_resolve(prov_ws.token, world["other_provider"].nit) is None
    assert again.credential_id == first.credential_id and again.entity == world["provider"]
    # An empty cache (Redis restarted) reads the token again.
    cache.clear()
    with django_assert_num_queries(1):
        assert services.token_resolve(prov_ws.token).entity == world["provider"]


def test_the_cache_never_outlives_the_token(prov_ws, world):
    assert services.token_resolve(prov_ws.token) is not None
    TemporalToken.objects.update(
        expires_at=datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=30)
    )
    cache.clear()
    assert services.token_resolve(prov_ws.token) is not None  # cached for at most 30 s
    with time_machine.travel(
        datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=40)
    ):
        assert services.token_resolve(prov_ws.token) is None


def test_a_change_forgets_the_cached_caller_at_once(eps_ws, prov_ws, world):
    for ws in (eps_ws, prov_ws):
        assert services.token_resolve(ws.token) is not None  # cached
    # Reactivating restores the token: only the state in the database decides.
    world["code"].active = False
    world["code"].save(update_fields=["active"])
    assert services.token_resolve(eps_ws.token) is None
    world["code"].active = True
    world["code"].save(update_fields=["active"])
    assert services.token_resolve(eps_ws.token).payer_code == world["code"]
    # The renamed entity is what the next call sees.
    world["provider"].name = "Proveedor renombrado"
    world["provider"].save(update_fields=["name"])
    assert services.token_resolve(prov_ws.token).entity.name == "Proveedor renombrado"
    services.credential_rotate(actor=None, entity=world["provider"])
    assert services.token_resolve(prov_ws.token) is None
