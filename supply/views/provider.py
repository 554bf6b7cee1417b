"""The proveedor's Administrativo: direccionamientos to program, entregas to report,
reportes to invoice (issue 5 §3), each a filtered worklist that downloads as CSV or XLSX
(`?formato=csv|xlsx`, same filters), and the form of each step (STYLE R3: the decorator
resolves the entity and the permission, a selector scoped by the entity fetches, a form
validates, one service writes).

A worklist page is a keyset page («Siguientes», `?despues=<pk>`), never counted; its filter
form and its rows are written here in Python (`mipres.lib.filter_form`, f-strings with every
value escaped): the template engine cost ~0.45 ms a row, more than the page's queries."""

from decimal import Decimal
from functools import cache, cached_property
from html import escape
from urllib.parse import quote

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_permission_required
from mipres.db import replica_reads
from mipres.lib.errors import DomainError
from mipres.lib.export_tasks import export_response_or_task
from mipres.lib.filter_form import bound_filters
from mipres.lib.urls import reverse_once
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
EXPORT_FORMATS = ("csv", "xlsx")


def worklist_filters(request, *, with_light: bool, date_label: str) -> tuple:
    """A worklist page's filters (`sel.WorklistFilters`) and their form's HTML
    (`mipres.lib.filter_form.bound_filters`). The payers offered are those whose network
    the entity is or was in."""
    payers = tuple(sel.worklist_payers(entity=request.entity))
    return bound_filters(
        WorklistFilterForm, request, payers=payers, with_light=with_light, date_label=date_label
    )


def after(request) -> int | None:
    """Where a page starts (the pk in «Siguientes»); anything else starts from the top."""
    try:
        return int(request.GET.get("despues", ""))
    except ValueError:
        return None


def export_format(request) -> str | None:
    fmt = request.GET.get("formato")
    return fmt if fmt in EXPORT_FORMATS else None


def export(request, fmt: str, name: str, header: list, rows) -> object:
    basename = f"{name}-{request.entity.nit}-{timezone.localdate():%Y%m%d}"
    return export_response_or_task(request, fmt, basename, header, rows)


def can_annul(request, model) -> bool:
    """Every worklist row is an active step the entity recorded: the role decides."""
    return bool(request.entity_perms.intersection(STEPS[model][0]))


def worklist_context(request, *, tab: str, filters_html, page, rows_html: SafeString) -> dict:
    return {
        "entity": request.entity,
        "tab": tab,
        "filter_form": filters_html,
        "page": page,
        "rows_html": rows_html,
    }


# Worklist rows (HTML) ---------------------------------------------------------------------
#
# A page's rows are written with f-strings, each value escaped, and what they share is
# worked out once: per process (the links' beginnings, the translated words, the light
# cells), per page (the escaping, in one call) or per distinct value (the dates).


def escape_all(texts: list[str]) -> list[str]:
    """`html.escape` of each of `texts`, in one go (`escape` costs ~0.4 µs a call even with
    nothing to escape). Most pages have nothing to escape: then the texts are theirs. Else
    they are escaped joined by NULs and split there, as escaping replaces each character
    on its own; no text holds a NUL (PostgreSQL's text cannot, Django's form fields refuse
    it), but were there one, each text is escaped alone."""
    joined = "\0".join(texts)
    if not any(char in joined for char in "&<>\"'"):
        return texts
    escaped = escape(joined).split("\0")
    return escaped if len(escaped) == len(texts) else [escape(text) for text in texts]


def escape_rows(rows, texts) -> list[list[str]]:
    """`texts(row)`, a row's texts (as many for every row), escaped for each of `rows` in
    one go (`escape_all`)."""
    flat = []
    for row in rows:
        flat += texts(row)
    escaped = escape_all(flat)
    width = len(flat) // len(rows) if rows else 1
    return [escaped[start : start + width] for start in range(0, len(escaped), width)]


def link(name: str, *args, prefix: str | None = None) -> str:
    """`reverse(f"supply:{name}", args=args)`, once per process for each link (it costs
    ~45 µs; `mipres.lib.urls.reverse_once`)."""
    return reverse_once(f"supply:{name}", *args, prefix=prefix)


def iso_date(value) -> str:
    """A date as `f"{value:%Y-%m-%d}"` writes it, without strftime's ~5 µs: isoformat()
    writes the same from the year 1000 on."""
    return value.isoformat() if value.year >= 1000 else f"{value:%Y-%m-%d}"


@cache
def _words(language: str) -> dict[str, str]:
    """The words of the worklists' rows, escaped, once per language: a gettext call costs
    ~7 µs here, as these Spanish msgids fall through the catalogs chained behind the
    project's own."""
    words = {
        "code": _("Código"),
        "annul": _("Anular"),
        "program": _("Programar"),
        "report": _("Reportar"),
        "invoice": _("Facturar"),
        "deliver": _("Entregar"),
        "in_ambito": _("En ámbito"),
        "total": _("Total"),
        "partial": _("Parcial"),
        "cause": _("causa"),
        "sede": _("Sede"),
    }
    return {key: escape(word) for key, word in words.items()}


# The deadline light's cell by its code and the language: the code decides its label and
# colour (`deadline_light`).
_LIGHT_CELLS: dict[tuple[str, str], str] = {}


# A row's texts (`RowHtml.cells`), in this order: its delivery's, its step's technology
# code, then its own values (from `OWN` on).
LABEL, NUMBER, DOCUMENT_TYPE, DOCUMENT_NUMBER, PATIENT, LINE_KEY, TECHNOLOGY, PAYER, CODE = range(9)
OWN = 9


class RowHtml:
    """What every row of a worklist page shares: the beginnings of its links, the
    translated words, the cells of its dates and lights, the locale's decimal separator.
    Values are escaped with the standard library's `html.escape`, which Django's `escape`
    wraps (same output, without its lazy-string and SafeString wrapping per call), a page's
    values in one call (`cells`)."""

    def __init__(self, request, today=None):
        self.request = request
        self.today = today
        self.language = get_language()
        self.words = _words(self.language)
        self.code = self.words["code"]
        self.decimal_separator = get_format("DECIMAL_SEPARATOR", self.language)
        self.dates: dict = {}  # a date's cell
        self.deadlines: dict = {}  # a FecMaxEnt's cells: its light's and its date's

    @cached_property
    def _prefix(self) -> str:
        return get_script_prefix()

    def _start(self, name: str, *args) -> str:
        """The link of `name` for the object 0, without the 0."""
        entity = self.request.entity.external_id
        return link(name, entity, *args, prefix=self._prefix).removesuffix("0/")

    @cached_property
    def prescription(self) -> str:
        return self._start("prescription", "0")

    @cached_property
    def program(self) -> str:
        return self._start("program", 0)

    @cached_property
    def report(self) -> str:
        return self._start("report", 0)

    @cached_property
    def invoice(self) -> str:
        return self._start("invoice", 0)

    @cached_property
    def deliver(self) -> str:
        return self._start("deliver", 0)

    @cached_property
    def _annul(self) -> tuple[str, str, str]:
        start = self._start("annul", "x", 0).removesuffix("x/")
        back = escape(quote(self.request.get_full_path(), safe="/"))
        return start, back, self.words["annul"]

    def number(self, value: Decimal) -> str:
        """A decimal as `{{ value }}` writes it (no exponent, the locale's separator)."""
        return f"{value:f}".replace(".", self.decimal_separator)

    def quantity(self, value: Decimal) -> str:
        """A quantity without trailing zeros (30, 2,5), as `{{ value.normalize }}`."""
        return self.number(value.normalize())

    def light(self, max_delivery_date) -> str:
        """The deadline light's cell, worked out once per light (its label is translated)."""
        key = (light_code(max_delivery_date, self.today), self.language)
        cell = _LIGHT_CELLS.get(key)
        if cell is None:
            code, label, css = deadline_light(max_delivery_date, self.today)
            cell = f'<td><span class="badge {css}" data-light="{code}">{escape(label)}</span></td>'
            _LIGHT_CELLS[key] = cell
        return cell

    def date(self, value) -> str:
        """A date's cell, written once per date of the page."""
        cell = self.dates.get(value)
        if cell is None:
            cell = self.dates[value] = f'<td class="text-nowrap">{iso_date(value)}</td>'
        return cell

    def deadline(self, max_delivery_date) -> str:
        """A FecMaxEnt's cells, its light and the date, written once per date of the page."""
        cells = self.deadlines.get(max_delivery_date)
        if cells is None:
            cells = f"{self.light(max_delivery_date)}{self.date(max_delivery_date)}"
            self.deadlines[max_delivery_date] = cells
        return cells

    @staticmethod
    def cells(rows: list[dict], code: str, *keys: str) -> list[tuple[dict, list[str]]]:
        """Each row with its texts, escaped in one go (`escape_rows`), in the order of
        `LABEL`…`CODE`, `OWN`: its delivery's (a `Delivery`'s but its pk, the technology
        truncated), its step's technology code (the key `code`), then the values of its
        `keys` (None as "")."""

        def texts(row: dict) -> list[str]:
            delivery = row["deliverable"]
            own = list(delivery[1:])
            if len(delivery.technology) > 60:  # the truncatechars:60 the template had
                own[TECHNOLOGY] = f"{delivery.technology[:59]}…"
            return [*own, row[code], *(row[key] or "" for key in keys)]

        return list(zip(rows, escape_rows(rows, texts), strict=True))

    def delivery(self, texts: list[str], pk: int, badge: str = "") -> str:
        """The prescription, patient, technology (with the code of the step) and delivery
        cells every worklist row shows: `texts` of `cells`, `pk` the deliverable's; `badge`
        goes under the delivery."""
        label, number, document_type, document_number, patient, line_key, technology = texts[:7]
        return (
            f'<td class="font-monospace small"><a href="{self.prescription}{number}/">{number}</a>'
            f'</td><td class="small">{patient}<div class="text-muted">'
            f"{document_type} {document_number}</div></td>"
            f'<td class="small"><span class="badge text-bg-light border">'
            f"{line_key}</span> {technology}"
            f'<div class="text-muted">{self.code} <code>{texts[CODE]}</code></div></td>'
            f'<td class="small text-nowrap">{label} · ID {pk}{badge}</td>'
        )

    @staticmethod
    def action(href: str, text: str, texts: list[str], with_delivery: bool = False) -> str:
        """The row's step button (`text` escaped); its hidden text names the row for
        screen readers (`texts` of `cells`): the prescription, the line and, `with_delivery`,
        the delivery."""
        hidden = f"{texts[NUMBER]} {texts[LINE_KEY]}"
        if with_delivery:
            hidden = f"{hidden} {texts[LABEL]}"
        return (
            f'<a class="btn btn-primary btn-sm" href="{href}">{text}'
            f'<span class="visually-hidden"> {hidden}</span></a>'
        )

    def annul(self, kind: str, pk: int) -> str:
        """«Anular», coming back to this page."""
        start, back, text = self._annul
        return (
            f' <a class="btn btn-outline-danger btn-sm" '
            f'href="{start}{kind}/{pk}/?next={back}">{text}</a>'
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


def program_rows_html(rows: list[dict], html: RowHtml) -> SafeString:
    text, start = html.words["program"], html.program
    parts = []
    for row, texts in html.cells(rows, "technology_code", "payer_code__code"):
        pk, payer_code = row["pk"], texts[OWN]
        payer_code = f" <code>{payer_code}</code>" if payer_code else ""
        action = html.action(f"{start}{pk}/", text, texts, True)
        parts.append(
            f'<tr data-row="{pk}">{html.deadline(row["max_delivery_date"])}'
            f"{html.delivery(texts, row['deliverable_id'])}"
            f"<td>{html.quantity(row['quantity'])}</td>"
            f'<td class="small">{texts[PAYER]}{payer_code}</td>'
            f"<td>{action}</td></tr>\n"
        )
    return mark_safe("".join(parts))  # every value above is escaped


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
        return export(request, fmt, "por-programar", PROGRAM_HEADER, rows)
    page = sel.to_program_page(
        entity=request.entity, filters=filters, today=today, after=after(request), size=PAGE_SIZE
    )
    rows_html = program_rows_html(page.rows, RowHtml(request, today))
    context = worklist_context(
        request, tab="to_program", filters_html=filters_html, page=page, rows_html=rows_html
    )
    return render(request, "supply/provider/to_program.html", context)


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


def report_rows_html(rows: list[dict], html: RowHtml, *, annul: bool) -> SafeString:
    words = html.words
    text, start = words["report"], html.report
    ambito = f'<div><span class="badge text-bg-secondary">{words["in_ambito"]}</span></div>'
    total = f'<span class="badge text-bg-success">{words["total"]}</span>'
    partial = f'<span class="badge text-bg-warning">{words["partial"]}</span>'
    cause_word, sede_word = words["cause"], words["sede"]
    parts = []
    for row, texts in html.cells(rows, "technology_code", "cause__code", "sede__code"):
        pk, (cause, sede) = row["pk"], texts[OWN:]
        state = total if row["total"] else partial
        if not row["total"] and cause:
            state += f' <span class="text-muted">{cause_word} {cause}</span>'
        if sede:
            state += f'<div class="text-muted">{sede_word} {sede}</div>'
        actions = html.action(f"{start}{pk}/", text, texts)
        if annul:
            actions += html.annul("entrega", pk)
        badge = ambito if row["in_ambito"] else ""
        parts.append(
            f'<tr data-row="{pk}">{html.date(row["delivered_on"])}'
            f"{html.delivery(texts, row['deliverable_id'], badge)}"
            f'<td class="small">{html.quantity(row["quantity"])} {state}</td>'
            f'<td class="small">{texts[PAYER]}</td>'
            f'<td class="text-nowrap">{actions}</td></tr>\n'
        )
    return mark_safe("".join(parts))  # every value above is escaped


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
        return export(request, fmt, "por-reportar", REPORT_HEADER, rows)
    page = sel.to_report_page(
        entity=request.entity, filters=filters, today=today, after=after(request), size=PAGE_SIZE
    )
    annul = can_annul(request, Entrega)
    rows_html = report_rows_html(page.rows, RowHtml(request), annul=annul)
    context = worklist_context(
        request, tab="to_report", filters_html=filters_html, page=page, rows_html=rows_html
    )
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


INVOICE_HEADER = [
    gettext_lazy("IdReporteEntrega"),
    *DELIVERABLE_HEADER,
    gettext_lazy("Código entregado"),
    gettext_lazy("Cantidad entregada"),
    gettext_lazy("Fecha de entrega"),
    gettext_lazy("Valor entregado"),
    gettext_lazy("Fecha del reporte"),
]


def invoice_rows_html(rows: list[dict], html: RowHtml, *, annul: bool) -> SafeString:
    text, start = html.words["invoice"], html.invoice
    parts = []
    for row, texts in html.cells(rows, "entrega__technology_code"):
        pk = row["pk"]
        actions = html.action(f"{start}{pk}/", text, texts)
        if annul:
            actions += html.annul("reporte", pk)
        parts.append(
            f'<tr data-row="{pk}">{html.date(row["entrega__delivered_on"])}'
            f"{html.delivery(texts, row['deliverable_id'])}"
            f"<td>{html.quantity(row['entrega__quantity'])}</td>"
            f'<td class="text-nowrap">{html.number(row["value"])}</td>'
            f'<td class="small">{texts[PAYER]}</td>'
            f'<td class="text-nowrap">{actions}</td></tr>\n'
        )
    return mark_safe("".join(parts))  # every value above is escaped


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
        return export(request, fmt, "por-facturar", INVOICE_HEADER, rows)
    page = sel.to_invoice_page(
        entity=request.entity, filters=filters, today=today, after=after(request), size=PAGE_SIZE
    )
    annul = can_annul(request, ReporteEntrega)
    rows_html = invoice_rows_html(page.rows, RowHtml(request), annul=annul)
    context = worklist_context(
        request, tab="to_invoice", filters_html=filters_html, page=page, rows_html=rows_html
    )
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
