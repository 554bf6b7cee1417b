"""Refusals on the wire (research §4, DESIGN §5): `{"Message", "Errors", "Code"}` with
401 (token), 400 (malformed parameter or body), 404 (unknown id), 422 (business rule, the
services' DomainError), 429 (rate limit). Duplicates always say "ya existe"."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response

from mipres.lib.errors import DomainError

logger = logging.getLogger("webservices")


class WsError(Exception):
    def __init__(self, status: int, message, *, code: str, errors=None, headers=None) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = str(message)
        self.code = code
        self.errors = [str(e) for e in (errors or [self.message])]
        self.headers = headers or {}

    def body(self) -> dict:
        return {"Message": self.message, "Errors": self.errors, "Code": self.code}


def unauthorized() -> WsError:
    return WsError(
        401, _("El token ha expirado o no es válido para este NIT."), code="invalid_token"
    )


def bad_request(message, *, code: str = "bad_request", errors=None) -> WsError:
    return WsError(400, message, code=code, errors=errors)


def not_found(message=None) -> WsError:
    return WsError(404, message or _("No existe el registro solicitado."), code="not_found")


def refusal(message, *, code: str) -> WsError:
    return WsError(422, message, code=code)


def from_domain(error: DomainError) -> WsError:
    """A service refusal as 422; a duplicate's message contains "ya existe" (clients such
    as CAR treat it as already done)."""
    message = str(error.message)
    if error.code == "duplicate" and "ya existe" not in message.lower():
        message = _("Ya existe: %(message)s") % {"message": message}
    detail = f"{error.field}: {error.message}" if error.field else str(error.message)
    return WsError(422, message, code=error.code, errors=[detail])


def to_ws_error(exc) -> WsError | None:
    if isinstance(exc, WsError):
        return exc
    if isinstance(exc, DomainError):
        return from_domain(exc)
    if isinstance(exc, Http404 | drf.NotFound):
        return not_found()
    if isinstance(exc, drf.ParseError | drf.UnsupportedMediaType):
        return bad_request(
            _("El cuerpo de la solicitud no es un JSON válido."), code="malformed_json"
        )
    if isinstance(exc, drf.MethodNotAllowed):
        return WsError(405, _("Método no permitido."), code="method_not_allowed")
    if isinstance(exc, PermissionDenied | drf.PermissionDenied):
        return WsError(403, _("No tiene permiso para esta operación."), code="forbidden")
    if isinstance(exc, drf.APIException):
        return WsError(exc.status_code, str(exc.detail), code="error")
    return None


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER (settings.REST_FRAMEWORK)."""
    error = to_ws_error(exc)
    if error is None:
        return None
    return Response(error.body(), status=error.status, headers=error.headers)
