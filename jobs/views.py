"""The user's exports prepared in the background: their progress, then the file."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .health import worker_stalled
from .models import Export

REFRESH_SECONDS = 3


def _own_export(request, export_id) -> Export:
    """Only the user who asked for an export sees it: anyone else gets 404."""
    return get_object_or_404(Export.objects.defer("content"), pk=export_id, user=request.user)


@login_required
@require_GET
def export_detail(request, export_id):
    export = _own_export(request, export_id)
    pending = export.status in (Export.Status.QUEUED, Export.Status.RUNNING)
    context = {
        "export": export,
        "pending": pending,
        "stalled": export.status == Export.Status.QUEUED and worker_stalled(),
    }
    response = render(request, "jobs/export_detail.html", context)
    if pending:
        response["Refresh"] = str(REFRESH_SECONDS)  # the browser asks again until it is ready
    return response


@login_required
@require_GET
def export_download(request, export_id):
    export = get_object_or_404(Export, pk=export_id, user=request.user, status=Export.Status.READY)
    response = HttpResponse(bytes(export.content), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
