"""The dispensador: programaciones to deliver at its sedes, the entrega form, the
prescription lookup (by number plus the patient's document) and the entrega en ámbito of
the prescribing IPS (issue 5 §4). A programación at a sede the dispensador does not serve
answers 404, as another entity's does."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_permission_required
from mipres.db import replica_reads
from mipres.lib.errors import DomainError
from mipres.lib.export_tasks import entity_export, export_format
from prescriptions.selectors.prescriptions import posology, technology_label

from ..forms.provider import EntregaAmbitoForm, EntregaForm, LookupForm
from ..models import Programacion
from ..selectors import provider as sel
from ..selectors.deadlines import deadline_light
from ..services import entrega_ambito_create, entrega_create
from ..services.common import DISPENSE
from .provider import (
    DELIVERABLE_HEADER,
    can_annul,
    deliverable_cells,
    light_labels,
    procedure_context,
    worklist_filters,
    worklist_response,
)

DELIVER_HEADER = [
    gettext_lazy("IdProgramacion"),
    *DELIVERABLE_HEADER,
    gettext_lazy("Sede"),
    gettext_lazy("Código a entregar"),
    gettext_lazy("Cantidad"),
    gettext_lazy("Fecha máxima de entrega"),
    gettext_lazy("Semáforo"),
]


@entity_permission_required(DISPENSE)
@require_GET
@replica_reads()
def to_deliver(request):
    """Active programaciones of the entity at the dispensador's sedes, nearest FecMaxEnt
    first, with the deadline light."""
    sede_ids = sel.dispensador_sedes(user=request.user, entity=request.entity)
    filters, filters_html = worklist_filters(request, with_light=True, date_label=_("Fecha máxima"))
    today = timezone.localdate()
    scope = {"entity": request.entity, "sede_ids": sede_ids, "filters": filters, "today": today}
    if fmt := export_format(request):
        light = light_labels(today)
        rows = (
            [
                row["pk"],
                *deliverable_cells(row["deliverable"]),
                row["sede__code"],
                row["technology_code"],
                row["quantity"],
                row["max_delivery_date"],
                light(row["max_delivery_date"]),
            ]
            for row in sel.to_deliver_export(**scope)
        )
        return entity_export(request, fmt, "por-entregar", DELIVER_HEADER, rows)
    return worklist_response(
        request,
        "deliver",
        sel.to_deliver_page,
        filters=filters,
        today=today,
        annul_kind="programacion" if can_annul(request, Programacion) else "",
        sede_ids=sede_ids,
        tab="to_deliver",
        filters_html=filters_html,
    )


@entity_permission_required(DISPENSE)
@require_http_methods(["GET", "POST"])
def deliver(request, pk):
    """The entrega of a programación: code, quantity (≤ programmed), total or partial with
    a cause, date, batch (medicines), receiver's document (the patient's by default)."""
    programacion = sel.programacion_get_for_dispensador(
        entity=request.entity,
        sede_ids=sel.dispensador_sedes(user=request.user, entity=request.entity),
        pk=pk,
    )
    line = programacion.deliverable.line
    form = EntregaForm(
        request.POST or None,
        line=line,
        initial={
            "technology_code": programacion.technology_code,
            "quantity": programacion.quantity.normalize(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            entrega = entrega_create(
                actor=request.user,
                entity=request.entity,
                programacion=programacion,
                **form.cleaned_data,
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Entrega %(id)s registrada.") % {"id": entrega.pk})
            return redirect(reverse("supply:to_deliver", args=[request.entity.external_id]))
    context = {
        "entity": request.entity,
        "tab": "to_deliver",
        "programacion": programacion,
        "deliverable": programacion.deliverable,
        "label": technology_label(line),
        "posology": posology(line),
        "light": deadline_light(programacion.max_delivery_date, timezone.localdate()),
        "active": programacion.status == 1,
        "form": form,
        **procedure_context(line),
    }
    return render(request, "supply/provider/deliver.html", context)


@entity_permission_required(DISPENSE)
@require_GET
@replica_reads()
def lookup(request):
    """A prescription by its number and the patient's document: its lines (what is being
    delivered) and the programaciones to deliver, only when the entity takes part in its
    supply; otherwise the same message whatever the reason."""
    form = LookupForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = sel.prescription_lookup(
            entity=request.entity,
            sede_ids=sel.dispensador_sedes(user=request.user, entity=request.entity),
            **form.cleaned_data,
        )
        for line in result.lines:
            line.label = technology_label(line)
            line.posology_text = posology(line)
    context = {"entity": request.entity, "tab": "lookup", "form": form, "result": result}
    return render(request, "supply/provider/lookup.html", context)


@entity_permission_required(DISPENSE)
@require_http_methods(["GET", "POST"])
def deliver_ambito(request, prescription_id, line_key):
    """An entrega en ámbito of a line of a hospital or urgencias prescription that the
    entity prescribed: it creates the delivery (NoEntrega, NoSubEntrega)."""
    line = sel.ambito_line_get(
        entity=request.entity, prescription_id=prescription_id, line_key=line_key
    )
    form = EntregaAmbitoForm(
        request.POST or None,
        line=line,
        sedes=sel.active_sedes(entity=request.entity),
        initial={"delivery_number": sel.next_delivery_number(line=line), "sub_number": 0},
    )
    if request.method == "POST" and form.is_valid():
        try:
            entrega = entrega_ambito_create(
                actor=request.user, entity=request.entity, line=line, **form.cleaned_data
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Entrega en ámbito %(id)s registrada.") % {"id": entrega.pk}
            )
            return redirect(
                reverse(
                    "supply:prescription",
                    args=[request.entity.external_id, line.prescription.number],
                )
            )
    context = {
        "entity": request.entity,
        "tab": "lookup",
        "line": line,
        "prescription": line.prescription,
        "label": technology_label(line),
        "posology": posology(line),
        "form": form,
        **procedure_context(line),
    }
    return render(request, "supply/provider/deliver_ambito.html", context)
