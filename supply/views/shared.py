"""The supply pages whose rows every user of an entity opens again and again (the worklists,
a prescription's timeline) share what they read and render for a few seconds
(`mipres.db.shared_read`, the age a replica read may have)."""

from django.utils import timezone
from django.utils.translation import get_language

from mipres.db import shared_read


def shared_page[T](request, name: str, build, *extra) -> T:
    """`build()` of the page `name`, shared by the requests that would get the same from it:
    the same entity, roles there (the «Anular» links), language, day (the deadline lights)
    and query string (filters, page), and the `extra` parts the page depends on (a
    dispensador's sedes)."""
    parts = (
        name,
        request.entity.pk,
        tuple(sorted(request.entity_perms)),
        get_language(),
        timezone.localdate(),
        request.get_full_path(),
        *extra,
    )
    return shared_read(parts, build)
