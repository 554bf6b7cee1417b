from django.utils.functional import SimpleLazyObject

from .selectors import entity_accesses_for_request


def accesses_for(request) -> list:
    """The user's entities and roles, read once per request (the permission decorator, the
    navigation bar and the home page all use them)."""
    return entity_accesses_for_request(request)


def memberships(request):
    """The logged-in user's entities and roles, for the navigation bar (queried lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_entities": []}
    return {"my_entities": SimpleLazyObject(lambda: accesses_for(request))}
