"""The OpenAPI schema documents every operation; Swagger UI is served without a CDN."""

import json

import pytest
from django.urls import get_resolver

pytestmark = pytest.mark.django_db


def _schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_every_route_is_documented_with_its_refusals(client):
    schema = _schema(client)
    operations = {
        (path, method): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post"}
    }
    from webservices import urls

    routes = (
        len(urls.supply_patterns) + len(urls.billing_patterns) + len(urls.prescription_patterns)
    )
    assert len(operations) == routes
    for (path, _method), operation in operations.items():
        assert "200" in operation["responses"], path
        assert "401" in operation["responses"], path
        assert "429" in operation["responses"], path
    put = schema["paths"]["/WSSUMMIPRESNOPBS/api/Programacion/{nit}/{token}"]["put"]
    assert {"400", "404", "422"} <= set(put["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in put["parameters"])
    many = schema["paths"]["/WSSUMMIPRESNOPBS/api/ProgramacionXMany/{nit}/{token}"]["post"]
    assert {"400", "401", "422", "429"} <= set(many["responses"])
    patient = "/WSSUMMIPRESNOPBS/api/EntregaXPacienteFecha/{nit}/{fecha}/{token}/{tipodoc}/{numdoc}"
    assert patient in schema["paths"]
    assert "/WSMIPRESNOPBS/api/Prescripcion/{nit}/{fecha}/{token}" in schema["paths"]


def test_swagger_ui_like_the_real_server(client):
    for base in ("WSSUMMIPRESNOPBS", "WSFACMIPRESNOPBS", "WSMIPRESNOPBS"):
        response = client.get(f"/{base}/Swagger/ui/index")
        assert response.status_code == 200
        html = response.content.decode()
        assert "swagger-ui" in html and "cdn" not in html.lower()
    assert get_resolver()
