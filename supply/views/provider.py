"""The proveedor's Administrativo: direccionamientos to program, entregas to report,
reportes to invoice (issue 5 §3), each a filtered worklist that downloads as CSV or XLSX
(`?formato=csv|xlsx`, same filters), and the form of each step (STYLE R3: the decorator
resolves the entity and the permission, a selector scoped by the entity fetches, a form
validates, one service writes).

A worklist page is a keyset page («Siguientes», `?despues=<pk>`), never counted; its filter
form comes from `mipres.lib.filter_form` and its rows from a Jinja2 template (`rows_html`),
each row a dict of the step's values with its deliverable's `Delivery`
(`supply.selectors.provider`)."""

from functools import cache
from urllib.parse import quote

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_permission_required
from mipres.db import replica_reads, shared_page, shared_read
from mipres.jinja_env import render_fragment
from mipres.lib.errors import DomainError
from mipres.lib.export_tasks import entity_export, export_format
from mipres.lib.filter_form import bound_filters
from mipres.lib.pagination import start_after
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
from ..selectors.deadlines import deadline_light, light_code
from ..services import facturacion_create, programacion_create, reporte_entrega_create
from ..services.annulment import STEPS
from ..services.common import INVOICE, PROGRAM, REPORT

PAGE_SIZE = 25


def worklist_filters(request, *, with_light: bool, date_label: str) -> tuple:
    """A worklist page's filters (`sel.WorklistFilters`) and their form's HTML
    (`mipres.lib.filter_form.bound_filters`). The payers offered are those whose network
    the entity is or was in (shared by the entity's worklists for a few seconds)."""
    payers = shared_read(
        ("worklist-payers", request.entity.pk),
        lambda: tuple(sel.worklist_payers(entity=request.entity)),
    )
    return bound_filters(
        WorklistFilterForm, request, payers=payers, with_light=with_light, date_label=date_label
    )


def can_annul(request, model) -> bool:
    """Every worklist row is an active step the entity recorded: the role decides."""
    return bool(request.entity_perms.intersection(STEPS[model][0]))


def worklist_response(
    request, kind: str, read_page, *, tab: str, filters, filters_html, today, annul_kind="", **scope
):
    """The worklist page `tab` (templates/supply/provider/<tab>.html): its page of rows
    (`read_page`: a selector's `…_page`, given the entity, the filters, the day and `scope`)
    and their HTML (`rows_html`), shared for a few seconds by the entity's users who would
    see the same (`mipres.db.shared_page`; `scope`, a dispensador's sedes, is part of what
    they must share)."""

    def build():
        page = read_page(
            entity=request.entity,
            filters=filters,
            today=today,
            after=start_after(request),
            size=PAGE_SIZE,
            **scope,
        )
        return page, rows_html(request, kind, page.rows, today=today, annul_kind=annul_kind)

    page, rows = shared_page(request, f"worklist-{kind}", build, *scope.values())
    context = {
        "entity": request.entity,
        "tab": tab,
        "filter_form": filters_html,
        "page": page,
        "rows_html": rows,
    }
    return render(request, f"supply/provider/{tab}.html", context)


# Worklist rows (HTML) ---------------------------------------------------------------------
#
# The proveedor's and dispensador's rows come from a Jinja2 template (`rows_html`).


def link(name: str, *args) -> str:
    return reverse(f"supply:{name}", args=args)


def rows_html(request, kind: str, rows, *, today=None, annul_kind: str = "") -> SafeString:
    """A worklist page's rows from templates/jinja2/supply/provider/rows.html: `kind` is the
    rows' step ("program", "deliver", "report", "invoice"), `annul_kind` the kind of record
    their «Anular» annuls (none without it); `today` dates the deadline lights."""
    entity = request.entity.external_id

    def start(name: str, *args) -> str:
        """The link of `name` for the object 0, without the 0."""
        return link(name, entity, *args).removesuffix("0/")

    links = {"prescription": start("prescription", "0"), kind: start(kind, 0)}
    if annul_kind:
        links["annul"] = start("annul", "x", 0).removesuffix("x/")
    return render_fragment(
        "supply/provider/rows.html",
        {
            "kind": kind,
            "rows": rows,
            "links": links,
            "annul_kind": annul_kind,
            "back": quote(request.get_full_path(), safe="/"),
            "light": cache(lambda date: deadline_light(date, today)),
        },
    )


def light_labels(today):
    """The deadline light's label of a FecMaxEnt, translated once per light (the exports)."""
    labels: dict = {}

    def label(max_delivery_date) -> str:
        code = light_code(max_delivery_date, today)
        if code not in labels:
            labels[code] = deadline_light(max_delivery_date, today)[1]
        return labels[code]

    return label


def deliverable_cells(delivery: sel.Delivery) -> list:
    """The columns every export starts with: prescription, line, delivery, patient."""
    return [
        delivery.number,
        delivery.line_key,
        delivery.technology,
        delivery.label,
        delivery.pk,
        delivery.document_type,
        delivery.document_number,
        delivery.patient_name,
        delivery.payer_name,
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

PROGRAM_HEADER = [
    gettext_lazy("IdDireccionamiento"),
    *DELIVERABLE_HEADER,
    gettext_lazy("Código EPS"),
    gettext_lazy("Código a entregar"),
    gettext_lazy("Cantidad"),
    gettext_lazy("Fecha máxima de entrega"),
    gettext_lazy("Semáforo"),
    gettext_lazy("Municipio de entrega"),
    gettext_lazy("Dirección del paciente"),
]


@entity_permission_required(PROGRAM)
@require_GET
@replica_reads()
def to_program(request):
    """Active direccionamientos directed to the entity, the nearest FecMaxEnt first."""
    filters, filters_html = worklist_filters(request, with_light=True, date_label=_("Fecha máxima"))
    today = timezone.localdate()
    if fmt := export_format(request):
        light = light_labels(today)
        rows = (
            [
                row["pk"],
                *deliverable_cells(row["deliverable"]),
                row["payer_code__code"] or "",
                row["technology_code"],
                row["quantity"],
                row["max_delivery_date"],
                light(row["max_delivery_date"]),
                row["municipality__name"],
                row["patient_address"],
            ]
            for row in sel.to_program_export(entity=request.entity, filters=filters, today=today)
        )
        return entity_export(request, fmt, "por-programar", PROGRAM_HEADER, rows)
    return worklist_response(
        request,
        "program",
        sel.to_program_page,
        filters=filters,
        today=today,
        tab="to_program",
        filters_html=filters_html,
    )


@entity_permission_required(PROGRAM)
@require_http_methods(["GET", "POST"])
def program(request, pk):
    """Program a direccionamiento at one of the entity's active sedes: FecMaxEnt, code and
    quantity are copied from it."""
    form = ProgramacionForm(request.POST or None, sedes=sel.active_sedes(entity=request.entity))
    if request.method == "POST" and form.is_valid():
        try:
            programacion = programacion_create(
                actor=request.user,
                entity=request.entity,
                # The service locks and reads the whole chain; the page's read (eight
                # tables) is only for showing the form again.
                direccionamiento=sel.direccionamiento_ref_for_provider(
                    entity=request.entity, pk=pk
                ),
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
    direccionamiento = sel.direccionamiento_get_for_provider(entity=request.entity, pk=pk)
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


REPORT_HEADER = [
    gettext_lazy("IdEntrega"),
    *DELIVERABLE_HEADER,
    gettext_lazy("Sede"),
    gettext_lazy("Código entregado"),
    gettext_lazy("Cantidad entregada"),
    gettext_lazy("Cantidad pendiente"),
    gettext_lazy("Entrega total"),
    gettext_lazy("Causa"),
    gettext_lazy("Fecha de entrega"),
    gettext_lazy("Lote"),
    gettext_lazy("En ámbito"),
]


@entity_permission_required(REPORT)
@require_GET
@replica_reads()
def to_report(request):
    """Active entregas of the entity waiting for their reporte de entrega, the oldest
    delivery first."""
    filters, filters_html = worklist_filters(request, with_light=False, date_label=_("Entrega"))
    today = timezone.localdate()
    if fmt := export_format(request):
        yes, no = _("Sí"), _("No")
        rows = (
            [
                row["pk"],
                *deliverable_cells(row["deliverable"]),
                row["sede__code"] or "",
                row["technology_code"],
                row["quantity"],
                row["pending_quantity"],
                yes if row["total"] else no,
                row["cause__code"] or "",
                row["delivered_on"],
                row["batch"],
                yes if row["in_ambito"] else no,
            ]
            for row in sel.to_report_export(entity=request.entity, filters=filters, today=today)
        )
        return entity_export(request, fmt, "por-reportar", REPORT_HEADER, rows)
    return worklist_response(
        request,
        "report",
        sel.to_report_page,
        filters=filters,
        today=today,
        annul_kind="entrega" if can_annul(request, Entrega) else "",
        tab="to_report",
        filters_html=filters_html,
    )


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


INVOICE_HEADER = [
    gettext_lazy("IdReporteEntrega"),
    *DELIVERABLE_HEADER,
    gettext_lazy("Código entregado"),
    gettext_lazy("Cantidad entregada"),
    gettext_lazy("Fecha de entrega"),
    gettext_lazy("Valor entregado"),
    gettext_lazy("Fecha del reporte"),
]


@entity_permission_required(INVOICE)
@require_GET
@replica_reads()
def to_invoice(request):
    """Active reportes of the entity that say delivered, waiting for their facturación, the
    longest-reported first."""
    filters, filters_html = worklist_filters(request, with_light=False, date_label=_("Entrega"))
    today = timezone.localdate()
    if fmt := export_format(request):
        rows = (
            [
                row["pk"],
                *deliverable_cells(row["deliverable"]),
                row["entrega__technology_code"],
                row["entrega__quantity"],
                row["entrega__delivered_on"],
                row["value"],
                row["created_at"],
            ]
            for row in sel.to_invoice_export(entity=request.entity, filters=filters, today=today)
        )
        return entity_export(request, fmt, "por-facturar", INVOICE_HEADER, rows)
    return worklist_response(
        request,
        "invoice",
        sel.to_invoice_page,
        filters=filters,
        today=today,
        annul_kind="reporte" if can_annul(request, ReporteEntrega) else "",
        tab="to_invoice",
        filters_html=filters_html,
    )


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
