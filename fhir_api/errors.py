"""Errors as OperationOutcome, with Spanish diagnostics."""

import orjson
from django.http import HttpResponse

CONTENT_TYPE = "application/fhir+json; charset=utf-8"


class FhirError(Exception):
    def __init__(self, status: int, code: str, diagnostics: str, headers: dict | None = None):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.headers = headers or {}


def operation_outcome(code: str, diagnostics: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": str(diagnostics)}],
    }


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    # orjson, as the web services' lists: a page of 50 resources is ~2,500 small dicts.
    response = HttpResponse(orjson.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: FhirError) -> HttpResponse:
    return fhir_response(
        operation_outcome(error.code, error.diagnostics), error.status, error.headers
    )


def bad_request(diagnostics: str) -> FhirError:
    return FhirError(400, "invalid", diagnostics)


def not_found(resource_type: str, resource_id: str) -> FhirError:
    return FhirError(
        404,
        "not-found",
        f"No existe {resource_type}/{resource_id[:80]} (o no es visible con este token).",
    )
