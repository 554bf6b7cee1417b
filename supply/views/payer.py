"""The payer's pages (EPS/EOC/ET Administrativo, issue 5 §2, §8, §9): the worklist of lines
to direct, the direccionamiento (one delivery or a schedule), the no direccionamiento, the
inclusion of a device in a procedure, the direccionamientos made, the suministro and datos
facturados, and a patient's pending deliveries. Every worklist downloads as CSV or XLSX
with the same filters (`?formato=csv` / `?formato=xlsx` on the same URL).

STYLE R3: the decorator resolves the entity and the permission, a selector scoped by the
entity fetches (another payer's line or record answers 404), a form validates, one service
writes, and a refusal comes back beside its field.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_any_permission_required, entity_permission_required
from mipres.lib.errors import DomainError
from mipres.lib.exports import table_response
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

PAGE_SIZE = 25
EXPORT_FORMATS = ("csv", "xlsx")


def _after(request) -> int | None:
    """Where a page starts (the pk in «Siguientes»); anything else starts from the top."""
    try:
        return int(request.GET.get("despues", ""))
    except ValueError:
        return None


def _export_format(request) -> str | None:
    fmt = request.GET.get("formato")
    return fmt if fmt in EXPORT_FORMATS else None


def _export(request, fmt: str, name: str, header: list, rows):
    basename = f"{name}-{request.entity.nit}-{timezone.localdate():%Y%m%d}"
    return table_response(fmt, basename, header, rows)


def _back(request, default: str) -> str:
    """The page to return to after a form (same site only), else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return target
    return default


def _url(name: str, request, *args) -> str:
    return reverse(f"supply:{name}", args=[request.entity.external_id, *args])


def _patient(prescription) -> tuple[str, str]:
    patient = prescription.patient
    return patient.document_type, patient.document_number


# ---------------------------------------------------------------------------------------
# «Por direccionar»


def _line_export_rows(rows):
    for row in rows:
        line, prescription = row.line, row.prescription
        yield [
            prescription.number,
            prescription.prescribed_at,
            *_patient(prescription),
            prescription.patient.get_full_name(),
            prescription.payer_code.code if prescription.payer_code else "",
            prescription.get_care_setting_display(),
            line.get_technology_type_display(),
            line.key,
            row.label,
            line.get_supply_type_display(),
            line.total_quantity,
            row.assigned,
            row.remaining,
            line.get_junta_status_display(),
            row.blocked_reason,
        ]


LINE_HEADER = [
    gettext_lazy("Número de prescripción"),
    gettext_lazy("Fecha"),
    gettext_lazy("Tipo de documento del paciente"),
    gettext_lazy("Número de documento del paciente"),
    gettext_lazy("Paciente"),
    gettext_lazy("Código EPS"),
    gettext_lazy("Ámbito"),
    gettext_lazy("Tipo de tecnología"),
    gettext_lazy("Consecutivo"),
    gettext_lazy("Tecnología"),
    gettext_lazy("Tipo de prestación"),
    gettext_lazy("Cantidad total"),
    gettext_lazy("Cantidad asignada"),
    gettext_lazy("Cantidad por asignar"),
    gettext_lazy("Estado junta"),
    gettext_lazy("No direccionable"),
]


@entity_permission_required(DIRECT)
@require_GET
def to_direct(request):
    """«Por direccionar»: lines of active prescriptions this entity pays, not all assigned,
    oldest prescription first; lines pending or rejected by the Junta say why they cannot
    be directed."""
    form = LineFilterForm(request.GET or None, entity=request.entity)
    filters = form.filters()
    if fmt := _export_format(request):
        rows = selectors.lines_to_direct_export(entity=request.entity, filters=filters)
        header = LINE_HEADER
        return _export(request, fmt, "por-direccionar", header, _line_export_rows(rows))
    page = selectors.lines_to_direct_page(
        entity=request.entity, filters=filters, after=_after(request), size=PAGE_SIZE
    )
    context = {"entity": request.entity, "tab": "to_direct", "form": form, "page": page}
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
        "back": _back(request, _url("to_direct", request)),
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
            "blocked": selectors.LineRow(
                line=line, label=line.label, assigned=context["assigned"], has_procedure=False
            ).blocked_reason,
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


# ---------------------------------------------------------------------------------------
# «Direccionados»


DIRECTED_HEADER = [
    gettext_lazy("ID"),
    gettext_lazy("IdDireccionamiento"),
    gettext_lazy("Número de prescripción"),
    gettext_lazy("Tecnología"),
    gettext_lazy("Entrega"),
    gettext_lazy("Tipo de documento del paciente"),
    gettext_lazy("Número de documento del paciente"),
    gettext_lazy("Paciente"),
    gettext_lazy("Proveedor"),
    gettext_lazy("NIT del proveedor"),
    gettext_lazy("Municipio de entrega"),
    gettext_lazy("Cantidad"),
    gettext_lazy("Fecha máxima de entrega"),
    gettext_lazy("Código a entregar"),
    gettext_lazy("Fecha de direccionamiento"),
    gettext_lazy("Estado"),
    gettext_lazy("Paso de la cadena"),
]


def _directed_export_rows(queryset):
    for d in queryset.order_by("-created_at", "-pk").iterator(chunk_size=500):
        deliverable, prescription = d.deliverable, d.deliverable.prescription
        yield [
            d.deliverable_id,
            d.pk,
            prescription.number,
            deliverable.line.key,
            deliverable.delivery_label,
            *_patient(prescription),
            prescription.patient.get_full_name(),
            d.provider.name,
            d.provider.nit,
            d.municipality_id,
            d.quantity,
            d.max_delivery_date,
            d.technology_code,
            d.created_at,
            d.get_status_display(),
            selectors.step_label(selectors.chain_step(d)),
        ]


@entity_permission_required(DIRECT)
@require_GET
def directed(request):
    """«Direccionados»: this entity's direccionamientos, newest first, with how far each
    chain went; «Anular» on the active ones (nobody programmed them yet)."""
    form = DirectedFilterForm(request.GET or None, entity=request.entity)
    filters = form.filters()
    if fmt := _export_format(request):
        queryset = selectors.directed_list(entity=request.entity, filters=filters)
        header = DIRECTED_HEADER
        return _export(request, fmt, "direccionados", header, _directed_export_rows(queryset))
    page = selectors.directed_page(
        entity=request.entity, filters=filters, after=_after(request), size=PAGE_SIZE
    )
    for row in page.rows:
        row.step_text = selectors.step_label(row.step)
    context = {
        "entity": request.entity,
        "tab": "directed",
        "form": form,
        "page": page,
        "next": request.get_full_path(),
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


def _chain_cells(record):
    deliverable, prescription = record.deliverable, record.deliverable.prescription
    return [
        deliverable.pk,
        prescription.number,
        deliverable.line.key,
        deliverable.delivery_label,
        *_patient(prescription),
        prescription.patient.get_full_name(),
    ]


CHAIN_HEADER = [
    gettext_lazy("ID"),
    gettext_lazy("Número de prescripción"),
    gettext_lazy("Tecnología"),
    gettext_lazy("Entrega"),
    gettext_lazy("Tipo de documento del paciente"),
    gettext_lazy("Número de documento del paciente"),
    gettext_lazy("Paciente"),
]
SECTION_EXPORTS = {
    "suministro": (
        [
            gettext_lazy("IdEntrega"),
            gettext_lazy("Proveedor"),
            gettext_lazy("Fecha de entrega"),
            gettext_lazy("Cantidad entregada"),
            gettext_lazy("Entrega total"),
        ],
        lambda e: [e.pk, e.entity.name, e.delivered_on, e.quantity, e.total],
    ),
    "facturados": (
        [
            gettext_lazy("IdFacturacion"),
            gettext_lazy("Proveedor"),
            gettext_lazy("Factura"),
            gettext_lazy("Unidades"),
            gettext_lazy("Valor total facturado"),
        ],
        lambda f: [f.pk, f.entity.name, f.invoice_number, f.units, f.total_value],
    ),
    "suministros": (
        [
            gettext_lazy("IdSuministro"),
            gettext_lazy("Fecha"),
            gettext_lazy("Última entrega"),
            gettext_lazy("Entrega completa"),
            gettext_lazy("Cantidad"),
            gettext_lazy("Valor"),
        ],
        lambda s: [s.pk, s.created_at, s.last_delivery, s.complete, s.quantity, s.value],
    ),
    "datos": (
        [
            gettext_lazy("IdDatosFacturado"),
            gettext_lazy("Fecha"),
            gettext_lazy("CompAdm"),
            gettext_lazy("Cantidad total entregada"),
        ],
        lambda d: [d.pk, d.created_at, d.comparator, d.total_delivered],
    ),
}
SECTION_QUERIES = {
    "suministro": (selectors.entregas_awaiting_suministro, False),
    "facturados": (selectors.facturaciones_awaiting_datos, False),
    "suministros": (selectors.suministros_active, True),
    "datos": (selectors.datos_facturados_active, True),
}


@entity_any_permission_required(SUMINISTRO, DATOS_FACTURADOS)
@require_GET
def payer_reports(request):
    """Four lists, one per section (`?seccion=`): entregas awaiting the payer's suministro,
    facturaciones awaiting datos facturados, and the active suministros and datos
    facturados this entity recorded (each with «Anular»)."""
    allowed = [name for name, perm in SECTIONS.items() if perm in request.entity_perms]
    section = request.GET.get("seccion")
    if section not in allowed:
        section = allowed[0]
    form = ReportFilterForm(request.GET or None)
    query, newest = SECTION_QUERIES[section]
    queryset = query(entity=request.entity, filters=form.filters())
    if fmt := _export_format(request):
        titles, cells = SECTION_EXPORTS[section]
        header = [*CHAIN_HEADER, *titles]
        ordered = queryset.order_by("-pk" if newest else "pk").iterator(chunk_size=500)
        rows = ([*_chain_cells(r), *cells(r)] for r in ordered)
        return _export(request, fmt, f"suministro-{section}", header, rows)
    page = selectors.report_page(queryset, after=_after(request), size=PAGE_SIZE, newest=newest)
    context = {
        "entity": request.entity,
        "tab": "payer_reports",
        "section": section,
        "sections": allowed,
        "form": form,
        "page": page,
        "next": request.get_full_path(),
    }
    return render(request, "supply/payer/reports.html", context)


@entity_permission_required(SUMINISTRO)
@require_http_methods(["GET", "POST"])
def suministro(request, deliverable_id):
    """The payer's report of the supply of a delivered deliverable."""
    deliverable, entrega = selectors.payer_deliverable_get(entity=request.entity, pk=deliverable_id)
    back = _back(request, _url("payer_reports", request) + "?seccion=suministro")
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
    back = _back(request, _url("payer_reports", request) + "?seccion=facturados")
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


# ---------------------------------------------------------------------------------------
# «Pendientes por paciente»

PENDING_HEADER = [
    gettext_lazy("Fecha máxima de entrega"),
    gettext_lazy("Semáforo"),
    gettext_lazy("Número de prescripción"),
    gettext_lazy("Tecnología"),
    gettext_lazy("Entrega"),
    gettext_lazy("ID"),
    gettext_lazy("Proveedor"),
    gettext_lazy("Cantidad"),
    gettext_lazy("Paso alcanzado"),
]


@entity_permission_required(DIRECT)
@require_GET
def patient_pending(request):
    """A patient's deliveries this entity directed and nobody delivered yet, by FecMaxEnt,
    with the deadline light."""
    form = PatientSearchForm(request.GET or None)
    rows = None
    if form.is_bound and form.is_valid():
        rows = selectors.patient_pending_list(entity=request.entity, **form.cleaned_data)
        for row in rows:
            row.step_text = selectors.step_label(row.step)
        if fmt := _export_format(request):
            data = (
                [
                    r.direccionamiento.max_delivery_date,
                    r.light[1],
                    r.direccionamiento.deliverable.prescription.number,
                    r.direccionamiento.deliverable.line.key,
                    r.direccionamiento.deliverable.delivery_label,
                    r.direccionamiento.deliverable_id,
                    r.direccionamiento.provider.name,
                    r.direccionamiento.quantity,
                    r.step_text,
                ]
                for r in rows
            )
            header = PENDING_HEADER
            return _export(request, fmt, "pendientes-paciente", header, data)
    context = {
        "entity": request.entity,
        "tab": "patient_pending",
        "form": form,
        "rows": rows,
        "next": request.get_full_path(),
    }
    return render(request, "supply/payer/patient_pending.html", context)
