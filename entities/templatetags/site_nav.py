"""The navigation bar's links (templates/_site_nav.html)."""

from django import template

from ..models import Membership
from ..selectors import entity_accesses_for_request

register = template.Library()


@register.inclusion_tag("_site_nav.html", takes_context=True)
def site_nav(context) -> dict:
    """The links of the navigation bar (templates/_site_nav.html): for a logged-in user
    Inicio, their entities with their roles, the Ministry's administration (staff), Ayuda and
    their own menu; for anyone else Ayuda and «Ingresar»."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"user": None}
    labels = dict(Membership._meta.get_field("role").choices)
    entities = [
        (
            access.entity.external_id,
            access.entity.name,
            ", ".join(str(labels[role]) for role in access.roles),
        )
        for access in entity_accesses_for_request(request)
    ]
    return {"user": user, "entities": entities, "csrf_token": context.get("csrf_token")}
