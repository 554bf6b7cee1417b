"""Pendientes (Circular 044/2025): the dispensador registers one on a programación it
cannot deliver, and works them from their own list, nearest promise first, red when the
promise has passed; delivering the programación (the usual entrega form) closes it."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_permission_required
from mipres.db import replica_reads
from mipres.lib.errors import DomainError
from mipres.lib.forms import add_service_error
from prescriptions.selectors.prescriptions import technology_label

from ..forms.pendientes import PendienteForm
from ..selectors import provider as sel
from ..selectors.pendientes import open_pendientes
from ..services.common import DISPENSE
from ..services.pendientes import pendiente_create


@entity_permission_required(DISPENSE)
@require_GET
@replica_reads()
def pendientes(request):
    now = timezone.now()
    sede_ids = sel.dispensador_sedes(user=request.user, entity=request.entity)
    rows = [
        {
            "pendiente": p,
            "overdue": p.promised_at < now,
            "label": technology_label(p.deliverable.line),
        }
        for p in open_pendientes(entity=request.entity, sede_ids=sede_ids)[:500]
    ]
    context = {"entity": request.entity, "tab": "pendientes", "rows": rows, "now": now}
    return render(request, "supply/pendientes/list.html", context)


@entity_permission_required(DISPENSE)
@require_http_methods(["GET", "POST"])
def pendiente_new(request, pk):
    """The pendiente of an active programación at one of the dispensador's sedes."""
    programacion = sel.programacion_get_for_dispensador(
        entity=request.entity,
        sede_ids=sel.dispensador_sedes(user=request.user, entity=request.entity),
        pk=pk,
    )
    promise = timezone.localtime() + datetime.timedelta(hours=24)
    form = PendienteForm(
        request.POST or None,
        initial={
            "quantity": programacion.quantity.normalize(),
            "promised_at": promise.replace(minute=0, second=0, microsecond=0),
            "address": programacion.direccionamiento.patient_address,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            pendiente_create(
                actor=request.user,
                entity=request.entity,
                programacion=programacion,
                **form.service_kwargs(),
            )
        except DomainError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Pendiente registrado: el paciente sabrá cuándo y dónde."))
            return redirect("supply:pendientes", entity_id=request.entity.external_id)
    context = {
        "entity": request.entity,
        "tab": "pendientes",
        "programacion": programacion,
        "label": technology_label(programacion.deliverable.line),
        "form": form,
    }
    return render(request, "supply/pendientes/new.html", context)
