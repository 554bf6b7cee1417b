"""The payer's pages (EPS/EOC/ET Administrativo, issue 5 §2, §8, §9): the worklist of lines
to direct, the direccionamiento (one delivery or a schedule), the no direccionamiento, the
inclusion of a device in a procedure, the direccionamientos made, the suministro and datos
facturados, and a patient's pending deliveries. Every worklist downloads as CSV or XLSX
with the same filters (`?formato=csv` / `?formato=xlsx` on the same URL).

STYLE R3: the decorator resolves the entity and the permission, a selector scoped by the
entity fetches (another payer's line or record answers 404), a form validates, one service
writes, and a refusal comes back beside its field.

The rows of the worklists and their exports are written in `payer_rows`.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_any_permission_required, entity_permission_required
from mipres.db import replica_reads, shared_page, shared_read
from mipres.lib.errors import DomainError
from mipres.lib.export_tasks import entity_export, export_format
from mipres.lib.filter_form import bound_filters
from mipres.lib.next_url import safe_next
from mipres.lib.pagination import start_after
from prescriptions.enums import SupplyType, TechnologyType

from ..forms.payer import (
    DatosFacturadosForm,
    DireccionamientoEntry,
    DirectedFilterForm,
    LineFilterForm,
    NoDireccionamientoForm,
    PatientSearchForm,
    ProcedureInclusionForm,
    ReportFilterForm,
    SuministroForm,
)
from ..selectors import payer as selectors
from ..selectors.network import network_providers
from ..services import (
    datos_facturados_create,
    direccionamiento_create,
    no_direccionamiento_create,
    procedure_supply_create,
    suministro_create,
)
from ..services.common import (
    DATOS_FACTURADOS,
    DIRECT,
    NO_DIRECT,
    SUMINISTRO,
    assigned_quantity,
    number_text,
)
from .payer_rows import (
    CHAIN_HEADER,
    DIRECTED_HEADER,
    LINE_HEADER,
    PENDING_HEADER,
    SECTION_EXPORTS,
    SECTION_TITLES,
    chain_cells,
    directed_export_rows,
    directed_rows_html,
    line_export_rows,
    line_rows_html,
    payer_url,
    pending_rows_html,
    report_rows_html,
)

PAGE_SIZE = 25


@entity_permission_required(DIRECT)
@require_GET
@replica_reads()
def to_direct(request):
    """«Por direccionar»: lines of active prescriptions this entity pays, not all assigned,
    oldest prescription first; lines pending or rejected by the Junta say why they cannot
    be directed."""
    choices = shared_read(
        ("payer-codes", request.entity.pk), lambda: LineFilterForm.choices_for(request.entity)
    )
    filters, form_html = bound_filters(LineFilterForm, request, choices=choices)
    codes = dict(choices)  # what the rows show of their prescription's code
    if fmt := export_format(request):
        rows = selectors.lines_to_direct_export(entity=request.entity, filters=filters)
        rows = line_export_rows(rows, codes)
        return entity_export(request, fmt, "por-direccionar", LINE_HEADER, rows)

    def build():
        page = selectors.lines_to_direct_page(
            entity=request.entity, filters=filters, after=start_after(request), size=PAGE_SIZE
        )
        return page, line_rows_html(request, page.rows, codes)

    page, rows = shared_page(request, "to-direct", build)
    context = {
        "entity": request.entity,
        "tab": "to_direct",
        "form_html": form_html,
        "page": page,
        "rows_html": rows,
    }
    return render(request, "supply/payer/to_direct.html", context)


# ---------------------------------------------------------------------------------------
# Direccionamiento, no direccionamiento, inclusion


def _line_context(request, line) -> dict:
    remaining = line.total_quantity - assigned_quantity(line)
    return {
        "entity": request.entity,
        "tab": "to_direct",
        "line": line,
        "prescription": line.prescription,
        "patient": line.prescription.patient,
        "assigned": line.total_quantity - remaining,
        "remaining": remaining,
        "remaining_text": number_text(max(remaining, 0)),
        "back": safe_next(request, payer_url("to_direct", request)),
    }


@entity_permission_required(DIRECT)
@require_http_methods(["GET", "POST"])
def direct(request, line_id):
    """The direccionamiento of a line: proveedor of the network, municipality, address,
    code to deliver and one or more deliveries (a schedule for a sucesiva line)."""
    line = selectors.payer_line_get(entity=request.entity, pk=line_id)
    context = _line_context(request, line)
    providers = list(network_providers(line.prescription))
    taken = selectors.taken_deliveries(line)
    entry = DireccionamientoEntry(
        request.POST if request.method == "POST" else None,
        line=line,
        providers=providers,
        first_number=selectors.free_delivery_numbers(taken, 1)[0],
        remaining=context["remaining"],
    )
    if request.method == "POST" and entry.is_valid():
        try:
            created = direccionamiento_create(
                actor=request.user, entity=request.entity, line=line, **entry.service_kwargs()
            )
        except DomainError as error:
            entry.add_service_error(error)
        else:
            messages.success(
                request,
                _("Tecnología %(line)s de la prescripción %(number)s direccionada: %(ids)s.")
                % {
                    "line": line.key,
                    "number": line.prescription.number,
                    "ids": ", ".join(
                        _("entrega %(delivery)s (ID %(id)s)")
                        % {"delivery": d.deliverable.delivery_label, "id": d.deliverable_id}
                        for d in created
                    ),
                },
            )
            return redirect(context["back"])
    context.update(
        {
            "form": entry.form,
            "formset": entry.formset,
            "providers": providers,
            "taken": [number for number, _sub in taken],
            "taken_labels": [f"{n}.{s}" if s else str(n) for n, s in taken],
            "sucesiva": line.supply_type == SupplyType.SUCESIVA,
            "blocked": selectors.junta_block(line.junta_status),
        }
    )
    return render(request, "supply/payer/direct.html", context)


@entity_permission_required(NO_DIRECT)
@require_http_methods(["GET", "POST"])
def no_direct(request, line_id):
    """The no direccionamiento of (what is left of) a line, for a cause valid for its type;
    causes 1 and 15 name the associated prescription and line."""
    line = selectors.payer_line_get(entity=request.entity, pk=line_id)
    context = _line_context(request, line)
    form = NoDireccionamientoForm(request.POST or None, line=line)
    if request.method == "POST" and form.is_valid():
        try:
            record = no_direccionamiento_create(
                actor=request.user, entity=request.entity, line=line, **form.service_kwargs()
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "No direccionamiento %(id)s de la tecnología %(line)s de la prescripción "
                    "%(number)s registrado (causa %(cause)s)."
                )
                % {
                    "id": record.pk,
                    "line": line.key,
                    "number": line.prescription.number,
                    "cause": record.cause.code,
                },
            )
            return redirect(context["back"])
    context["form"] = form
    return render(request, "supply/payer/no_direct.html", context)


@entity_permission_required(DIRECT)
@require_http_methods(["GET", "POST"])
def include(request, line_id):
    """A device line delivered with a procedure of the same prescription (seed 004)."""
    line = selectors.payer_line_get(entity=request.entity, pk=line_id)
    context = _line_context(request, line)
    form = ProcedureInclusionForm(request.POST or None, line=line)
    if request.method == "POST" and form.is_valid():
        try:
            procedure_supply_create(
                actor=request.user, entity=request.entity, line=line, **form.service_kwargs()
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("La tecnología %(line)s se entrega con el procedimiento %(procedure)s.")
                % {"line": line.key, "procedure": form.cleaned_data["procedure_line"].key},
            )
            return redirect(context["back"])
    context.update({"form": form, "is_device": line.technology_type == TechnologyType.DISPOSITIVO})
    return render(request, "supply/payer/include.html", context)


@entity_permission_required(DIRECT)
@require_GET
@replica_reads()
def directed(request):
    """«Direccionados»: this entity's direccionamientos, newest first, with how far each
    chain went; «Anular» on the active ones (nobody programmed them yet)."""
    choices = shared_read(
        ("network-providers", request.entity.pk, get_language()),
        lambda: DirectedFilterForm.choices_for(request.entity),
    )
    filters, form_html = bound_filters(DirectedFilterForm, request, choices=choices)
    providers = {pk: name for pk, name, _label in choices}  # the rows' proveedor
    if fmt := export_format(request):
        rows = selectors.directed_export(entity=request.entity, filters=filters)
        return entity_export(
            request, fmt, "direccionados", DIRECTED_HEADER, directed_export_rows(rows)
        )

    def build():
        page = selectors.directed_page(
            entity=request.entity, filters=filters, after=start_after(request), size=PAGE_SIZE
        )
        return page, directed_rows_html(request, page.rows, providers)

    page, rows = shared_page(request, "directed", build)
    context = {
        "entity": request.entity,
        "tab": "directed",
        "form_html": form_html,
        "page": page,
        "rows_html": rows,
    }
    return render(request, "supply/payer/directed.html", context)


# ---------------------------------------------------------------------------------------
# «Suministro y datos facturados»

SECTIONS = {
    "suministro": SUMINISTRO,
    "facturados": DATOS_FACTURADOS,
    "suministros": SUMINISTRO,
    "datos": DATOS_FACTURADOS,
}


@entity_any_permission_required(SUMINISTRO, DATOS_FACTURADOS)
@require_GET
@replica_reads()
def payer_reports(request):
    """Four lists, one per section (`?seccion=`): entregas awaiting the payer's suministro,
    facturaciones awaiting datos facturados, and the active suministros and datos
    facturados this entity recorded (each with «Anular»)."""
    allowed = [name for name, perm in SECTIONS.items() if perm in request.entity_perms]
    section = request.GET.get("seccion")
    if section not in allowed:
        section = allowed[0]
    form = ReportFilterForm(request.GET or None)
    filters = form.filters()
    if fmt := export_format(request):
        titles, columns = SECTION_EXPORTS[section]
        header = [*CHAIN_HEADER, *titles]
        records = selectors.report_export(section, entity=request.entity, filters=filters)
        rows = ([*chain_cells(r), *(r.data[c] for c in columns)] for r in records)
        return entity_export(request, fmt, f"suministro-{section}", header, rows)
    page = selectors.report_page(
        section, entity=request.entity, filters=filters, after=start_after(request), size=PAGE_SIZE
    )
    context = {
        "entity": request.entity,
        "tab": "payer_reports",
        "section": section,
        "sections": allowed,
        "section_tabs": [(name, SECTION_TITLES[name]) for name in allowed],
        "form_html": form.html(hidden=[("seccion", section)]),
        "page": page,
        "rows_html": report_rows_html(request, section, page.rows),
    }
    return render(request, "supply/payer/reports.html", context)


@entity_permission_required(SUMINISTRO)
@require_http_methods(["GET", "POST"])
def suministro(request, deliverable_id):
    """The payer's report of the supply of a delivered deliverable."""
    deliverable, entrega = selectors.payer_deliverable_get(entity=request.entity, pk=deliverable_id)
    back = safe_next(request, payer_url("payer_reports", request) + "?seccion=suministro")
    form = SuministroForm(request.POST or None, deliverable=deliverable, entrega=entrega)
    if request.method == "POST" and form.is_valid():
        try:
            record = suministro_create(
                actor=request.user,
                entity=request.entity,
                deliverable=deliverable,
                **form.service_kwargs(),
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Suministro %(id)s de la entrega ID %(deliverable)s reportado.")
                % {"id": record.pk, "deliverable": deliverable.pk},
            )
            return redirect(back)
    context = {
        "entity": request.entity,
        "tab": "payer_reports",
        "deliverable": deliverable,
        "prescription": deliverable.prescription,
        "entrega": entrega,
        "form": form,
        "back": back,
    }
    return render(request, "supply/payer/suministro.html", context)


@entity_permission_required(DATOS_FACTURADOS)
@require_http_methods(["GET", "POST"])
def datos_facturados(request, facturacion_id):
    """The payer's datos facturados on an active facturación of a deliverable it pays."""
    facturacion = selectors.payer_facturacion_get(entity=request.entity, pk=facturacion_id)
    back = safe_next(request, payer_url("payer_reports", request) + "?seccion=facturados")
    form = DatosFacturadosForm(request.POST or None, facturacion=facturacion)
    if request.method == "POST" and form.is_valid():
        try:
            record = datos_facturados_create(
                actor=request.user,
                entity=request.entity,
                facturacion=facturacion,
                **form.service_kwargs(),
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Datos facturados %(id)s de la facturación %(factura)s registrados.")
                % {"id": record.pk, "factura": facturacion.pk},
            )
            return redirect(back)
    context = {
        "entity": request.entity,
        "tab": "payer_reports",
        "facturacion": facturacion,
        "deliverable": facturacion.deliverable,
        "prescription": facturacion.deliverable.prescription,
        "form": form,
        "back": back,
    }
    return render(request, "supply/payer/datos_facturados.html", context)


@entity_permission_required(DIRECT)
@require_GET
@replica_reads()
def patient_pending(request):
    """A patient's deliveries this entity directed and nobody delivered yet, by FecMaxEnt,
    with the deadline light."""
    form = PatientSearchForm(request.GET or None)
    rows = None
    if form.is_bound and form.is_valid():
        rows = selectors.patient_pending_list(entity=request.entity, **form.cleaned_data)
        if fmt := export_format(request):
            steps = selectors.step_labels()
            data = (
                [
                    r.data["max_delivery_date"],
                    r.light[1],
                    r.number,
                    r.line_key,
                    r.delivery_label,
                    r.deliverable_id,
                    r.data["provider_name"],
                    r.data["quantity"],
                    steps[r.step],
                ]
                for r in rows
            )
            header = PENDING_HEADER
            return entity_export(request, fmt, "pendientes-paciente", header, data)
    context = {
        "entity": request.entity,
        "tab": "patient_pending",
        "form_html": form.html(),
        "rows": rows,
        "rows_html": pending_rows_html(request, rows or []),
    }
    return render(request, "supply/payer/patient_pending.html", context)
