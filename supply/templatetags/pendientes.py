"""The prescription's pendientes beside its supply timeline (Circular 044 de 2025)."""

from django import template
from django.utils import timezone

from ..selectors.pendientes import prescription_pendientes

register = template.Library()


@register.inclusion_tag("supply/pendientes/_timeline.html")
def pendientes_section(prescription, entity):
    """The pendientes of `prescription` that `entity` may see (the payer and the
    prescribing IPS all of them, a proveedor its own)."""
    return {
        "rows": prescription_pendientes(prescription=prescription, viewer=entity),
        "now": timezone.now(),
    }
