from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from entities.selectors import entity_accesses_for_request, municipality_get


@login_required
def home(request):
    """After login: the user's entities and roles, with links to what each role can use."""
    return render(request, "home.html", {"accesses": entity_accesses_for_request(request)})


def help_page(request):
    return render(request, "help.html")


@require_GET
def divipola(request, code: str):
    """A DIVIPOLA code's municipality and department; also the benchmark's floor page
    (one indexed query)."""
    municipality = municipality_get(code=code)
    if municipality is None:
        raise Http404
    return render(request, "divipola.html", {"municipality": municipality})


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
