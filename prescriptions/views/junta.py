"""The Junta de Profesionales: the worklist of lines pending junta, the decision form and
the decisions recorded (STYLE R3: the decorator resolves the entity and the permission, a
selector scoped by the entity fetches, a form validates, one service writes)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_permission_required
from mipres.db import replica_reads
from mipres.lib.errors import DomainError

from ..enums import JuntaStatus
from ..forms.junta import JuntaDecisionForm
from ..selectors.junta import (
    junta_decision_list,
    junta_line_get_pending,
    junta_line_list_pending,
)
from ..services.junta import JUNTA_DECIDE, junta_decide

PAGE_SIZE = 25


@entity_permission_required(JUNTA_DECIDE)
@require_GET
@replica_reads()
def junta_worklist(request):
    """The entity's lines pending junta (EstJM 2), oldest prescription first."""
    lines = junta_line_list_pending(entity=request.entity)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {"entity": request.entity, "page": page}
    return render(request, "prescriptions/junta_worklist.html", context)


@entity_permission_required(JUNTA_DECIDE)
@require_GET
def junta_decisions(request):
    """The decisions this entity's Junta recorded, newest first."""
    decisions = junta_decision_list(entity=request.entity)
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {"entity": request.entity, "page": page}
    return render(request, "prescriptions/junta_decisions.html", context)


@entity_permission_required(JUNTA_DECIDE)
@require_http_methods(["GET", "POST"])
def junta_line_decide(request, prescription_id, line_key):
    """The line with its prescription, and the act: number, date, modality, technical
    justification, observations and the decision."""
    line = junta_line_get_pending(
        entity=request.entity, prescription_id=prescription_id, line_key=line_key
    )
    form = JuntaDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = junta_decide(
                actor=request.user, entity=request.entity, line=line, **form.service_kwargs()
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Tecnología %(line)s de la prescripción %(number)s: EstJM %(code)s – %(label)s.")
                % {
                    "line": line.key,
                    "number": line.prescription.number,
                    "code": decision.result,
                    "label": JuntaStatus(decision.result).label,
                },
            )
            return redirect(
                reverse("prescriptions:junta_decisions", args=[request.entity.external_id])
            )
    context = {"entity": request.entity, "line": line, "form": form}
    return render(request, "prescriptions/junta_decide.html", context)
