"""Tutelas: the EPS/EOC Recobrante registers a court order with its technologies, and
lists and reads the entity's tutelas. Views are thin (STYLE R3)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_permission_required
from mipres.db import replica_reads
from mipres.lib.errors import DomainError

from ..forms.novelties import LineEntry, ReasonForm
from ..forms.tutelas import TutelaFilterForm, TutelaForm
from ..selectors.novelties import line_list
from ..selectors.tutelas import tutela_get, tutela_list
from ..services.tutelas import REGISTER_TUTELA, tutela_annul, tutela_register

PAGE_SIZE = 25


@entity_permission_required(REGISTER_TUTELA)
@require_GET
@replica_reads()
def tutela_list_view(request):
    form = TutelaFilterForm(request.GET or None)
    tutelas = tutela_list(entity=request.entity, **form.filters())
    page = Paginator(tutelas, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {"entity": request.entity, "form": form, "page": page}
    return render(request, "prescriptions/tutela_list.html", context)


@entity_permission_required(REGISTER_TUTELA)
@require_http_methods(["GET", "POST"])
def tutela_create(request):
    """The ruling, the patient, the justification and the ordered technologies."""
    data = request.POST if request.method == "POST" else None
    form = TutelaForm(data)
    entry = LineEntry(data)
    if entry.adding:
        entry.hide_errors(form)
    elif data is not None and all([form.is_valid(), entry.is_valid()]):
        try:
            tutela = tutela_register(
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
                _("Tutela registrada con el número %(number)s.") % {"number": tutela.number},
            )
            return redirect(
                reverse(
                    "prescriptions:tutela_detail",
                    args=[request.entity.external_id, tutela.external_id],
                )
            )
    context = {"entity": request.entity, "form": form, "entry": entry}
    return render(request, "prescriptions/tutela_form.html", context)


@entity_permission_required(REGISTER_TUTELA)
@require_GET
def tutela_detail(request, tutela_id):
    tutela = tutela_get(entity=request.entity, external_id=tutela_id)
    context = {"entity": request.entity, "tutela": tutela, "lines": line_list(tutela=tutela)}
    return render(request, "prescriptions/tutela_detail.html", context)


@entity_permission_required(REGISTER_TUTELA)
@require_http_methods(["GET", "POST"])
def tutela_annul_confirm(request, tutela_id):
    """The confirmation page (STYLE R8): the tutela and a mandatory reason, then annul."""
    tutela = tutela_get(entity=request.entity, external_id=tutela_id)
    form = ReasonForm(request.POST or None, submit_label=_("Anular la tutela"))
    detail = reverse("prescriptions:tutela_detail", args=[request.entity.external_id, tutela_id])
    if request.method == "POST" and form.is_valid():
        try:
            tutela_annul(
                actor=request.user,
                entity=request.entity,
                tutela=tutela,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Tutela %(number)s anulada.") % {"number": tutela.number})
        return redirect(detail)
    context = {"entity": request.entity, "tutela": tutela, "form": form}
    return render(request, "prescriptions/tutela_annul_confirm.html", context)
