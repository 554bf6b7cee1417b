"""The rows of the payer's worklists (`supply.views.payer`), written out as HTML in
Python, and the rows and headers of their CSV and XLSX exports."""

from decimal import Decimal
from functools import cache, cached_property
from html import escape
from operator import attrgetter
from urllib.parse import quote

from django.template import engines
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

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
from .provider import escape_rows, link

PK_MARKER = 2**31 - 1  # reversed in place of a pk, then replaced by each row's


def payer_url(name: str, request, *args) -> str:
    return link(name, request.entity.external_id, *args)


# ---------------------------------------------------------------------------------------
# Rows written out in Python: the template engine costs ~0.45 ms a row (25 rows: more than
# every query of the page); string formatting, a few microseconds. Every value is escaped
# with `html.escape` (what `django.utils.html.escape` calls on a str after a check for lazy
# strings), a page's values in one go (`escape_rows`). The words the rows repeat are
# translated once per language (`@cache` on the language): a gettext call costs ~7 µs
# here, as these Spanish msgids fall through the six catalogs chained behind the project's
# own; and the links are reversed once per process (`provider.link`).


@cache
def _choices(enum, language: str) -> dict:
    return {value: str(label) for value, label in enum.choices}


def _labels(enum) -> dict:
    """`enum`'s values and their labels in the current language."""
    return _choices(enum, get_language())


@cache
def step_labels_of(language: str) -> dict:
    return selectors.step_labels()


@cache
def _cell_words(language: str) -> tuple[str, str]:
    return _("entrega"), _("Anular")


# A chain row's texts (`escape_rows`): the prescription, the line and the patient.
_CHAIN_TEXTS = attrgetter("number", "line_key", "patient_name", "document_type", "document_number")


class _Cells:
    """What a page's rows share: the beginnings of their links, the page's own address for
    the «next» of the forms they open, the language, the number format of the locale and
    the words every row repeats."""

    def __init__(self, request):
        self.request = request
        self.language = get_language()
        self.prefix = get_script_prefix()
        self.entity = request.entity.external_id
        self.perms = request.entity_perms
        self.prescription = self._link("prescription", "0").removesuffix("0/")
        self.separator = get_format("DECIMAL_SEPARATOR", self.language)
        self.delivery_word, self.annul_word = _cell_words(self.language)

    def _link(self, name: str, *args) -> str:
        return link(name, self.entity, *args, prefix=self.prefix)

    @cached_property
    def annul(self) -> str:
        return self._link("annul", "x", 0).removesuffix("x/0/")

    @cached_property
    def next(self) -> str:
        return escape(quote(self.request.get_full_path(), safe="/"))

    @cached_property
    def zone(self):
        return timezone.get_current_timezone()

    def pk_link(self, name: str):
        """The link to `name`, which takes a pk after the entity, as a function of the pk."""
        head, tail = self._link(name, PK_MARKER).split(f"/{PK_MARKER}/")
        return f"{head}/{{}}/{tail}".format

    def quantity(self, value: Decimal) -> str:
        """As `floatformat:"-3"` writes it: «2», «2,500»."""
        if value == value.to_integral_value():
            return f"{value:.0f}"
        return f"{value:.3f}".replace(".", self.separator)

    def decimal(self, value: Decimal) -> str:
        """As the template writes a Decimal: «1500,00»."""
        return f"{value:f}".replace(".", self.separator)

    def number_link(self, number: str) -> str:
        """The prescription's number (escaped), linking to its supply timeline."""
        return f'<a class="font-monospace" href="{self.prescription}{number}/">{number}</a>'

    def delivery(self, number: str, line_key: str, row) -> str:
        """The prescription, its line (both escaped) and the delivery (ID) of a row."""
        return (
            f'<td class="small text-nowrap">{self.number_link(number)}'
            f'<div><span class="badge text-bg-light border">{line_key}</span> '
            f"{self.delivery_word} {row.delivery_label}</div></td>"
        )

    def local(self, moment) -> str:
        """An aware datetime as «Y-m-d H:i» in the current time zone (an aware datetime's
        isoformat() costs more, working its offset out again)."""
        moment = moment.astimezone(self.zone)
        return f"{moment.date().isoformat()} {moment.time().isoformat('minutes')}"

    def local_date(self, moment) -> str:
        """An aware datetime's date («Y-m-d») in the current time zone."""
        return moment.astimezone(self.zone).date().isoformat()

    def annul_link(self, kind: str, pk: int) -> str:
        return (
            f'<a class="btn btn-sm btn-outline-danger" href="{self.annul}{kind}/{pk}/'
            f'?next={self.next}">{self.annul_word}</a>'
        )


def _patient_cell(patient_name: str, document_type: str, document_number: str) -> str:
    """The patient's cell (the texts escaped)."""
    return (
        f'<td class="small">{patient_name}<div class="text-muted">'
        f"{document_type} {document_number}</div></td>"
    )


# ---------------------------------------------------------------------------------------
# «Por direccionar»


def line_export_rows(rows, codes: dict[int, str]):
    care, kinds = _labels(CareSetting), _labels(TechnologyType)
    supply, junta = _labels(SupplyType), _labels(JuntaStatus)
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


def _short(text: str, length: int = 70) -> str:
    """As `truncatechars` cuts: `length` characters with the ellipsis."""
    return text if len(text) <= length else f"{text[: length - 1]}…"


@cache
def _line_words(language: str) -> dict:
    """What the rows of «Por direccionar» say: the Junta column by EstJM, the actions, and
    why a line cannot be directed."""
    unreachable = {
        status: escape(
            _("No direccionable: %(reason)s") % {"reason": selectors.junta_block(status)}
        )
        for status in (JuntaStatus.PENDIENTE, JuntaStatus.NO_APROBADA)
    }
    return {
        "junta": {
            JuntaStatus.NO_REQUIERE: _("No requiere"),
            JuntaStatus.APROBADA: f'<span class="badge text-bg-success">{_("Aprobada")}</span>',
            JuntaStatus.PENDIENTE: '<span class="badge text-bg-warning">'
            f"{_('Pendiente de junta')}</span>",
            JuntaStatus.NO_APROBADA: '<span class="badge text-bg-danger">'
            f"{_('No aprobada por la junta')}</span>",
        },
        "direct": _("Direccionar"),
        "no_direct": _("No direccionar"),
        "include": _("Incluir en procedimiento"),
        "blocked": unreachable,
    }


def line_rows_html(request, rows, codes: dict[int, str]) -> SafeString:
    """The rows of «Por direccionar»; `codes` names the códigos EPS."""
    cells = _Cells(request)
    language = cells.language
    words = _line_words(language)
    care, supply = _choices(CareSetting, language), _choices(SupplyType, language)
    junta = words["junta"]
    direct_url = cells.pk_link("direct")
    no_direct_url = cells.pk_link("no_direct")
    include_url = cells.pk_link("include")
    may_no_direct = NO_DIRECT in cells.perms

    def texts(row) -> tuple:
        return (
            row.number,
            row.patient_name,
            row.document_type,
            row.document_number,
            _short(row.label),
            codes.get(row.payer_code_id) or "",
        )

    parts = []
    for row, (number, *patient, label, code) in zip(rows, escape_rows(rows, texts), strict=True):
        prescribed = cells.local_date(row.prescribed_at)
        code = f" · {code}" if code else ""
        if row.can_direct:
            actions = (
                f'<a class="btn btn-sm btn-primary" href="{direct_url(row.pk)}">'
                f"{words['direct']}</a>"
            )
            if may_no_direct:
                actions += (
                    f' <a class="btn btn-sm btn-outline-secondary" '
                    f'href="{no_direct_url(row.pk)}">{words["no_direct"]}</a>'
                )
            if row.can_include:
                actions += (
                    f' <a class="btn btn-sm btn-outline-secondary" '
                    f'href="{include_url(row.pk)}">{words["include"]}</a>'
                )
        else:
            reason = words["blocked"][row.junta_status]
            actions = f'<span class="small text-muted">{reason}</span>'
        parts.append(
            f'<tr data-line="{row.pk}">'
            f'<td class="small text-nowrap">{cells.number_link(number)}'
            f'<div class="text-muted">{prescribed} · {care.get(row.care_setting, "")}{code}'
            "</div></td>"
            f"{_patient_cell(*patient)}"
            f'<td class="small"><span class="badge text-bg-light border">{row.key}</span> '
            f"{label}"
            f'<div class="text-muted">{supply.get(row.supply_type, "")}</div></td>'
            f'<td class="text-end">{cells.quantity(row.total_quantity)}</td>'
            f'<td class="text-end">{cells.quantity(row.assigned)}</td>'
            f'<td class="text-end fw-semibold">{cells.quantity(row.remaining)}</td>'
            f'<td class="small">{junta.get(row.junta_status, "")}</td>'
            f'<td class="text-nowrap">{actions}</td>'
            "</tr>\n"
        )
    return mark_safe("".join(parts))  # every value above is escaped


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
    statuses, steps = _labels(StepStatus), step_labels_of(get_language())
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


@cache
def _directed_words(language: str) -> tuple[str, str, dict]:
    return _("Historial"), _("Dir."), step_labels_of(language)


def directed_rows_html(request, rows, providers: dict[int, str]) -> SafeString:
    """The rows of «Direccionados»: «Anular» on the active ones (the list holds only the
    direccionamientos this entity recorded). `providers` names the proveedores."""
    cells = _Cells(request)
    providers = selectors.entity_names((row.data["provider_id"] for row in rows), providers)
    may_annul = DIRECT in cells.perms
    history, directed_word, steps = _directed_words(cells.language)

    def texts(row) -> tuple:
        return (*_CHAIN_TEXTS(row), providers[row.data["provider_id"]])

    parts = []
    for row, (number, line_key, *patient, provider) in zip(
        rows, escape_rows(rows, texts), strict=True
    ):
        data = row.data
        annul = ""
        if data["status"] == StepStatus.ACTIVO and may_annul:
            annul = " " + cells.annul_link("direccionamiento", row.pk)
        parts.append(
            f'<tr data-direccionamiento="{row.pk}">'
            f'<td class="small text-nowrap">ID {row.deliverable_id}'
            f'<div class="text-muted">{directed_word} {row.pk}</div></td>'
            f"{cells.delivery(number, line_key, row)}"
            f"{_patient_cell(*patient)}"
            f'<td class="small">{provider}</td>'
            f'<td class="text-end">{cells.quantity(data["quantity"])}</td>'
            f'<td class="small text-nowrap">{data["max_delivery_date"].isoformat()}</td>'
            f'<td class="small text-nowrap">{cells.local(data["created_at"])}</td>'
            f'<td><span class="badge {STEP_BADGES.get(data["status"], "text-bg-success")}" '
            f'data-step="{row.step}">{steps[row.step]}</span></td>'
            f'<td class="text-nowrap"><a class="btn btn-sm btn-outline-secondary" '
            f'href="{cells.prescription}{number}/">{history}</a>{annul}</td>'
            "</tr>\n"
        )
    return mark_safe("".join(parts))  # every value above is escaped


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


@cache
def _report_words(language: str) -> dict:
    return {
        True: (_("total"), _("completa")),
        False: (_("parcial"), _("incompleta")),
        "ambito": _("en ámbito"),
        "cause": _("causa"),
        "last": _("última"),
        "suministro": _("Reportar suministro"),
        "facturados": _("Datos facturados"),
    }


# What a section's rows show of their record besides the chain (`escape_rows`).
_REPORT_TEXTS = {
    "suministro": lambda data: (data["entity_name"],),
    "facturados": lambda data: (data["entity_name"], data["invoice_number"]),
    "suministros": lambda data: (data["cause_code"] or "",),
    "datos": lambda data: (),
}


def report_rows_html(request, section: str, rows) -> SafeString:
    """The rows of a section of «Suministro y datos facturados»: the action on each record
    (report the suministro, register the datos facturados) or its annulment."""
    cells = _Cells(request)
    words = _report_words(cells.language)
    if section == "suministro":
        target, label = cells.pk_link("suministro"), words["suministro"]
    elif section == "facturados":
        target, label = cells.pk_link("datos_facturados"), words["facturados"]
    comparators = _choices(ComparatorKind, cells.language)
    may_annul = {
        "suministros": SUMINISTRO in cells.perms,
        "datos": DATOS_FACTURADOS in cells.perms,
    }.get(section, False)
    own_texts = _REPORT_TEXTS[section]

    def texts(row) -> tuple:
        return (*_CHAIN_TEXTS(row), *own_texts(row.data))

    parts = []
    escaped = escape_rows(rows, texts)
    for row, (number, line_key, *patient_and_own) in zip(rows, escaped, strict=True):
        patient, own_values = patient_and_own[:3], patient_and_own[3:]
        data = row.data
        if section == "suministro":
            (entity_name,) = own_values
            how = words[bool(data["total"])][0]
            if data["in_ambito"]:
                how += f" · {words['ambito']}"
            own = (
                f'<td class="small">{entity_name}</td>'
                f'<td class="small text-nowrap">{data["delivered_on"].isoformat()} · {how}</td>'
                f'<td class="text-end">{cells.quantity(data["quantity"])}</td>'
                f'<td><a class="btn btn-sm btn-primary" href="{target(row.deliverable_id)}'
                f'?next={cells.next}">{label}</a></td>'
            )
        elif section == "facturados":
            entity_name, invoice_number = own_values
            own = (
                f'<td class="small">{entity_name}</td>'
                f'<td class="small">{invoice_number}</td>'
                f'<td class="text-end">{cells.decimal(data["total_value"])}</td>'
                f'<td><a class="btn btn-sm btn-primary" href="{target(row.pk)}'
                f'?next={cells.next}">{label}</a></td>'
            )
        elif section == "suministros":
            (cause_code,) = own_values
            how = words[bool(data["complete"])][1]
            if not data["complete"] and cause_code:
                how += f" · {words['cause']} {cause_code}"
            if data["last_delivery"]:
                how += f" · {words['last']}"
            annul = cells.annul_link("suministro", row.pk) if may_annul else ""
            own = (
                f'<td class="small text-nowrap">{cells.local(data["created_at"])}</td>'
                f'<td class="small">{how}</td>'
                f'<td class="text-end">{cells.quantity(data["quantity"])} / '
                f"{cells.decimal(data['value'])}</td>"
                f"<td>{annul}</td>"
            )
        else:
            annul = cells.annul_link("datos-facturados", row.pk) if may_annul else ""
            own = (
                f'<td class="small text-nowrap">{cells.local(data["created_at"])}</td>'
                f'<td class="small">{comparators.get(data["comparator"], "")}</td>'
                f'<td class="text-end">{cells.quantity(data["total_delivered"])}</td>'
                f"<td>{annul}</td>"
            )
        parts.append(
            f'<tr data-record="{row.pk}">'
            f'<td class="small text-nowrap">ID {row.deliverable_id}</td>'
            f"{cells.delivery(number, line_key, row)}{_patient_cell(*patient)}{own}</tr>\n"
        )
    return mark_safe("".join(parts))  # every value above is escaped


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
    html = (
        engines["jinja2"]
        .get_template("supply/payer/pending_rows.html")
        .render(
            {
                "rows": rows,
                "steps": step_labels_of(cells.language),
                "may_direct": DIRECT in cells.perms,
                "active": StepStatus.ACTIVO,
                "prescription_prefix": cells.prescription,
                "annul_prefix": cells.annul,
                "next": quote(request.get_full_path(), safe="/"),
                "to_direct": cells._link("to_direct"),
            }
        )
    )
    return mark_safe(html)  # the Jinja2 template escaped every value
