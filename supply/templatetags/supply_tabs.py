"""The supply module's tabs, by what the user may do in the entity, written in Python: every
worklist shows them, and as template tags (a `{% url %}`, a `{% translate %}` and a
permission test per tab) they cost more than a worklist's own queries; each URL is reversed
once per process (`mipres.lib.urls`). Each worklist's
template passes its own tab's name to mark it active."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mipres.lib.urls import url_for

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
    ("payer_pendientes", _("Pendientes y reportes por proveedor"), {DIRECT}),
    ("to_program", _("Por programar"), {PROGRAM}),
    ("to_deliver", _("Por entregar"), {DISPENSE}),
    ("pendientes", _("Pendientes (48 h)"), {DISPENSE}),
    ("lookup", _("Buscar prescripción"), {DISPENSE}),
    ("to_report", _("Por reportar"), {REPORT}),
    ("late_reports", _("Reportes tardíos (8 días)"), {REPORT}),
    ("to_invoice", _("Por facturar"), {INVOICE}),
]


@register.simple_tag(takes_context=True)
def supply_tabs(context, active: str) -> str:
    request = context["request"]
    key = (get_language(), get_script_prefix(), request.entity.external_id, active)
    return _tabs(key, frozenset(request.entity_perms))


@lru_cache(maxsize=4096)
def _tabs(key: tuple, perms: frozenset) -> str:
    """The tabs of an entity for a set of permissions (kept per process: they depend on
    nothing else)."""
    _language, _prefix, entity, active = key
    items = []
    for name, label, needs in TABS:
        if perms.isdisjoint(needs):
            continue
        url = url_for(f"supply:{name}", entity)
        css = "nav-link active" if name == active else "nav-link"
        items.append(f'<li class="nav-item"><a class="{css}" href="{url}">{escape(label)}</a></li>')
    return mark_safe(f'<ul class="nav nav-tabs mb-3 flex-wrap">{"".join(items)}</ul>')
