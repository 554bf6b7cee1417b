"""Search-as-you-type over the large catalogs, for the prescription form's code fields."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from mipres.db import replica_reads

from ..selectors.prescriptions import SEARCHABLE_CATALOGS, catalog_search

LIMIT = 20
# Long names (UNIRS indications run to 2,000 characters) are cut for the list.
NAME_LENGTH = 160


@login_required
@require_GET
@replica_reads()
def catalog_search_json(request, name):
    """`?q=` → {"results": [{"code", "name", "enabled", "recent"}]}: at most 20 entries,
    enabled first, the user's recently prescribed codes leading; without `q`, those recent
    codes. Catalogs are public reference tables: any logged-in user may search them."""
    if name not in SEARCHABLE_CATALOGS:
        raise Http404
    entries = catalog_search(
        catalog=name, text=request.GET.get("q", ""), prescriber=request.user, limit=LIMIT
    )
    results = [
        {
            "code": entry.code,
            "name": entry.name[:NAME_LENGTH],
            "enabled": entry.enabled,
            "recent": entry.recent,
        }
        for entry in entries
    ]
    return JsonResponse({"results": results})
