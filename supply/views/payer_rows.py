"""The rows of the payer's worklists (`supply.views.payer`), from their Jinja2 templates
(templates/jinja2/supply/payer/), and the rows and headers of their CSV and XLSX exports."""

from urllib.parse import quote

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mipres.jinja_env import render_fragment
from mipres.lib.choices import choice_labels
from prescriptions.enums import CareSetting, JuntaStatus, SupplyType, TechnologyType

from ..models import StepStatus
from ..models.chain import ComparatorKind
from ..selectors import payer as selectors
from ..services.common import (
    DATOS_FACTURADOS,
    DIRECT,
    NO_DIRECT,
    SUMINISTRO,
)
from .provider import link

PK_MARKER = 2**31 - 1  # reversed in place of a pk, then replaced by each row's


def payer_url(name: str, request, *args) -> str:
    return link(name, request.entity.external_id, *args)


# The rows are Jinja2 templates (templates/jinja2/supply/payer/); what they share is
# worked out here once per page.


class _Cells:
    """What a page's rows share: the beginnings of their links and the permissions."""

    def __init__(self, request):
        self.entity = request.entity.external_id
        self.perms = request.entity_perms
        self.prescription = self._link("prescription", "0").removesuffix("0/")
        self.annul = self._link("annul", "x", 0).removesuffix("x/0/")

    def _link(self, name: str, *args) -> str:
        return link(name, self.entity, *args)

    def pk_link(self, name: str):
        """The link to `name`, which takes a pk after the entity, as a function of the pk."""
        head, tail = self._link(name, PK_MARKER).split(f"/{PK_MARKER}/")
        return f"{head}/{{}}/{tail}".format

    def link_to(self, name: str) -> str:
        return self._link(name)


# ---------------------------------------------------------------------------------------
# «Por direccionar»


def line_export_rows(rows, codes: dict[int, str]):
    care, kinds = choice_labels(CareSetting), choice_labels(TechnologyType)
    supply, junta = choice_labels(SupplyType), choice_labels(JuntaStatus)
    blocked = {status: selectors.junta_block(status) for status in JuntaStatus}
    for row in rows:
        yield [
            row.number,
            row.prescribed_at,
            row.document_type,
            row.document_number,
            row.patient_name,
            codes.get(row.payer_code_id, ""),
            care.get(row.care_setting, ""),
            kinds.get(row.technology_type, ""),
            row.key,
            row.label,
            supply.get(row.supply_type, ""),
            row.total_quantity,
            row.assigned,
            row.remaining,
            junta.get(row.junta_status, ""),
            blocked.get(row.junta_status, ""),
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


def _render(request, kind: str, rows, **context) -> SafeString:
    """`rows` from templates/jinja2/supply/payer/rows.html, with what every kind shares:
    the beginnings of the links, this page's address for their «next», the permissions."""
    cells = _Cells(request)
    return render_fragment(
        "supply/payer/rows.html",
        {
            "kind": kind,
            "rows": rows,
            "prescription_prefix": cells.prescription,
            "annul_prefix": cells.annul,
            "next": quote(request.get_full_path(), safe="/"),
            **context,
        },
    )


def line_rows_html(request, rows, codes: dict[int, str]) -> SafeString:
    """The rows of «Por direccionar»; `codes` names the códigos EPS."""
    cells = _Cells(request)
    blocked = {
        status: _("No direccionable: %(reason)s") % {"reason": selectors.junta_block(status)}
        for status in (JuntaStatus.PENDIENTE, JuntaStatus.NO_APROBADA)
    }
    junta = {
        JuntaStatus.NO_REQUIERE: ("", _("No requiere")),
        JuntaStatus.APROBADA: ("text-bg-success", _("Aprobada")),
        JuntaStatus.PENDIENTE: ("text-bg-warning", _("Pendiente de junta")),
        JuntaStatus.NO_APROBADA: ("text-bg-danger", _("No aprobada por la junta")),
    }
    return _render(
        request,
        "lines",
        rows,
        codes=codes,
        care=choice_labels(CareSetting),
        supply=choice_labels(SupplyType),
        junta=junta,
        blocked=blocked,
        direct_url=cells.pk_link("direct"),
        no_direct_url=cells.pk_link("no_direct"),
        include_url=cells.pk_link("include"),
        may_no_direct=NO_DIRECT in cells.perms,
    )


# What the exports of the chain's records share: the prescription, the line, the delivery
# and the patient.
DELIVERY_HEADER = [
    gettext_lazy("Número de prescripción"),
    gettext_lazy("Tecnología"),
    gettext_lazy("Entrega"),
    gettext_lazy("Tipo de documento del paciente"),
    gettext_lazy("Número de documento del paciente"),
    gettext_lazy("Paciente"),
]


def _delivery_cells(row) -> list:
    return [
        row.number,
        row.line_key,
        row.delivery_label,
        row.document_type,
        row.document_number,
        row.patient_name,
    ]


# ---------------------------------------------------------------------------------------
# «Direccionados»


DIRECTED_HEADER = [
    gettext_lazy("ID"),
    gettext_lazy("IdDireccionamiento"),
    *DELIVERY_HEADER,
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


def directed_export_rows(rows):
    statuses, steps = choice_labels(StepStatus), selectors.step_labels()
    for row in rows:
        data = row.data
        yield [
            row.deliverable_id,
            row.pk,
            *_delivery_cells(row),
            data["provider_name"],
            data["provider_nit"],
            data["municipality_id"],
            data["quantity"],
            data["max_delivery_date"],
            data["technology_code"],
            data["created_at"],
            statuses.get(data["status"], ""),
            steps[row.step],
        ]


STEP_BADGES = {
    StepStatus.ANULADO: "text-bg-secondary",
    StepStatus.ACTIVO: "text-bg-primary",
    StepStatus.PROCESADO: "text-bg-success",
}


def directed_rows_html(request, rows, providers: dict[int, str]) -> SafeString:
    """The rows of «Direccionados»: «Anular» on the active ones (the list holds only the
    direccionamientos this entity recorded). `providers` names the proveedores."""
    return _render(
        request,
        "directed",
        rows,
        providers=selectors.entity_names((row.data["provider_id"] for row in rows), providers),
        may_annul=DIRECT in request.entity_perms,
        steps=selectors.step_labels(),
        step_badges=STEP_BADGES,
        active=StepStatus.ACTIVO,
    )


def chain_cells(row):
    return [row.deliverable_id, *_delivery_cells(row)]


CHAIN_HEADER = [gettext_lazy("ID"), *DELIVERY_HEADER]
SECTION_EXPORTS = {
    "suministro": (
        [
            gettext_lazy("IdEntrega"),
            gettext_lazy("Proveedor"),
            gettext_lazy("Fecha de entrega"),
            gettext_lazy("Cantidad entregada"),
            gettext_lazy("Entrega total"),
        ],
        ("pk", "entity_name", "delivered_on", "quantity", "total"),
    ),
    "facturados": (
        [
            gettext_lazy("IdFacturacion"),
            gettext_lazy("Proveedor"),
            gettext_lazy("Factura"),
            gettext_lazy("Unidades"),
            gettext_lazy("Valor total facturado"),
        ],
        ("pk", "entity_name", "invoice_number", "units", "total_value"),
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
        ("pk", "created_at", "last_delivery", "complete", "quantity", "value"),
    ),
    "datos": (
        [
            gettext_lazy("IdDatosFacturado"),
            gettext_lazy("Fecha"),
            gettext_lazy("CompAdm"),
            gettext_lazy("Cantidad total entregada"),
        ],
        ("pk", "created_at", "comparator", "total_delivered"),
    ),
}
SECTION_TITLES = {
    "suministro": gettext_lazy("Por reportar suministro"),
    "facturados": gettext_lazy("Por registrar datos facturados"),
    "suministros": gettext_lazy("Suministros reportados"),
    "datos": gettext_lazy("Datos facturados registrados"),
}


def report_rows_html(request, section: str, rows) -> SafeString:
    """The rows of a section of «Suministro y datos facturados»: the action on each record
    (report the suministro, register the datos facturados) or its annulment."""
    cells = _Cells(request)
    targets = {"suministro": "suministro", "facturados": "datos_facturados"}
    perms = {"suministros": SUMINISTRO, "datos": DATOS_FACTURADOS}
    return _render(
        request,
        section,
        rows,
        target=cells.pk_link(targets[section]) if section in targets else None,
        may_annul=section in perms and perms[section] in cells.perms,
        comparators=choice_labels(ComparatorKind),
    )


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


def pending_rows_html(request, rows) -> SafeString:
    """The rows of «Pendientes por paciente», from their Jinja2 template."""
    cells = _Cells(request)
    return render_fragment(
        "supply/payer/pending_rows.html",
        {
            "rows": rows,
            "steps": selectors.step_labels(),
            "may_direct": DIRECT in cells.perms,
            "active": StepStatus.ACTIVO,
            "prescription_prefix": cells.prescription,
            "annul_prefix": cells.annul,
            "next": quote(request.get_full_path(), safe="/"),
            "to_direct": cells.link_to("to_direct"),
        },
    )
