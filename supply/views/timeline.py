"""A prescription's supply chains, for every supply actor that may see them."""

from functools import cache, lru_cache
from html import escape
from urllib.parse import quote

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from entities.decorators import entity_any_permission_required
from entities.models import Entity
from mipres.lib.frames import render_framed
from prescriptions.enums import SupplyType, TechnologyType

from ..models import StepStatus
from ..selectors.kinds import KIND_LABELS
from ..selectors.timeline import LineSupply, Step, prescription_supply_get
from .annul import ALL_SUPPLY_PERMS

STATUS_CSS = {
    StepStatus.ANULADO: "text-bg-secondary",
    StepStatus.ACTIVO: "text-bg-primary",
    StepStatus.PROCESADO: "text-bg-success",
}


@entity_any_permission_required(*ALL_SUPPLY_PERMS)
@require_GET
def prescription_supply(request, number):
    """The prescription's lines and, per delivery, the chain of steps (timeline)."""
    prescription, timeline = prescription_supply_get(
        number=number, viewer=request.entity, perms=request.entity_perms
    )
    context = {
        "entity": request.entity,
        "prescription": prescription,
        "timeline_html": timeline_html(
            timeline, entity=request.entity, next_url=request.get_full_path()
        ),
    }
    return render_framed(request, "supply/prescription.html", context)


@lru_cache(maxsize=4096)
def _quantity(value, language: str | None) -> str:
    """A quantity as `floatformat:"-3"` writes it in `language` (the same few quantities
    recur on every step of a chain; equal decimals are written alike)."""
    return escape(floatformat(value, "-3"))


@cache
def _texts(language: str | None) -> dict:
    """The page's words in `language`, translated once (a gettext call costs more than the
    markup of a step)."""
    words = {
        "a": _("a"),
        "cantidad": _("cantidad"),
        "fecha máxima": _("fecha máxima"),
        "sede": _("sede"),
        "en ámbito": _("en ámbito"),
        "total": _("total"),
        "parcial": _("parcial"),
        "causa": _("causa"),
        "lote": _("lote"),
        "entregado": _("entregado"),
        "se entregó": _("se entregó"),
        "no se entregó": _("no se entregó"),
        "valor": _("valor"),
        "factura": _("factura"),
        "por": _("por"),
        "Anulado": _("Anulado"),
        "Anular": _("Anular"),
        "Entrega": _("Entrega"),
        "No direccionamiento": _("No direccionamiento"),
        "cantidad total": _("cantidad total"),
        "empty line": _("Sin direccionamientos ni entregas."),
        "empty": _("Sin registros de suministro."),
        "Suministro": _("Suministro"),
        "procedure": _(
            "Se entrega con el procedimiento %(procedure)s: no se direcciona ni se reporta "
            "por separado."
        ),
    }
    words.update({kind: str(label) for kind, label in KIND_LABELS.items()})
    words.update({status: str(status.label) for status in StepStatus})
    # A line's types (get_FOO_display() builds the choices' dict on every call).
    words.update({("type", value): str(label) for value, label in TechnologyType.choices})
    words.update({("supply", value): str(label) for value, label in SupplyType.choices})
    return words


class _Renderer:
    """The timeline as HTML, built here rather than in a template: the template engine
    took ~0.45 ms a step. Every value is escaped (html.escape: what Django's escape()
    calls, without its lazy-string wrapper)."""

    def __init__(self, *, entity: Entity, next_url: str | None):
        self.language = get_language()
        self.t = _texts(self.language)
        self.tz = timezone.get_current_timezone()
        # One reverse() per page: a step's annulment page is this prefix, its kind and id.
        marker = reverse("supply:annul", args=[entity.external_id, "kind", 0])
        self.annul_prefix = marker.removesuffix("kind/0/")
        self.next = f"?next={quote(next_url, safe='/')}" if next_url else ""

    def quantity(self, value) -> str:
        return _quantity(value, self.language)

    def amount(self, value) -> str:
        """An amount as `{{ value }}` writes it."""
        return escape(localize(value))

    def when(self, value) -> str:
        """`|date:"Y-m-d H:i"` in the current time zone."""
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def annul_link(self, step: Step, css: str) -> str:
        if not step.can_annul:
            return ""
        href = escape(f"{self.annul_prefix}{step.kind}/{step.pk}/{self.next}")
        return f'<a class="btn btn-sm btn-outline-danger{css}" href="{href}">{self.t["Anular"]}</a>'

    def line_record(self, step: Step, text: str) -> str:
        if step.annulled:
            text = f'<s>{text}</s> <span class="badge text-bg-secondary">{self.t["Anulado"]}</span>'
        return f'<p class="mb-2 small">{text} {self.annul_link(step, " ms-2")}</p>\n'

    def procedure_supply(self, step: Step) -> str:
        return self.line_record(step, self.t["procedure"] % {"procedure": escape(step.ref_code)})

    def no_direccionamiento(self, step: Step) -> str:
        t = self.t
        text = (
            f"{t['No direccionamiento']} {step.pk} · {t['causa']} {escape(step.ref_code)} – "
            f"{escape(step.ref_name)} · {self.when(step.created_at)}"
        )
        return self.line_record(step, text)

    def details(self, step: Step) -> str:
        """What the timeline says of a step beyond its date and who recorded it."""
        t, kind = self.t, step.kind
        if kind == "direccionamiento":
            return (
                f" · {t['a']} {escape(step.ref_code)} · {t['cantidad']} "
                f"{self.quantity(step.number)} · {t['fecha máxima']} {step.date:%Y-%m-%d}"
            )
        if kind == "programacion":
            return (
                f" · {t['sede']} {escape(step.ref_code)} – {escape(step.ref_name)}"
                f" · {t['cantidad']} {self.quantity(step.number)}"
            )
        if kind == "entrega":
            ambito = f" · {t['en ámbito']}" if step.flag1 else ""
            total = t["total"] if step.flag2 else t["parcial"]
            cause = f" · {t['causa']} {escape(step.ref_code)}" if step.ref else ""
            batch = f" · {t['lote']} {escape(step.text2)}" if step.text2 else ""
            return (
                f"{ambito} · {t['entregado']} {self.quantity(step.number)} ({total})"
                f" · {step.date:%Y-%m-%d}{cause}{batch}"
            )
        if kind == "reporte":
            delivered = t["se entregó"] if step.flag1 else t["no se entregó"]
            return f" · {delivered} · {t['valor']} {self.amount(step.number)}"
        if kind == "facturacion":
            return (
                f" · {t['factura']} {escape(step.text1)} · {t['total']} {self.amount(step.number)}"
            )
        if kind == "suministro":
            return f" · {t['cantidad']} {self.quantity(step.number)}"
        return ""

    def step(self, step: Step) -> str:
        t = self.t
        by = f" · {escape(step.created_by_name)}" if step.created_by_name else ""
        annulment = ""
        if step.annulled:
            who = f" {t['por']} {escape(step.annulled_by_name)}" if step.annulled_by_name else ""
            annulment = (
                f'<div class="small text-danger">{t["Anulado"]} {self.when(step.annulled_at)}'
                f"{who}: {escape(step.annulment_reason)}</div>"
            )
        return (
            '<li class="list-group-item d-flex justify-content-between align-items-start '
            f'supply-step" data-kind="{step.kind}" data-status="{step.status}">'
            f'<div class="ms-2 me-auto"><div class="fw-semibold">{t[step.kind]} {step.pk} '
            f'<span class="badge {STATUS_CSS[step.status]}">{t[step.status]}</span></div>'
            f'<div class="small">{self.when(step.created_at)} · {escape(step.entity_name)}{by}'
            f"{self.details(step)}</div>{annulment}</div>{self.annul_link(step, '')}</li>\n"
        )

    def line(self, supply: LineSupply) -> str:
        t, line = self.t, supply.line
        parts = [self.procedure_supply(step) for step in supply.procedure_supplies]
        parts += [self.no_direccionamiento(step) for step in supply.no_direccionamientos]
        for chain in supply.deliveries:
            steps = "".join(self.step(step) for step in chain.steps)
            parts.append(
                f'<h3 class="h6 mt-2">{t["Entrega"]} {chain.delivery_label} '
                f'<span class="text-muted small">· ID {chain.deliverable_id}</span></h3>\n'
                f'<ol class="list-group list-group-numbered mb-2">\n{steps}</ol>\n'
            )
        if not parts:
            parts.append(f'<p class="text-muted small mb-0">{t["empty line"]}</p>')
        key = escape(line.key)
        return (
            f'<div class="card mb-3 supply-line" data-line="{key}">\n'
            f'<div class="card-header"><strong>{key}</strong> · '
            f"{escape(t['type', line.technology_type])} · {t['cantidad total']} "
            f"{self.quantity(line.total_quantity)} · "
            f"{escape(t['supply', line.supply_type])}</div>\n"
            f'<div class="card-body">\n{"".join(parts)}</div>\n</div>\n'
        )


def timeline_html(timeline: list[LineSupply], *, entity: Entity, next_url=None) -> SafeString:
    """The "Suministro" section of a prescription (supply.selectors.timeline); "Anular"
    links return to `next_url`."""
    renderer = _Renderer(entity=entity, next_url=next_url)
    body = "".join(renderer.line(supply) for supply in timeline)
    if not body:
        body = f'<p class="text-muted">{renderer.t["empty"]}</p>\n'
    return mark_safe(  # every value above is escaped
        '<section class="mb-4" aria-labelledby="supply-title">\n'
        f'<h2 class="h5" id="supply-title">{renderer.t["Suministro"]}</h2>\n{body}</section>\n'
    )
