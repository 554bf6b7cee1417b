"""Admisión: find a patient by document and see who pays, register and edit patients, the
IPS's patient list; and the JSON lookup the prescription form uses.

Views are thin (STYLE R3): the decorator resolves the entity and the permission, a
selector fetches, a form validates, one service writes. Patients are national, so a
patient is fetched by public id without entity scoping; the list shows the patients this
IPS registered or updated.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import DocumentType
from accounts.selectors import audit_list_for
from entities.decorators import entity_any_permission_required, entity_permission_required
from mipres.db import replica_reads
from mipres.lib.errors import DomainError

from .. import selectors, services
from ..forms.patients import PatientFilterForm, PatientForm, PatientSearchForm
from ..models import Patient
from ..services.lookups import patients_search

MANAGE_PATIENTS = "prescriptions.manage_patients"
# Who may look a patient up from the prescription form.
LOOKUP_PERMS = (
    "prescriptions.manage_patients",
    "prescriptions.prescribe",
    "prescriptions.order_nutrition",
)
PAGE_SIZE = 25


def _url(name: str, entity, *args) -> str:
    return reverse(f"prescriptions:{name}", args=[entity.external_id, *args])


def _with_payer(patient: Patient) -> dict:
    """The patient with who pays for them, or why nobody can."""
    try:
        return {"patient": patient, "payer": selectors.payer_for(patient), "payer_error": None}
    except DomainError as error:
        return {"patient": patient, "payer": None, "payer_error": str(error.message)}


@entity_permission_required(MANAGE_PATIENTS)
@require_GET
@replica_reads()
def patient_list(request):
    """The patients this IPS registered or updated, filtered by document and name."""
    form = PatientFilterForm(request.GET or None)
    patients = selectors.patient_list_for_entity(entity=request.entity, **form.filters())
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {"entity": request.entity, "form": form, "page": page}
    return render(request, "prescriptions/patients/patient_list.html", context)


@entity_permission_required(MANAGE_PATIENTS)
@require_GET
@replica_reads()
def patient_search(request):
    """Find a patient by document (national): the patient, their age and municipality
    and who pays; the newborns registered with that document as the mother's; or «no
    registrado» with a link to register."""
    form = PatientSearchForm(request.GET or None)
    results, status = None, 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            patients = patients_search(actor=request.user, entity=request.entity, **_document(data))
        except DomainError as error:
            form.add_error(None, error.message)
            status = 429
        else:
            results = [_with_payer(patient) for patient in patients]
    context = {"entity": request.entity, "form": form, "results": results}
    return render(request, "prescriptions/patients/patient_search.html", context, status=status)


def _document(data: dict) -> dict:
    return {"document_type": data["document_type"], "document_number": data["document_number"]}


@entity_permission_required(MANAGE_PATIENTS)
@require_http_methods(["GET", "POST"])
def patient_register(request):
    """Register a patient; the document typed in the search comes prefilled."""
    initial = {
        key: request.GET[key] for key in ("document_type", "document_number") if key in request.GET
    }
    if initial.get("document_type") == DocumentType.MS:
        initial["mother_document_number"] = initial.pop("document_number", "")
    form = PatientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_register(
                actor=request.user, entity=request.entity, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Paciente %(name)s registrado(a) con %(document)s.")
                % {"name": patient.get_full_name(), "document": patient.document},
            )
            return redirect(_url("patient_detail", request.entity, patient.external_id))
    context = {"entity": request.entity, "form": form, "patient": None}
    return render(request, "prescriptions/patients/patient_form.html", context)


@entity_permission_required(MANAGE_PATIENTS)
@require_GET
def patient_detail(request, patient_id):
    """A patient's data, who pays and why, the BDUA affiliations, and this IPS's audit
    entries about the patient."""
    patient = selectors.patient_get(external_id=patient_id)
    context = {
        "entity": request.entity,
        **_with_payer(patient),
        "affiliations": selectors.affiliation_list(patient=patient),
        "entries": audit_list_for(entity=request.entity, objects=[patient]),
    }
    return render(request, "prescriptions/patients/patient_detail.html", context)


@entity_permission_required(MANAGE_PATIENTS)
@require_http_methods(["GET", "POST"])
def patient_edit(request, patient_id):
    patient = selectors.patient_get(external_id=patient_id)
    form = PatientForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_update(
                actor=request.user, entity=request.entity, patient=patient, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Datos de %(name)s guardados.") % {"name": patient.get_full_name()}
            )
            return redirect(_url("patient_detail", request.entity, patient.external_id))
    context = {"entity": request.entity, "form": form, "patient": patient}
    return render(request, "prescriptions/patients/patient_form.html", context)


def _patient_json(patient: Patient) -> dict:
    found = _with_payer(patient)
    payer = found["payer"]
    return {
        "external_id": str(patient.external_id),
        "document_type": patient.document_type,
        "document_number": patient.document_number,
        "newborn_order": patient.newborn_order,
        "mother_document_type": patient.mother_document_type,
        "mother_document_number": patient.mother_document_number,
        "full_name": patient.get_full_name(),
        "birth_date": patient.birth_date.isoformat(),
        "age": patient.age(),
        "age_text": patient.age_text,
        "sex": patient.sex,
        "sex_label": patient.get_sex_display(),
        "municipality": {"code": patient.municipality_id, "name": patient.municipality.name},
        "payer": payer
        and {
            "entity_external_id": str(payer.entity.external_id),
            "entity_name": payer.entity.name,
            "entity_type": payer.entity.entity_type,
            "nit": payer.entity.nit,
            "code": payer.payer_code.code if payer.payer_code else None,
            "regime": payer.regime,
            "regime_label": payer.regime_label or None,
            "reason": payer.reason,
        },
        "payer_error": found["payer_error"],
    }


@entity_any_permission_required(*LOOKUP_PERMS)
@require_GET
def patient_lookup_json(request):
    """`?document_type=CC&document_number=…` → {"found", "patient", "newborns"}: the patient
    with that own document (or null) and the newborns registered with it as the mother's
    document (for type MS, every newborn of that mother's number), each with the payer
    or `payer_error`. 400 with {"errors"} for a malformed query, 429 when the user's lookups
    are over the limit (prescriptions.services.lookups)."""
    form = PatientSearchForm(request.GET)
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    try:
        patients = patients_search(
            actor=request.user, entity=request.entity, **_document(form.cleaned_data)
        )
    except DomainError as error:
        return JsonResponse({"errors": {"__all__": [str(error.message)]}}, status=429)
    exact = next((p for p in patients if not p.uses_mother_document), None)
    newborns = [p for p in patients if p.uses_mother_document]
    return JsonResponse(
        {
            "found": bool(patients),
            "patient": _patient_json(exact) if exact else None,
            "newborns": [_patient_json(p) for p in newborns],
        }
    )
