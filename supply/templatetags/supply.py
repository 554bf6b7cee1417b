"""The supply timeline inside pages of other modules (the prescription detail)."""

from django import template

from ..selectors.timeline import supply_timeline

register = template.Library()


@register.inclusion_tag("supply/_timeline.html", takes_context=True)
def supply_chains(context, prescription):
    """`{% supply_chains prescription %}`: the timeline as the request's entity sees it."""
    request = context["request"]
    return {
        "request": request,
        "entity": request.entity,
        "timeline": supply_timeline(
            prescription=prescription, viewer=request.entity, perms=request.entity_perms
        ),
        "next": request.get_full_path(),
    }
