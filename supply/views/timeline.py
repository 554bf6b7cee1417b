"""A prescription's supply chains, for every supply actor that may see them."""

from urllib.parse import quote

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from entities.decorators import entity_any_permission_required
from entities.models import Entity
from mipres.db import replica_reads, shared_page
from mipres.jinja_env import render_fragment

from ..models import StepStatus
from ..selectors.kinds import KIND_LABELS
from ..selectors.pendientes import prescription_pendientes
from ..selectors.timeline import LineSupply, prescription_supply_get
from .annul import ALL_SUPPLY_PERMS

STATUS_CSS = {
    StepStatus.ANULADO: "text-bg-secondary",
    StepStatus.ACTIVO: "text-bg-primary",
    StepStatus.PROCESADO: "text-bg-success",
}


@entity_any_permission_required(*ALL_SUPPLY_PERMS)
@require_GET
@replica_reads()
def prescription_supply(request, number):
    """The prescription's lines and, per delivery, the chain of steps (timeline)."""

    def build():
        prescription, timeline = prescription_supply_get(
            number=number, viewer=request.entity, perms=request.entity_perms
        )
        html = timeline_html(timeline, entity=request.entity, next_url=request.get_full_path())
        pendientes = prescription_pendientes(prescription=prescription, viewer=request.entity)
        return prescription, html, pendientes

    prescription, html, pendientes = shared_page(request, "timeline", build)
    context = {
        "entity": request.entity,
        "prescription": prescription,
        "timeline_html": html,
        # Beside the timeline, the pendientes the entity may see (Circular 044 de 2025): the
        # payer and the prescribing IPS all of them, a proveedor its own.
        "pendientes": pendientes,
        "now": timezone.now(),  # an open one past its promised time is overdue
    }
    return render(request, "supply/prescription.html", context)


def timeline_html(timeline: list[LineSupply], *, entity: Entity, next_url=None) -> str:
    """The "Suministro" section of a prescription (supply.selectors.timeline), from its
    Jinja2 template; "Anular" links return to `next_url`."""
    # One reverse() per page: a step's annulment page is this prefix, its kind and id.
    marker = reverse("supply:annul", args=[entity.external_id, "kind", 0])
    return render_fragment(
        "supply/timeline.html",
        {
            "timeline": timeline,
            "annul_prefix": marker.removesuffix("kind/0/"),
            "next": f"?next={quote(next_url, safe='/')}" if next_url else "",
            "kinds": KIND_LABELS,
            "statuses": dict(StepStatus.choices),
            "status_css": STATUS_CSS,
        },
    )
