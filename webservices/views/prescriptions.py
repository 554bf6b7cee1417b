"""WSMIPRESNOPBS: prescription queries (research §1.9, §3.8), authenticated by the GUID
itself in the path (no temporal token). An EPS code's GUID sees the prescriptions and
tutelas paid under that code; an IPS's GUID the prescriptions it made. The bundles are read
as plain rows, one query per table whatever their number, and written with orjson
(serializers.prescriptions; issue 12.3)."""

import orjson
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema

from mipres.db import replica_reads
from mipres.lib.days import day_bounds
from prescriptions.enums import JuntaStatus
from prescriptions.models import Novelty, TechnologyLine, Tutela

from .. import selectors
from ..parsing import path_date, path_text
from ..serializers import prescriptions as bundles
from ..services import Caller
from .base import FECHA, GUID, NIT, NUMBER, NUMDOC, TIPODOC, WsView, authenticate, error_responses

TAG = "Prescripciones (WSMIPRESNOPBS)"
FECHA_FIRST = "<str:nit>/<str:fecha>/<str:token>"
PATIENT = "<str:nit>/<str:fecha>/<str:token>/<str:tipodoc>/<str:numdoc>"
BY_NUMBER = "<str:nit>/<str:token>/<str:numero>"
FECHA_LAST = "<str:nit>/<str:token>/<str:fecha>"
PARAMETERS = {
    FECHA_FIRST: [NIT, FECHA, GUID],
    PATIENT: [NIT, FECHA, GUID, TIPODOC, NUMDOC],
    BY_NUMBER: [NIT, GUID, NUMBER],
    FECHA_LAST: [NIT, GUID, FECHA],
}


def _prescriptions(caller: Caller):
    return selectors.prescriptions_visible(caller).order_by("prescribed_at", "id")


def _tutelas(caller: Caller):
    if not caller.is_payer:
        return Tutela.objects.none()
    return Tutela.objects.filter(entity=caller.entity, payer_code=caller.payer_code).order_by(
        "registered_at", "id"
    )


def _day_filter(field: str, date) -> dict:
    start, end = day_bounds(date)
    return {f"{field}__gte": start, f"{field}__lt": end}


def _patient_filter(prefix: str, tipodoc: str, numdoc: str) -> dict:
    return {
        f"{prefix}document_type": path_text(tipodoc, "tipodoc", 2).upper(),
        f"{prefix}document_number": path_text(numdoc, "numdoc", 17),
    }


def prescripcion(caller, fecha, **_):
    rows = _prescriptions(caller).filter(**_day_filter("prescribed_at", path_date(fecha)))
    return bundles.prescription_bundles(rows)


def prescripcion_paciente(caller, fecha, tipodoc, numdoc, **_):
    rows = _prescriptions(caller).filter(
        **_day_filter("prescribed_at", path_date(fecha)),
        **_patient_filter("patient__", tipodoc, numdoc),
    )
    return bundles.prescription_bundles(rows)


def prescripcion_numero(caller, numero, **_):
    rows = _prescriptions(caller).filter(number=path_text(numero, "NoPrescripcion"))
    return bundles.prescription_bundles(rows)


def novedades(caller, fecha, **_):
    rows = Novelty.objects.filter(
        prescription__in=selectors.prescriptions_visible(caller),
        **_day_filter("created_at", path_date(fecha)),
    ).order_by("created_at", "id")
    return bundles.novelties(rows)


def _junta_lines(caller):
    return TechnologyLine.objects.filter(
        prescription__in=selectors.prescriptions_visible(caller),
        junta_status__in=[
            JuntaStatus.PENDIENTE,
            JuntaStatus.APROBADA,
            JuntaStatus.NO_APROBADA,
        ],
    ).order_by("prescription__prescribed_at", "prescription_id", "technology_type", "order")


def junta_fecha(caller, fecha, **_):
    return bundles.junta_rows(
        _junta_lines(caller).filter(**_day_filter("prescription__prescribed_at", path_date(fecha)))
    )


def junta_numero(caller, numero, **_):
    return bundles.junta_rows(
        _junta_lines(caller).filter(prescription__number=path_text(numero, "NoPrescripcion"))
    )


def tutelas(caller, fecha, **_):
    rows = _tutelas(caller).filter(**_day_filter("registered_at", path_date(fecha)))
    return bundles.tutela_bundles(rows)


def tutela_paciente(caller, fecha, tipodoc, numdoc, **_):
    rows = _tutelas(caller).filter(
        **_day_filter("registered_at", path_date(fecha)),
        **_patient_filter("patient__", tipodoc, numdoc),
    )
    return bundles.tutela_bundles(rows)


def tutela_numero(caller, numero, **_):
    rows = _tutelas(caller).filter(number=path_text(numero, "NoTutela"))
    return bundles.tutela_bundles(rows)


def novedades_tutelas(caller, fecha, **_):
    rows = _tutelas(caller).filter(
        annulled_at__isnull=False, **_day_filter("annulled_at", path_date(fecha))
    )
    return bundles.tutela_novelties(rows)


_BUNDLE = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "prescripcion": {"type": "object"},
            "medicamentos": {"type": "array", "items": {"type": "object"}},
            "procedimientos": {"type": "array", "items": {"type": "object"}},
            "dispositivos": {"type": "array", "items": {"type": "object"}},
            "productosnutricionales": {"type": "array", "items": {"type": "object"}},
            "serviciosComplementarios": {"type": "array", "items": {"type": "object"}},
        },
    },
}
_TUTELA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "tutela": {"type": "object"},
            "fallosAdicionales": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "FFalloAdic": {"type": "string", "format": "date"},
                        "NroFalloAdic": {"type": "string"},
                    },
                },
            },
            **_BUNDLE["items"]["properties"],
        },
    },
}
_TUTELA["items"]["properties"].pop("prescripcion")


def _wrapped(key: str) -> dict:
    return {
        "type": "array",
        "items": {"type": "object", "properties": {key: {"type": "object"}}},
    }


OPERATIONS = [
    ("Prescripcion", FECHA_FIRST, prescripcion, _BUNDLE, "Prescripciones de una fecha"),
    (
        "PrescripcionPaciente",
        PATIENT,
        prescripcion_paciente,
        _BUNDLE,
        "Prescripciones de un paciente en una fecha",
    ),
    ("PrescripcionXNumero", BY_NUMBER, prescripcion_numero, _BUNDLE, "Una prescripción"),
    (
        "NovedadesPrescripcion",
        FECHA_FIRST,
        novedades,
        _wrapped("prescripcion_novedades"),
        "Novedades de prescripciones de una fecha",
    ),
    (
        "JuntaProfesionalXFecha",
        FECHA_LAST,
        junta_fecha,
        _wrapped("junta_profesional"),
        "Tecnologías ante la Junta de Profesionales, por fecha de prescripción",
    ),
    (
        "JuntaProfesional",
        BY_NUMBER,
        junta_numero,
        _wrapped("junta_profesional"),
        "Junta de Profesionales de una prescripción",
    ),
    ("Tutelas", FECHA_FIRST, tutelas, _TUTELA, "Tutelas de una fecha"),
    ("TutelaXPaciente", PATIENT, tutela_paciente, _TUTELA, "Tutelas de un paciente en una fecha"),
    ("TutelaXNumero", BY_NUMBER, tutela_numero, _TUTELA, "Una tutela"),
    (
        "NovedadesTutelas",
        FECHA_FIRST,
        novedades_tutelas,
        _wrapped("tutela_novedades"),
        "Novedades (anulaciones) de tutelas de una fecha",
    ),
]


def _view(name, route, fetch, schema, summary):
    class View(WsView):
        @extend_schema(
            operation_id=f"pres_{name}_get",
            summary=summary,
            tags=[TAG],
            parameters=PARAMETERS[route],
            responses={200: OpenApiResponse(schema), **error_responses(400, 401, 429)},
        )
        @replica_reads()
        def get(self, request, nit, token, **params):
            caller = authenticate(nit, token, guid=True)
            # Plain rows and orjson (issue 12.3): the bytes DRF's compact UTF-8 renderer wrote.
            return HttpResponse(
                orjson.dumps(fetch(caller, **params)), content_type="application/json"
            )

    View.__name__ = View.__qualname__ = f"{name}View"
    return View


PATTERNS = [
    path(f"{name}/{route}", _view(name, route, fetch, schema, summary).as_view())
    for name, route, fetch, schema, summary in OPERATIONS
]
