"""The supply timeline inside pages of other modules (the prescription detail)."""

from django import template

from ..selectors.timeline import supply_timeline
from ..views.timeline import timeline_html

register = template.Library()


@register.simple_tag(takes_context=True)
def supply_chains(context, prescription):
    """`{% supply_chains prescription %}`: the timeline as the request's entity sees it."""
    request = context["request"]
    timeline = supply_timeline(
        prescription=prescription, viewer=request.entity, perms=request.entity_perms
    )
    return timeline_html(timeline, entity=request.entity, next_url=request.get_full_path())
