"""The prescribing IPS's worklist of renewal requests (role Prescriptor): renew with one
click (accept, then «Renovar» with the line preselected) or decline with a reason."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from entities.decorators import entity_permission_required
from mipres.lib.errors import DomainError

from .forms import DeclineForm
from .models import RenewalRequest, RenewalStatus
from .services.renewals import PRESCRIBE, renewal_accept, renewal_decline


def _worklist(request):
    return redirect("patient_renewals:worklist", entity_id=request.entity.external_id)


@entity_permission_required(PRESCRIBE)
@require_GET
def worklist(request):
    """Pending requests, oldest first, then the last decided ones."""
    base = RenewalRequest.objects.filter(entity=request.entity).select_related(
        "patient", "prescription", "line"
    )
    context = {
        "entity": request.entity,
        "pending": base.filter(status=RenewalStatus.PENDIENTE).order_by("created_at")[:200],
        "decided": base.exclude(status=RenewalStatus.PENDIENTE).order_by("-decided_at")[:20],
        "decline_form": DeclineForm(),
    }
    return render(request, "patients/ips/renewals.html", context)


@entity_permission_required(PRESCRIBE)
@require_POST
def accept(request, pk):
    try:
        renewal = renewal_accept(actor=request.user, entity=request.entity, pk=pk)
    except DomainError as error:
        messages.error(request, error.message)
        return _worklist(request)
    url = reverse(
        "prescriptions:prescription_renew",
        args=[request.entity.external_id, renewal.prescription.external_id],
    )
    return redirect(f"{url}?linea={renewal.line.key}")


@entity_permission_required(PRESCRIBE)
@require_POST
def decline(request, pk):
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return _worklist(request)
    try:
        renewal_decline(
            actor=request.user, entity=request.entity, pk=pk, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Solicitud rechazada; el paciente recibirá el motivo."))
    return _worklist(request)
