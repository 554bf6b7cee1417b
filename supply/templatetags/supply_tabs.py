"""The supply module's tabs, by what the user may do in the entity, written in Python: every
worklist shows them, and as template tags (a `{% url %}`, a `{% translate %}` and a
permission test per tab) they cost more than a worklist's own queries. Each worklist's
template passes its own tab's name to mark it active."""

from functools import cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..services.common import (
    DATOS_FACTURADOS,
    DIRECT,
    DISPENSE,
    INVOICE,
    PROGRAM,
    REPORT,
    SUMINISTRO,
)

register = template.Library()

# (tab and URL name, label, permissions of which any shows the tab), in the tabs' order.
TABS = [
    ("to_direct", _("Por direccionar"), {DIRECT}),
    ("directed", _("Direccionados"), {DIRECT}),
    ("payer_reports", _("Suministro y datos facturados"), {SUMINISTRO, DATOS_FACTURADOS}),
    ("patient_pending", _("Pendientes por paciente"), {DIRECT}),
    ("to_program", _("Por programar"), {PROGRAM}),
    ("to_deliver", _("Por entregar"), {DISPENSE}),
    ("lookup", _("Buscar prescripción"), {DISPENSE}),
    ("to_report", _("Por reportar"), {REPORT}),
    ("to_invoice", _("Por facturar"), {INVOICE}),
]
MARKER = "00000000-0000-0000-0000-000000000000"


@cache
def _url_pattern(name: str, prefix: str) -> str:
    """A tab's URL with MARKER for the entity (the prefix keys the cache: reverse() uses it)."""
    return reverse(f"supply:{name}", args=[MARKER])


@register.simple_tag(takes_context=True)
def supply_tabs(context, active: str) -> str:
    request = context["request"]
    perms = request.entity_perms
    entity = str(request.entity.external_id)
    prefix = get_script_prefix()
    items = []
    for name, label, needs in TABS:
        if perms.isdisjoint(needs):
            continue
        url = _url_pattern(name, prefix).replace(MARKER, entity)
        css = "nav-link active" if name == active else "nav-link"
        items.append(f'<li class="nav-item"><a class="{css}" href="{url}">{escape(label)}</a></li>')
    return mark_safe(f'<ul class="nav nav-tabs mb-3 flex-wrap">{"".join(items)}</ul>')
