"""The FHIR R4 endpoints: `metadata`, read, search and `MedicationRequest/$prescription`.
Authentication is the web services' temporal token as a Bearer token; every read is scoped
as the web services scope it (fhir.selectors)."""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from entities.models import Entity
from prescriptions.models import Affiliation, Prescription
from supply.models import Direccionamiento, Entrega, Facturacion, NoDireccionamiento, Programacion
from webservices import limits
from webservices.services import Caller, token_resolve

from . import selectors
from .capability import capability_statement
from .errors import FhirError, error_response, fhir_response, not_found
from .mapping import administrative, requests, supply
from .registry import RESOURCES, read
from .rows import line_rows, values
from .search import search


def _too_many(diagnostics: str) -> FhirError:
    return FhirError(429, "throttled", diagnostics, {"Retry-After": str(limits.retry_after())})


def _caller(request) -> Caller:
    """The caller of the Bearer token, under the web services' limits
    (webservices.limits): a failed authentication counts against the client address, a
    valid caller against its credential's quota, shared with the web services."""
    if limits.address_blocked():
        raise _too_many(
            _("Demasiados intentos fallidos de autenticación desde su dirección: espere un minuto.")
        )
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    caller = token_resolve(token) if scheme.lower() == "bearer" else None
    if caller is None:
        if not limits.failure_counted(None):
            raise _too_many(_("Demasiados intentos fallidos de autenticación: espere un minuto."))
        raise FhirError(
            401,
            "login",
            _("Token inválido o vencido: use «Authorization: Bearer <token de GenerarToken>»."),
            {"WWW-Authenticate": 'Bearer realm="MIPRES FHIR"'},
        )
    if not limits.request_counted(caller.credential_id):
        raise _too_many(_("Demasiadas solicitudes: intente de nuevo en un minuto."))
    return caller


def _base_url(request) -> str:
    return request.build_absolute_uri("/fhir/r4/")


def _handle(view):
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except FhirError as error:
            return error_response(error)

    wrapper.__name__ = view.__name__
    return require_GET(wrapper)


@_handle
def metadata(request):
    return fhir_response(capability_statement(RESOURCES))


@_handle
def resource_read(request, resource_type, resource_id):
    if resource_type not in RESOURCES:
        raise FhirError(404, "not-supported", _("Tipo de recurso no soportado."))
    caller = _caller(request)
    return fhir_response(read(caller, resource_type, resource_id))


@_handle
def resource_search(request, resource_type):
    if resource_type not in RESOURCES:
        raise FhirError(404, "not-supported", _("Tipo de recurso no soportado."))
    caller = _caller(request)
    strict = "handling=strict" in request.headers.get("Prefer", "").replace(" ", "")
    bundle = search(caller, resource_type, request.GET, strict=strict, base_url=_base_url(request))
    return fhir_response(bundle)


@_handle
def prescription_everything(request):
    """The whole chain of one prescription as a collection Bundle: its lines, the patient,
    coverage, prescriber, organizations, sedes, Tasks, dispenses and charge items."""
    caller = _caller(request)
    number = request.GET.get("number", "").strip()
    if not (len(number) == 20 and number.isdigit()):
        raise FhirError(400, "invalid", _("number: el NoPrescripcion tiene 20 dígitos."))
    prescription = (
        selectors.prescriptions_for(caller)
        .select_related("patient__municipality", "prescriber", "entity__municipality")
        .filter(number=number)
        .first()
    )
    if prescription is None:
        raise not_found("MedicationRequest/$prescription?number=", number)
    resources = _chain(caller, prescription)
    base = _base_url(request)
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r}
                for r in resources
            ],
        }
    )


def _chain(caller: Caller, prescription: Prescription) -> list[dict]:
    lines = line_rows(
        selectors.lines_visible(caller)
        .filter(prescription_id=prescription.pk)
        .order_by("technology_type", "order")
    )
    resources = [
        administrative.patient(prescription.patient),
        administrative.practitioner(prescription.prescriber, prescription.prescriber_registration),
        administrative.organization(prescription.entity),
    ]
    affiliations = Affiliation.objects.filter(
        patient=prescription.patient, active=True
    ).select_related("patient", "payer_code__entity")
    resources += [administrative.coverage(a) for a in affiliations]
    resources += [requests.line_resource(line) for line in lines]
    steps = [
        (Direccionamiento, supply.direccionamiento_task, supply.DIRECCIONAMIENTO_FIELDS),
        (NoDireccionamiento, supply.no_direccionamiento_task, supply.NO_DIRECCIONAMIENTO_FIELDS),
        (Programacion, supply.programacion_task, supply.PROGRAMACION_FIELDS),
        (Entrega, supply.entrega_resource, supply.ENTREGA_FIELDS),
        (Facturacion, supply.charge_item, supply.FACTURACION_FIELDS),
    ]
    organizations, sedes = {prescription.entity_id}, set()
    for model, mapper, fields in steps:
        path = "prescription" if model is NoDireccionamiento else "deliverable__prescription"
        scoped = selectors.steps_visible(model, caller).filter(**{path: prescription})
        for row in values(scoped.order_by("pk"), fields):
            resources.append(mapper(row))
            if "provider_pk" in row:
                organizations.add(row["provider_pk"])
            if row.get("sede_pk"):
                sedes.add(row["sede_pk"])
    providers = Entity.objects.select_related("municipality").filter(
        pk__in=organizations - {prescription.entity_id}
    )
    resources += [administrative.organization(e) for e in providers.order_by("pk")]
    for sede in selectors.sedes_visible(caller).filter(pk__in=sedes).order_by("pk"):
        resources.append(administrative.location(sede))
    return resources
