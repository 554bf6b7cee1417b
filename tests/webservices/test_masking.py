"""Tokens never reach a log, whatever the encoding (issue 12.6): masking works on the
decoded, normalised path in Django's request log, gunicorn's access log and the SQL sent
to PostgreSQL (whose log of failing statements would show it)."""

import datetime
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from webservices.paths import mask_tokens

from .conftest import GUIDS, SUM

pytestmark = pytest.mark.django_db


def variants(nit: str, token: str, guid: str) -> list[str]:
    """Spellings a client or an attacker sends for the same paths."""
    return [
        f"/{SUM}/%61pi/GenerarToken/{nit}/{guid}",
        f"/{SUM}/api/Gener%61rToken/{nit}/{guid}",
        f"/%57SSUMMIPRESNOPBS/api/GenerarToken/{nit}/{guid}",
        f"/{SUM}/api/GenerarToken/{nit}/{guid.lower()}%20",
        f"/{SUM.lower()}/API/generartoken/{nit}/{guid}",
        f"/{SUM}//api//DireccionamientoXFecha//{nit}//{token}//2026-01-01",
        f"/{SUM}/api/DireccionamientoXFecha/{nit}/{token}%20%20/2026-01-01",
        f"/{SUM}/api/DireccionamientoXFecha/{nit}/{token.replace('=', '%3D')}/2026-01-01",
        f"/{SUM}/api/DireccionamientoXFecha/9%200'0/{token}/2026-01-01",
        f"/{SUM}/api/DireccionamientoXFecha/9%22/{token}/x",
        f"/{SUM}/api/EntregaXPacienteFecha/{nit}/mal%20'x/{token}/CC/1",
        f"/{SUM}/api/Entrega%58Fecha/{nit}/{token}/%252026",
    ]


def _leaks(text: str, token: str, guid: str) -> bool:
    lowered = text.lower()
    return token.lower() in lowered or guid.lower() in lowered or token[:-1].lower() in lowered


def test_every_spelling_is_masked_in_text(world, prov_ws):
    token, guid = prov_ws.token, GUIDS["provider"]
    for path in variants(prov_ws.nit, token, guid):
        for line in (path, f'"GET {path} HTTP/1.1" 404 120', f"Not Found: {path}"):
            assert not _leaks(mask_tokens(line), token, guid), line


def test_django_and_gunicorn_logs_and_sql_never_see_a_token(client, world, prov_ws, caplog):
    from webservices.gunicorn import MaskingLogger

    caplog.set_level(logging.INFO)
    token, guid = prov_ws.token, GUIDS["provider"]
    with CaptureQueriesContext(connection) as queries:
        for path in variants(prov_ws.nit, token, guid):
            client.get(path)
    assert caplog.records
    assert not _leaks(caplog.text, token, guid)
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert sql and not _leaks(sql, token, guid)

    class Cfg:
        def __getattr__(self, name):
            return None

    class Resp:
        status = "404 Not Found"
        sent = 10
        headers = []

    class Req:
        headers = []

    logger = MaskingLogger.__new__(MaskingLogger)
    logger.cfg = Cfg()
    for path in variants(prov_ws.nit, token, guid):
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": path,
            "PATH_INFO": path,
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        atoms = logger.atoms(Resp(), Req(), environ, datetime.timedelta(milliseconds=3))
        assert not _leaks(" ".join(str(v) for v in atoms.values()), token, guid), path
