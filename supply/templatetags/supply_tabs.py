"""The supply module's tabs, by what the user may do in the entity (templates/supply/_tabs.html).
Each worklist's template passes its own tab's name to mark it active."""

from django import template
from django.urls import reverse
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
    ("payer_pendientes", _("Pendientes y reportes por proveedor"), {DIRECT}),
    ("to_program", _("Por programar"), {PROGRAM}),
    ("to_deliver", _("Por entregar"), {DISPENSE}),
    ("pendientes", _("Pendientes (48 h)"), {DISPENSE}),
    ("lookup", _("Buscar prescripción"), {DISPENSE}),
    ("to_report", _("Por reportar"), {REPORT}),
    ("late_reports", _("Reportes tardíos (8 días)"), {REPORT}),
    ("to_invoice", _("Por facturar"), {INVOICE}),
]


@register.inclusion_tag("supply/_tabs.html", takes_context=True)
def supply_tabs(context, active: str) -> dict:
    """The tabs of what the user may do in the request's entity, `active` marked."""
    request = context["request"]
    perms = request.entity_perms
    entity = request.entity.external_id
    return {
        "tabs": [
            (reverse(f"supply:{name}", args=[entity]), label, name == active)
            for name, label, needs in TABS
            if not perms.isdisjoint(needs)
        ]
    }
