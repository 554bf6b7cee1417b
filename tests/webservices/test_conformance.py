"""A schemathesis-like pass over the OpenAPI schema: every documented operation, called
with good and bad credentials, good and malformed parameters and bodies, answers one of
its documented status codes, never a server error."""

import datetime
import json

import pytest

from .conftest import GUIDS

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today().isoformat()


def _operations(client):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post"}:
                yield path, method, operation


def _fill(path: str, world, token: str, guid: str, variant: int) -> str:
    values = {
        "nit": [world["provider"].nit, world["provider"].nit, "abc", world["eps"].nit][variant],
        "token": [token, "x", token, token][variant],
        "guid": [guid, "x", guid, guid][variant],
        "fecha": [TODAY, TODAY, "2026-99-99", TODAY][variant],
        "numero": [world["prescription"].number, "1", "%20", "x" * 40][variant],
        "tipodoc": ["CC", "CC", "ZZZ", "CC"][variant],
        "numdoc": ["43000111", "1", "1", "1"][variant],
        "id": ["1", "abc", "99999999", "-1"][variant],
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def test_every_operation_answers_documented_codes(client, world, creds, prov_ws):
    bodies = [None, "{}", "[]", '{"ID": "x", "NoEntrega": -5}', "not json"]
    checked = 0
    for path, method, operation in _operations(client):
        documented = {int(code) for code in operation["responses"]}
        guid = GUIDS["provider"]
        token = guid if path.startswith("/WSMIPRESNOPBS/") else prov_ws.token
        for variant in range(4):
            url = _fill(path, world, token, guid, variant)
            for body in bodies if method != "get" else [None]:
                response = getattr(client, method)(
                    url, data=body or "", content_type="application/json"
                )
                assert response.status_code < 500, (method, url, body)
                assert response.status_code in documented, (method, url, body, response.json())
                checked += 1
    assert checked > 500
