"""The one view guard for entity-scoped pages (STYLE R7)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .selectors import entity_access_for_request


def entity_any_permission_required(*perms: str):
    """Require an active role granting any of `perms` in the entity named by the URL's
    `entity_id`.

    Anonymous → login page; no role in that entity → 404 (its existence is not revealed);
    roles there granting none of `perms` → 403. Sets `request.entity`,
    `request.entity_access` and `request.entity_perms` for the view and its templates.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, entity_id, *args, **kwargs):
            # One membership query per request, shared with the navigation bar.
            access = entity_access_for_request(request, external_id=entity_id)
            if not access.perms.intersection(perms):
                raise PermissionDenied
            request.entity = access.entity
            request.entity_access = access
            request.entity_perms = access.perms
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def entity_permission_required(perm: str):
    """`entity_any_permission_required` for one permission."""
    return entity_any_permission_required(perm)
