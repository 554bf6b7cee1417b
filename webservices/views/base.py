"""What every web-service view shares: the path token, the rate limits, the
Idempotency-Key replay, the XMany batch and the view factories with their OpenAPI schema
(drf-spectacular)."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from mipres.db import replica_reads

from .. import limits, services
from ..errors import WsError, bad_request, to_ws_error, unauthorized
from ..middleware import MAX_BODY_BYTES
from ..parsing import DATE, DEC, FLAG, INT, QTY, parse_body, path_id
from ..paths import mask_tokens
from ..services import Caller

MAX_BATCH = 500


class AnyJSONParser(JSONParser):
    """JSON whatever the Content-Type says (some clients send none or text/plain). A body
    over MAX_BODY_BYTES is a 413 and nesting too deep for the decoder a 400, both with
    `Message`, never a 500."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        too_large = WsError(
            413,
            _("El cuerpo de la solicitud supera %(n)s MB.") % {"n": MAX_BODY_BYTES // 2**20},
            code="body_too_large",
        )
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise too_large
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise too_large
        try:
            return json.loads(raw.decode(settings.DEFAULT_CHARSET))
        except RecursionError:
            raise bad_request(
                _("El JSON del cuerpo está anidado demasiado profundo."), code="json_too_deep"
            ) from None
        except ValueError:
            raise bad_request(
                _("El cuerpo de la solicitud no es un JSON válido."), code="malformed_json"
            ) from None


class WsView(APIView):
    parser_classes = [AnyJSONParser]
    authentication_classes: list = []
    permission_classes: list = []


def _too_many(message) -> WsError:
    return WsError(
        429, message, code="rate_limited", headers={"Retry-After": str(limits.retry_after())}
    )


def authenticate(nit: str, token: str, *, guid: bool = False, failure=None) -> Caller:
    """The caller of a path token (a temporal token, or the GUID itself on the
    prescription service and GenerarToken); 401 (or `failure`) when it is not valid, 429
    when a limit of webservices.limits is over."""
    nit = services.normalise_nit(nit)
    if limits.address_blocked():
        raise _too_many(
            _("Demasiados intentos fallidos de autenticación desde su dirección: espere un minuto.")
        )
    caller = services.guid_resolve(nit, token) if guid else services.token_resolve(token, nit)
    if caller is None:
        if limits.failure_counted(nit):
            raise failure or unauthorized()
        raise _too_many(_("Demasiados intentos fallidos de autenticación: espere un minuto."))
    if not limits.request_counted(caller.credential_id):
        raise _too_many(
            _("Demasiadas solicitudes con esta credencial: intente de nuevo en %(s)s segundos.")
            % {"s": limits.retry_after()}
        )
    return caller


def require_payer(caller: Caller) -> None:
    if not caller.is_payer:
        raise WsError(
            403,
            _("Esta operación es del pagador (EPS, EOC o entidad territorial)."),
            code="forbidden_operation",
        )


def require_provider(caller: Caller) -> None:
    if caller.is_payer:
        raise WsError(
            403, _("Esta operación es del proveedor o la IPS."), code="forbidden_operation"
        )


# Schema ---------------------------------------------------------------------------------

NUMBER_OR_STRING = {
    "oneOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+([.,]\d+)?$"}]
}
INTEGER_OR_STRING = {"oneOf": [{"type": "integer"}, {"type": "string", "pattern": r"^\d+$"}]}


class ErrorSerializer(serializers.Serializer):
    Message = serializers.CharField(help_text="Resumen en español.")
    Errors = serializers.ListField(child=serializers.CharField())
    Code = serializers.CharField(help_text="Código estable, legible por máquina.")


@extend_schema_field(INTEGER_OR_STRING)
class IntegerOrString(serializers.JSONField):
    pass


@extend_schema_field(NUMBER_OR_STRING)
class NumberOrString(serializers.JSONField):
    pass


_BODY_CACHE: dict[str, type] = {}


def body_serializer(name: str, fields) -> type:
    """A DRF serializer describing a body spec, for the schema only: bodies are read by
    parsing.parse_body, more lenient than DRF (numbers as strings, names in any case)."""
    if name not in _BODY_CACHE:
        attrs = {}
        for field_name, kind, required in fields:
            if kind in (INT, FLAG):
                attrs[field_name] = IntegerOrString(required=required)
            elif kind in (DEC, QTY):
                attrs[field_name] = NumberOrString(required=required)
            elif kind == DATE:
                attrs[field_name] = serializers.DateField(required=required)
            else:
                attrs[field_name] = serializers.CharField(required=required, allow_blank=True)
        _BODY_CACHE[name] = type(name, (serializers.Serializer,), attrs)
    return _BODY_CACHE[name]


_TYPES = {
    "integer": (serializers.IntegerField, {}),
    "string": (serializers.CharField, {}),
    "string-or-null": (serializers.CharField, {"allow_null": True}),
    "integer-or-null": (serializers.IntegerField, {"allow_null": True}),
    "number-or-string": (serializers.CharField, {}),
    "array": (serializers.ListField, {}),
}


def record_serializer(name: str, fields) -> type:
    if name in _BODY_CACHE:
        return _BODY_CACHE[name]
    attrs = {}
    for field_name, kind in fields:
        cls, kwargs = _TYPES.get(kind, (serializers.CharField, {}))
        if kind == "array":
            kwargs = {"child": serializers.CharField()}
        attrs[field_name] = cls(**kwargs)
    serializer = type(name, (serializers.Serializer,), attrs)
    _BODY_CACHE[name] = serializer
    return serializer


def result_serializer(name: str, id_key: str) -> type:
    return record_serializer(f"{name}Result", [("Id", "integer"), (id_key, "integer")])


def error_responses(*codes: int) -> dict:
    texts = {
        400: "Parámetro o cuerpo mal formado (fecha, número, JSON).",
        401: "Token inválido o vencido.",
        403: "La operación no corresponde al tipo de entidad del token.",
        404: "No existe el registro (o no es visible con este token).",
        422: (
            "Regla de negocio: el servicio rechazó la solicitud (los duplicados dicen «ya existe»)."
        ),
        413: "Cuerpo de la solicitud demasiado grande.",
        429: (
            "Límite de solicitudes por credencial, o de intentos fallidos por dirección o "
            "NIT; ver Retry-After."
        ),
    }
    return {code: OpenApiResponse(ErrorSerializer, description=texts[code]) for code in codes}


NIT = OpenApiParameter(
    "nit", str, OpenApiParameter.PATH, description="NIT sin dígito de verificación."
)
TOKEN = OpenApiParameter(
    "token",
    str,
    OpenApiParameter.PATH,
    description="Token temporal de GenerarToken (URL-decodificado y recortado).",
)
GUID = OpenApiParameter(
    "token", str, OpenApiParameter.PATH, description="GUID (token de consulta) de la entidad."
)
FECHA = OpenApiParameter(
    "fecha", OpenApiTypes.DATE, OpenApiParameter.PATH, description="AAAA-MM-DD."
)
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Opcional: repetir la solicitud con la misma clave devuelve la primera respuesta.",
)


# Writes ----------------------------------------------------------------------------------


@dataclass
class PutOperation:
    """A registration: PUT `{name}/{nit}/{token}` (and POST `{name}XMany`)."""

    name: str
    fields: list
    handler: Callable[[Caller, dict], dict]
    id_key: str
    summary: str
    tag: str
    many: bool = True


def _run(operation: PutOperation, caller: Caller, data) -> dict:
    body = parse_body(data, operation.fields)
    return operation.handler(caller, body)


def _idempotency_key(request) -> str:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 200 or (key and not key.isprintable()):
        raise bad_request(
            _("Idempotency-Key: hasta 200 caracteres imprimibles."), code="bad_idempotency_key"
        )
    return key


def _once(caller: Caller, request, operation: str, run) -> Response:
    """`run()` → (status, body), once per `Idempotency-Key` of the caller's credential on
    this method and path (services.idempotent_run): a retry, or a concurrent twin, gets
    the first answer back (a refusal too) with `Idempotent-Replayed: true`; the key sent
    again with another body is a 422 idempotency_key_reused."""
    key = _idempotency_key(request)
    if not key:
        status, body = run()
        return Response(body, status=status)
    canonical = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    fingerprint = hashlib.sha256(canonical.encode()).hexdigest()
    scope = {"method": request.method, "path": mask_tokens(request.path_info), "key": key}
    status, body, replayed = services.idempotent_run(caller, scope, fingerprint, operation, run)
    if status is None:
        raise WsError(
            422,
            _(
                "La clave Idempotency-Key ya se usó en esta operación (%(op)s) con otro cuerpo: "
                "use una clave nueva para otra solicitud."
            )
            % {"op": body},
            code="idempotency_key_reused",
        )
    return Response(
        body, status=status, headers={"Idempotent-Replayed": "true"} if replayed else {}
    )


def _answer_or_refusal(fn):
    """(200, fn()) or (422, the refusal's body); any other error propagates."""
    try:
        return 200, fn()
    except Exception as exc:
        error = to_ws_error(exc)
        if error is not None and error.status == 422:
            return 422, error.body()
        raise


def put_view(operation: PutOperation, base_tag: str):
    body = body_serializer(f"{operation.name}Body", operation.fields)
    result = result_serializer(operation.name, operation.id_key)

    class View(WsView):
        @extend_schema(
            operation_id=f"{base_tag}_{operation.name}_put",
            summary=operation.summary,
            tags=[operation.tag],
            parameters=[NIT, TOKEN, IDEMPOTENCY],
            request=body,
            responses={
                200: result(many=True),
                **error_responses(400, 401, 403, 404, 413, 422, 429),
            },
        )
        def put(self, request, nit, token):
            caller = authenticate(nit, token)
            return _once(
                caller,
                request,
                operation.name,
                lambda: _answer_or_refusal(lambda: [_run(operation, caller, request.data)]),
            )

    View.__name__ = View.__qualname__ = f"{operation.name}View"
    return View


class BatchItemSerializer(serializers.Serializer):
    Id = serializers.IntegerField(required=False)
    Message = serializers.CharField(required=False)
    Errors = serializers.ListField(child=serializers.CharField(), required=False)
    Code = serializers.CharField(required=False)
    Status = serializers.IntegerField(
        help_text="200 para un elemento registrado, o el estado que tendría su PUT."
    )


def many_view(operation: PutOperation, base_tag: str):
    body = body_serializer(f"{operation.name}Body", operation.fields)

    class View(WsView):
        @extend_schema(
            operation_id=f"{base_tag}_{operation.name}XMany_post",
            summary=f"{operation.summary} (varios: un resultado por elemento, en orden)",
            description=(
                "Un arreglo JSON de cuerpos del PUT; responde un arreglo con un resultado por "
                f'elemento, en el mismo orden: `{{"Id", "{operation.id_key}", "Status": 200}}` '
                "o el error del elemento con su `Status`. Cada elemento es su propia transacción."
            ),
            tags=[operation.tag],
            parameters=[NIT, TOKEN, IDEMPOTENCY],
            request=body(many=True),
            # 422 for the whole batch only when its Idempotency-Key was used by another
            # operation; every other refusal is an item's, inside the 200.
            responses={
                200: BatchItemSerializer(many=True),
                **error_responses(400, 401, 413, 422, 429),
            },
        )
        def post(self, request, nit, token):
            caller = authenticate(nit, token)
            items = request.data
            if not isinstance(items, list):
                raise bad_request(_("El cuerpo debe ser un arreglo JSON."), code="malformed_body")
            if len(items) > MAX_BATCH:
                raise bad_request(
                    _("Máximo %(n)s elementos por solicitud.") % {"n": MAX_BATCH},
                    code="batch_too_large",
                )

            def run():
                results = []
                for item in items:
                    try:
                        results.append({**_run(operation, caller, item), "Status": 200})
                    except Exception as exc:
                        error = to_ws_error(exc)
                        if error is None:
                            raise
                        results.append({**error.body(), "Status": error.status})
                return 200, results

            return _once(caller, request, f"{operation.name}XMany", run)

    View.__name__ = View.__qualname__ = f"{operation.name}XManyView"
    return View


@dataclass
class AnnulOperation:
    """PUT `{name}/{nit}/{token}/{id}`: annul one of the caller's records."""

    name: str
    lookup: Callable[[Caller, int], object]
    annul: Callable[[Caller, object], dict]
    id_key: str
    summary: str
    tag: str


def annul_view(operation: AnnulOperation, base_tag: str):
    result = result_serializer(operation.name, operation.id_key)

    class View(WsView):
        @extend_schema(
            operation_id=f"{base_tag}_{operation.name}_put",
            summary=operation.summary,
            tags=[operation.tag],
            parameters=[
                NIT,
                TOKEN,
                OpenApiParameter("id", str, OpenApiParameter.PATH, description=operation.id_key),
            ],
            request=None,
            responses={200: result(many=True), **error_responses(400, 401, 404, 422, 429)},
        )
        def put(self, request, nit, token, id):
            caller = authenticate(nit, token)
            record = operation.lookup(caller, path_id(id, operation.id_key))
            return Response([operation.annul(caller, record)])

    View.__name__ = View.__qualname__ = f"{operation.name}View"
    return View


# Reads ----------------------------------------------------------------------------------

FECHA_MODE, PRESCRIPTION_MODE, PATIENT_MODE = "fecha", "prescripcion", "paciente"
NUMBER = OpenApiParameter(
    "numero", str, OpenApiParameter.PATH, description="NoPrescripcion (20 dígitos)."
)
TIPODOC = OpenApiParameter(
    "tipodoc", str, OpenApiParameter.PATH, description="Tipo de documento del paciente (CC, TI…)."
)
NUMDOC = OpenApiParameter(
    "numdoc", str, OpenApiParameter.PATH, description="Número de documento del paciente."
)


@dataclass
class ListOperation:
    """GET `{name}` by date, by prescription or by patient and date (research §0.3)."""

    name: str
    mode: str
    queryset: Callable[[Caller], object]
    fields: list
    record_name: str
    summary: str
    tag: str
    guid: bool = False


def list_view(operation: ListOperation, base_tag: str):
    from .. import selectors
    from ..serializers import supply as records

    record = record_serializer(f"{operation.record_name}Record", operation.fields)
    parameters = {
        FECHA_MODE: [NIT, GUID if operation.guid else TOKEN, FECHA],
        PRESCRIPTION_MODE: [NIT, GUID if operation.guid else TOKEN, NUMBER],
        PATIENT_MODE: [NIT, FECHA, GUID if operation.guid else TOKEN, TIPODOC, NUMDOC],
    }[operation.mode]

    class View(WsView):
        @extend_schema(
            operation_id=f"{base_tag}_{operation.name}_get",
            summary=operation.summary,
            tags=[operation.tag],
            parameters=parameters,
            responses={200: record(many=True), **error_responses(400, 401, 429)},
        )
        @replica_reads()
        def get(self, request, nit, token, fecha=None, numero=None, tipodoc=None, numdoc=None):
            from ..parsing import path_date, path_text

            caller = authenticate(nit, token, guid=operation.guid)
            queryset = operation.queryset(caller)
            model = queryset.model
            if operation.mode == FECHA_MODE:
                queryset = selectors.by_date(queryset, path_date(fecha))
            elif operation.mode == PRESCRIPTION_MODE:
                queryset = selectors.by_prescription(
                    queryset, model, path_text(numero, "NoPrescripcion")
                )
            else:
                queryset = selectors.by_patient(
                    queryset,
                    model,
                    path_date(fecha),
                    path_text(tipodoc, "tipodoc", 2),
                    path_text(numdoc, "numdoc", 17),
                )
            row, columns = records.ROWS[model]
            # Plain rows and orjson: no model instances, no DRF renderer (issue 12.3); the
            # bytes are what DRF's compact UTF-8 JSON renderer wrote.
            body = orjson.dumps([row(values) for values in queryset.values(*columns)])
            return HttpResponse(body, content_type="application/json")

    View.__name__ = View.__qualname__ = f"{operation.name}View"
    return View
