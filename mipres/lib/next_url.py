"""The page to return to (`?next=` or a posted `next`), checked before it is used anywhere.

A `next` ends up in redirects and in links written into the page («Volver»): both take it
only through `safe_next`, which keeps it when Django's `url_has_allowed_host_and_scheme`
accepts it for this site (so `/\\evil.example` or `//evil.example` never reach a page).
"""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str) -> str:
    """The request's `next` when it points to this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
