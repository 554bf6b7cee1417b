from django.utils.functional import SimpleLazyObject

from .selectors import entity_access_list


def memberships(request):
    """The logged-in user's entities and roles, for the navigation bar (queried lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_entities": []}
    return {"my_entities": SimpleLazyObject(lambda: entity_access_list(user=user))}
