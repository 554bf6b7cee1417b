"""A prescription's supply chains, for every supply actor that may see them."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from entities.decorators import entity_any_permission_required

from ..selectors.prescriptions import supply_prescription_get
from ..selectors.timeline import supply_timeline
from .annul import ALL_SUPPLY_PERMS


@entity_any_permission_required(*ALL_SUPPLY_PERMS)
@require_GET
def prescription_supply(request, number):
    """The prescription's lines and, per delivery, the chain of steps (timeline)."""
    prescription = supply_prescription_get(entity=request.entity, number=number)
    context = {
        "entity": request.entity,
        "prescription": prescription,
        "timeline": supply_timeline(
            prescription=prescription, viewer=request.entity, perms=request.entity_perms
        ),
    }
    return render(request, "supply/prescription.html", context)
