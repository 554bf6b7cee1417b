"""Anulación (the Anulador searches its entity's prescriptions and annuls one through a
confirmation page with a reason, STYLE R8) and Transcripción (the EPS/EOC Transcriptor
records a prescription made outside the system). Views are thin (STYLE R3)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_permission_required
from mipres.db import replica_reads
from mipres.lib.errors import DomainError

from ..forms.novelties import AnnulSearchForm, LineEntry, ReasonForm, TranscriptionForm
from ..selectors.novelties import (
    line_list,
    novelty_list,
    prescription_get_for_entity,
    prescription_list_for_entity,
    transcription_get,
    transcription_list,
)
from ..services.novelties import (
    ANNUL,
    TRANSCRIBE,
    annulment_blockers,
    prescription_annul,
    prescription_transcribe,
)

PAGE_SIZE = 25


def _url(name: str, entity, *args) -> str:
    return reverse(f"prescriptions:{name}", args=[entity.external_id, *args])


# Anulación ------------------------------------------------------------------------------


@entity_permission_required(ANNUL)
@require_GET
@replica_reads()
def annul_search(request):
    """The entity's prescriptions, by number or patient document, each with its state and a
    link to annul the active ones."""
    form = AnnulSearchForm(request.GET or None)
    prescriptions = prescription_list_for_entity(entity=request.entity, **form.filters())
    page = Paginator(prescriptions, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {"entity": request.entity, "form": form, "page": page}
    return render(request, "prescriptions/annul_search.html", context)


@entity_permission_required(ANNUL)
@require_http_methods(["GET", "POST"])
def annul_confirm(request, prescription_id):
    """What will be annulled and the mandatory reason, then the POST (STYLE R8)."""
    prescription = prescription_get_for_entity(entity=request.entity, external_id=prescription_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prescription_annul(
                actor=request.user,
                entity=request.entity,
                prescription=prescription,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("La prescripción %(number)s quedó anulada.") % {"number": prescription.number},
            )
            query = urlencode({"numero": prescription.number})
            return redirect(f"{_url('annul_search', request.entity)}?{query}")
    context = {
        "entity": request.entity,
        "prescription": prescription,
        "lines": line_list(prescription=prescription),
        "blocking": annulment_blockers(prescription),
        "novelties": novelty_list(prescription=prescription),
        "form": form,
    }
    return render(request, "prescriptions/annul_confirm.html", context)


# Transcripción --------------------------------------------------------------------------


@entity_permission_required(TRANSCRIBE)
@require_GET
@replica_reads()
def transcription_list_view(request):
    """The transcriptions of this EPS/EOC's affiliates, newest first."""
    page = Paginator(transcription_list(entity=request.entity), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    context = {"entity": request.entity, "page": page}
    return render(request, "prescriptions/transcription_list.html", context)


@entity_permission_required(TRANSCRIBE)
@require_http_methods(["GET", "POST"])
def transcription_create(request):
    """The header and the lines of the prescription made outside the system. «Agregar»
    buttons add a line of a type and come back with everything typed."""
    data = request.POST if request.method == "POST" else None
    form = TranscriptionForm(data)
    entry = LineEntry(data)
    if entry.adding:
        entry.hide_errors(form)
    elif data is not None and all([form.is_valid(), entry.is_valid()]):
        try:
            prescription = prescription_transcribe(
                actor=request.user,
                entity=request.entity,
                lines=entry.lines(),
                **form.service_kwargs(),
            )
        except DomainError as error:
            if not entry.add_service_error(error):
                form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Transcripción registrada con el número %(number)s.")
                % {"number": prescription.number},
            )
            return redirect(_url("transcription_detail", request.entity, prescription.external_id))
    context = {"entity": request.entity, "form": form, "entry": entry}
    return render(request, "prescriptions/transcription_form.html", context)


@entity_permission_required(TRANSCRIBE)
@require_GET
def transcription_detail(request, prescription_id):
    prescription = transcription_get(entity=request.entity, external_id=prescription_id)
    context = {
        "entity": request.entity,
        "prescription": prescription,
        "lines": line_list(prescription=prescription),
        "novelties": novelty_list(prescription=prescription),
    }
    return render(request, "prescriptions/transcription_detail.html", context)
