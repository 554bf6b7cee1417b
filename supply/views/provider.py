"""The proveedor's Administrativo: direccionamientos to program, entregas to report,
reportes to invoice (issue 5 §3), each a filtered worklist that downloads as CSV or XLSX
(`?formato=csv|xlsx`, same filters), and the form of each step (STYLE R3: the decorator
resolves the entity and the permission, a selector scoped by the entity fetches, a form
validates, one service writes)."""

from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_permission_required
from mipres.lib.errors import DomainError
from mipres.lib.exports import table_response
from prescriptions.enums import TechnologyType
from prescriptions.selectors.prescriptions import technology_label

from ..forms.provider import (
    PROCEDURE_NOTE,
    FacturacionForm,
    ProgramacionForm,
    ReporteForm,
    WorklistFilterForm,
)
from ..models import Entrega, ReporteEntrega, StepStatus
from ..selectors import provider as sel
from ..selectors.deadlines import deadline_light
from ..services import facturacion_create, programacion_create, reporte_entrega_create
from ..services.annulment import STEPS
from ..services.common import INVOICE, PROGRAM, REPORT

PAGE_SIZE = 25
EXPORT_FORMATS = ("csv", "xlsx")


@dataclass
class Worklist:
    """What a worklist page and its export need: the rows' queryset and the form."""

    form: WorklistFilterForm
    rows: object
    today: object


def worklist(request, *, listing, with_light: bool, date_label, **scope) -> Worklist:
    """Bind the filters (payers offered: those whose network the entity is or was in) and
    list."""
    today = timezone.localdate()
    form = WorklistFilterForm(
        request.GET or None,
        payers=sel.worklist_payers(entity=request.entity),
        with_light=with_light,
        date_label=date_label,
    )
    rows = listing(entity=request.entity, filters=form.filters(), today=today, **scope)
    return Worklist(form=form, rows=rows, today=today)


def export_format(request) -> str | None:
    fmt = request.GET.get("formato")
    return fmt if fmt in EXPORT_FORMATS else None


def export(request, fmt: str, name: str, header: list, rows) -> object:
    basename = f"{name}-{request.entity.nit}-{timezone.localdate():%Y%m%d}"
    return table_response(fmt, basename, [str(title) for title in header], rows)


def row_urls(request) -> dict[str, str]:
    """The beginnings of the links every worklist row carries, reversed once per page
    rather than two or three times per row."""
    entity = request.entity.external_id

    def start(name: str, *args) -> str:
        return reverse(f"supply:{name}", args=[entity, *args]).removesuffix("0/")

    return {
        "prescription": start("prescription", "0"),
        "program": start("program", 0),
        "report": start("report", 0),
        "invoice": start("invoice", 0),
        "deliver": start("deliver", 0),
        "annul": reverse("supply:annul", args=[entity, "x", 0]).removesuffix("x/0/"),
        "next": quote(request.get_full_path(), safe="/"),
    }


def page_of(request, queryset, today, *, light: bool = False):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("pagina"))
    page.urls = row_urls(request)
    for item in page.object_list:
        item.label = sel.line_label(item.deliverable.line)
        if light:
            item.light = deadline_light(item.max_delivery_date, today)
    return page


def can_annul(request, model) -> bool:
    """Every worklist row is an active step the entity recorded: the role decides."""
    return bool(request.entity_perms.intersection(STEPS[model][0]))


def deliverable_cells(deliverable) -> list:
    """The columns every export starts with: prescription, line, delivery, patient."""
    prescription, line = deliverable.prescription, deliverable.line
    patient = prescription.patient
    return [
        prescription.number,
        line.key,
        sel.line_label(line),
        deliverable.delivery_label,
        deliverable.pk,
        patient.document_type,
        patient.document_number,
        patient.get_full_name(),
        deliverable.payer.name,
    ]


DELIVERABLE_HEADER = [
    gettext_lazy("Número de prescripción"),
    gettext_lazy("Tecnología"),
    gettext_lazy("Descripción"),
    gettext_lazy("Entrega"),
    gettext_lazy("ID"),
    gettext_lazy("Tipo de documento del paciente"),
    gettext_lazy("Número de documento del paciente"),
    gettext_lazy("Paciente"),
    gettext_lazy("Pagador"),
]


# Por programar -------------------------------------------------------------------------------


@entity_permission_required(PROGRAM)
@require_GET
def to_program(request):
    """Active direccionamientos directed to the entity, the nearest FecMaxEnt first."""
    listed = worklist(
        request,
        listing=sel.to_program_list,
        with_light=True,
        date_label=_("Fecha máxima"),
    )
    fmt = export_format(request)
    if fmt:
        header = [
            _("IdDireccionamiento"),
            *DELIVERABLE_HEADER,
            _("Código EPS"),
            _("Código a entregar"),
            _("Cantidad"),
            _("Fecha máxima de entrega"),
            _("Semáforo"),
            _("Municipio de entrega"),
            _("Dirección del paciente"),
        ]
        rows = (
            [
                d.pk,
                *deliverable_cells(d.deliverable),
                d.payer_code.code if d.payer_code else "",
                d.technology_code,
                d.quantity,
                d.max_delivery_date,
                deadline_light(d.max_delivery_date, listed.today)[1],
                d.municipality.name,
                d.patient_address,
            ]
            for d in listed.rows.iterator(chunk_size=500)
        )
        return export(request, fmt, "por-programar", header, rows)
    context = {
        "entity": request.entity,
        "tab": "to_program",
        "form": listed.form,
        "page": page_of(request, listed.rows, listed.today, light=True),
    }
    return render(request, "supply/provider/to_program.html", context)


@entity_permission_required(PROGRAM)
@require_http_methods(["GET", "POST"])
def program(request, pk):
    """Program a direccionamiento at one of the entity's active sedes: FecMaxEnt, code and
    quantity are copied from it."""
    direccionamiento = sel.direccionamiento_get_for_provider(entity=request.entity, pk=pk)
    form = ProgramacionForm(request.POST or None, sedes=sel.active_sedes(entity=request.entity))
    if request.method == "POST" and form.is_valid():
        try:
            programacion = programacion_create(
                actor=request.user,
                entity=request.entity,
                direccionamiento=direccionamiento,
                sede=form.cleaned_data["sede"],
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Programación %(id)s registrada en la sede %(sede)s.")
                % {"id": programacion.pk, "sede": programacion.sede.code},
            )
            return redirect(reverse("supply:to_program", args=[request.entity.external_id]))
    context = {
        "entity": request.entity,
        "tab": "to_program",
        "direccionamiento": direccionamiento,
        "deliverable": direccionamiento.deliverable,
        "label": technology_label(direccionamiento.deliverable.line),
        "light": deadline_light(direccionamiento.max_delivery_date, timezone.localdate()),
        "active": direccionamiento.status == StepStatus.ACTIVO,
        "form": form,
    }
    return render(request, "supply/provider/program.html", context)


# Por reportar --------------------------------------------------------------------------------


@entity_permission_required(REPORT)
@require_GET
def to_report(request):
    """Active entregas of the entity waiting for their reporte de entrega."""
    listed = worklist(
        request,
        listing=sel.to_report_list,
        with_light=False,
        date_label=_("Entrega"),
    )
    fmt = export_format(request)
    if fmt:
        header = [
            _("IdEntrega"),
            *DELIVERABLE_HEADER,
            _("Sede"),
            _("Código entregado"),
            _("Cantidad entregada"),
            _("Cantidad pendiente"),
            _("Entrega total"),
            _("Causa"),
            _("Fecha de entrega"),
            _("Lote"),
            _("En ámbito"),
        ]
        rows = (
            [
                e.pk,
                *deliverable_cells(e.deliverable),
                e.sede.code if e.sede else "",
                e.technology_code,
                e.quantity,
                e.pending_quantity,
                _("Sí") if e.total else _("No"),
                e.cause.code if e.cause else "",
                e.delivered_on,
                e.batch,
                _("Sí") if e.in_ambito else _("No"),
            ]
            for e in listed.rows.iterator(chunk_size=500)
        )
        return export(request, fmt, "por-reportar", header, rows)
    context = {
        "entity": request.entity,
        "tab": "to_report",
        "form": listed.form,
        "page": page_of(request, listed.rows, listed.today),
        "can_annul": can_annul(request, Entrega),
    }
    return render(request, "supply/provider/to_report.html", context)


def procedure_context(line) -> dict:
    """Seed 004: a procedure's delivery carries its devices and supplies."""
    if line.technology_type != TechnologyType.PROCEDIMIENTO:
        return {}
    supplies = sel.covered_supplies(line=line)
    return {
        "procedure_note": PROCEDURE_NOTE,
        "covered": [(supply.line, technology_label(supply.line)) for supply in supplies],
    }


@entity_permission_required(REPORT)
@require_http_methods(["GET", "POST"])
def report(request, pk):
    """Report an entrega: delivered or not (with a cause of the line's type), value."""
    entrega = sel.entrega_get_own(entity=request.entity, pk=pk)
    line = entrega.deliverable.line
    form = ReporteForm(request.POST or None, line=line)
    if request.method == "POST" and form.is_valid():
        try:
            reporte = reporte_entrega_create(
                actor=request.user, entity=request.entity, entrega=entrega, **form.cleaned_data
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Reporte de entrega %(id)s registrado.") % {"id": reporte.pk}
            )
            return redirect(reverse("supply:to_report", args=[request.entity.external_id]))
    context = {
        "entity": request.entity,
        "tab": "to_report",
        "entrega": entrega,
        "deliverable": entrega.deliverable,
        "label": technology_label(line),
        "active": entrega.status == StepStatus.ACTIVO,
        "form": form,
        **procedure_context(line),
    }
    return render(request, "supply/provider/report.html", context)


# Por facturar --------------------------------------------------------------------------------


@entity_permission_required(INVOICE)
@require_GET
def to_invoice(request):
    """Active reportes of the entity that say delivered, waiting for their facturación."""
    listed = worklist(
        request,
        listing=sel.to_invoice_list,
        with_light=False,
        date_label=_("Entrega"),
    )
    fmt = export_format(request)
    if fmt:
        header = [
            _("IdReporteEntrega"),
            *DELIVERABLE_HEADER,
            _("Código entregado"),
            _("Cantidad entregada"),
            _("Fecha de entrega"),
            _("Valor entregado"),
            _("Fecha del reporte"),
        ]
        rows = (
            [
                r.pk,
                *deliverable_cells(r.deliverable),
                r.entrega.technology_code,
                r.entrega.quantity,
                r.entrega.delivered_on,
                r.value,
                r.created_at,
            ]
            for r in listed.rows.iterator(chunk_size=500)
        )
        return export(request, fmt, "por-facturar", header, rows)
    context = {
        "entity": request.entity,
        "tab": "to_invoice",
        "form": listed.form,
        "page": page_of(request, listed.rows, listed.today),
        "can_annul": can_annul(request, ReporteEntrega),
    }
    return render(request, "supply/provider/to_invoice.html", context)


@entity_permission_required(INVOICE)
@require_http_methods(["GET", "POST"])
def invoice(request, pk):
    """Invoice a reporte that says delivered; the stored total is the service's."""
    reporte = sel.reporte_get_own(entity=request.entity, pk=pk)
    form = FacturacionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            factura = facturacion_create(
                actor=request.user, entity=request.entity, reporte=reporte, **form.service_kwargs()
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Facturación %(id)s registrada: valor total %(total)s.")
                % {"id": factura.pk, "total": factura.total_value},
            )
            return redirect(reverse("supply:to_invoice", args=[request.entity.external_id]))
    context = {
        "entity": request.entity,
        "tab": "to_invoice",
        "reporte": reporte,
        "deliverable": reporte.deliverable,
        "label": technology_label(reporte.deliverable.line),
        "active": reporte.status == StepStatus.ACTIVO and reporte.delivered,
        "form": form,
    }
    return render(request, "supply/provider/invoice.html", context)
