from django.utils.functional import SimpleLazyObject

from .selectors import entity_access_list


def accesses_for(request) -> list:
    """The user's entities and roles, read once per request (the navigation bar and the
    home page both show them)."""
    if not hasattr(request, "_entity_accesses"):
        request._entity_accesses = entity_access_list(user=request.user)
    return request._entity_accesses


def memberships(request):
    """The logged-in user's entities and roles, for the navigation bar (queried lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_entities": []}
    return {"my_entities": SimpleLazyObject(lambda: accesses_for(request))}
