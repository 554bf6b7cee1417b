"""The patient's pages (/paciente/): the document, the code, the prescriptions with their
supply in words and a QR, renewal requests. Thin views over patients.services and
patients.selectors; every read is scoped to the patient of the session (404 otherwise)."""

import io
import time

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mipres.lib.errors import DomainError
from mipres.lib.forms import add_service_error
from mipres.lib.request_context import client_address

from . import selectors, session
from .forms import CodeForm, DocumentForm
from .services.access import RESEND_AFTER, code_request, code_verify
from .services.preferences import optional_messages_set, optional_messages_wanted
from .services.renewals import renewal_request_create

PENDING_KEY = "patient_login"


@never_cache
@require_http_methods(["GET", "POST"])
def start(request):
    """Document type and number; the code goes to the contact on record, if any."""
    if session.patient_id(request) is not None:
        return redirect("patients:home")
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            code_request(
                document_type=data["document_type"],
                document_number=data["document_number"],
                address=client_address(request),
            )
        except DomainError as error:
            add_service_error(form, error)
        else:
            request.session[PENDING_KEY] = {
                "type": data["document_type"],
                "number": data["document_number"],
                "asked": time.time(),
            }
            return redirect("patients:code")
    return render(request, "patients/start.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def code(request):
    """The code page: the same words whether or not the document exists or has a contact."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("patients:start")
    address = client_address(request)
    if request.method == "POST" and "resend" in request.POST:
        form = CodeForm()
        if time.time() - pending["asked"] < RESEND_AFTER.total_seconds():
            messages.warning(request, _("Espere un minuto antes de pedir un código nuevo."))
        else:
            try:
                code_request(
                    document_type=pending["type"],
                    document_number=pending["number"],
                    address=address,
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                pending["asked"] = time.time()
                request.session[PENDING_KEY] = pending
                messages.info(
                    request, _("Si hay un contacto registrado, le enviamos un código nuevo.")
                )
        return redirect("patients:code")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = code_verify(
                document_type=pending["type"],
                document_number=pending["number"],
                code=form.cleaned_data["code"],
                address=address,
            )
        except DomainError as error:
            add_service_error(form, error)
        else:
            request.session.pop(PENDING_KEY, None)
            session.start(request, patient.pk)
            return redirect("patients:home")
    return render(request, "patients/code.html", {"form": form, "pending": pending})


@never_cache
@require_GET
@session.patient_required
def home(request):
    """The patient's active prescriptions and, per line and delivery, where it stands."""
    context = {
        "optional_messages": optional_messages_wanted(f"patient:{request.patient_id}"),
        "patient": selectors.patient_get(request.patient_id),
        "prescriptions": selectors.patient_prescriptions(request.patient_id),
        "signed_in": True,
    }
    return render(request, "patients/home.html", context)


@require_GET
@session.patient_required
def qr(request, number):
    """The prescription's number as a QR code (SVG) the dispenser scans."""
    prescription = selectors.prescription_for_patient(patient_id=request.patient_id, number=number)
    buffer = io.BytesIO()
    segno.make(prescription.number, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@session.patient_required
def renew(request, line_id):
    line = selectors.line_for_patient(patient_id=request.patient_id, line_id=line_id)
    try:
        renewal_request_create(patient_id=request.patient_id, line=line)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Pedimos a %(ips)s que renueve su prescripción. Le avisaremos su respuesta.")
            % {"ips": line.prescription.entity.name},
        )
    return redirect("patients:home")


@require_POST
@session.patient_required
def messages_preference(request):
    wanted = request.POST.get("optional") == "1"
    optional_messages_set(
        recipient=f"patient:{request.patient_id}",
        wanted=wanted,
        target=selectors.patient_get(request.patient_id),
    )
    if wanted:
        messages.success(request, _("Recibirá también los recordatorios."))
    else:
        messages.success(request, _("Solo recibirá los avisos sobre sus entregas."))
    return redirect("patients:home")


@require_POST
def sign_out(request):
    session.end(request)
    request.session.pop(PENDING_KEY, None)
    messages.info(request, _("Cerró su sesión."))
    return redirect("patients:start")
