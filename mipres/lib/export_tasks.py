"""Large exports prepared by a background task (README «Tareas en segundo plano»).

A list page answers its export (`?formato=csv|xlsx`) with the file when it has at most
EXPORT_INLINE_MAX_ROWS rows. A larger one becomes a `jobs.Export`: the user is sent to a page
that says «su archivo se está preparando», shows the rows written so far and offers the link
once it is ready. The task repeats the same GET as the same user (`run_export`): the
page's permission guard, its entity scope and its filters apply again, unchanged.
"""

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.tasks import task
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from jobs.enqueue import enqueue_on_commit
from jobs.models import EXPORT_TRANSITIONS, Export, transition
from mipres.lib.exports import csv_response, xlsx_response

PROGRESS_EVERY = 500  # rows between two progress updates
EXPORT_FORMATS = ("csv", "xlsx")


def export_format(request) -> str | None:
    """The export a list page was asked for (`?formato=csv|xlsx`), or None for the page."""
    fmt = request.GET.get("formato")
    return fmt if fmt in EXPORT_FORMATS else None


def entity_export(request, fmt: str, name: str, header: list, rows: Iterable):
    """`export_response_or_task` for a list of the acting entity: the file is named
    `<name>-<NIT>-<AAAAMMDD>`."""
    basename = f"{name}-{request.entity.nit}-{timezone.localdate():%Y%m%d}"
    return export_response_or_task(request, fmt, basename, header, rows)


def export_response_or_task(request, fmt: str, basename: str, header: list, rows: Iterable):
    """The file (`fmt` "xlsx" or "csv", `basename` without extension) when it is small, or
    a redirect to the page of the task that prepares it."""
    filename = f"{basename}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    rows = iter(rows)
    progress = getattr(request, "export_progress", None)
    if progress is not None:  # the task repeating the request: write everything
        return _table(fmt, filename, header, progress(rows))
    head = list(islice(rows, settings.EXPORT_INLINE_MAX_ROWS + 1))
    if len(head) <= settings.EXPORT_INLINE_MAX_ROWS:
        return _table(fmt, filename, header, head)
    with transaction.atomic():
        export = Export.objects.create(
            user=request.user,
            path=request.path_info,
            query=request.GET.urlencode(),
            filename=filename,
        )
        enqueue_on_commit(run_export, str(export.pk))
    return redirect("jobs:export", export.pk)


def _table(fmt: str, filename: str, header: list, rows: Iterable) -> HttpResponse:
    header = [str(title) for title in header]
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows)
    return csv_response(filename, header, rows)


def _counting(export_id) -> Callable[[Iterator], Iterator]:
    def progress(rows: Iterator) -> Iterator:
        done = 0
        for batch in iter(lambda: list(islice(rows, PROGRESS_EVERY)), []):
            yield from batch
            done += len(batch)
            Export.objects.filter(pk=export_id).update(rows_done=done)

    return progress


def _replayed_request(export: Export) -> HttpRequest:
    """The export's GET as its user made it, marked so that the list page writes the whole
    file here instead of starting another task."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = export.path
    request.GET = QueryDict(export.query)
    request.META = {"SERVER_NAME": "worker", "SERVER_PORT": "0", "REQUEST_METHOD": "GET"}
    request.user = get_user_model().objects.get(pk=export.user_id)
    request.session = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    request.export_progress = _counting(export.pk)
    return request


@task(queue_name="exports")
def run_export(export_id: str) -> str:
    """Prepare one export. Claimed by moving it from «en cola» to «preparándose» (a second
    run, by another worker or a retry, finds it claimed and does nothing)."""
    one = Export.objects.filter(pk=export_id)
    if not transition(one, EXPORT_TRANSITIONS, Export.Status.RUNNING):
        return "already claimed"
    export = Export.objects.get(pk=export_id)
    try:
        match = resolve(export.path)
        with translation.override(settings.LANGUAGE_CODE):
            response = match.func(_replayed_request(export), *match.args, **match.kwargs)
    except (Resolver404, Http404, PermissionDenied):
        response = None  # the user lost access to the list meanwhile
    except Exception:
        _finish(export_id, Export.Status.FAILED)
        raise
    if response is None or response.status_code != 200 or "Content-Disposition" not in response:
        _finish(export_id, Export.Status.FAILED)
        return "failed"
    _finish(
        export_id,
        Export.Status.READY,
        content=response.content,
        content_type=response["Content-Type"],
    )
    return "ready"


def _finish(export_id: str, status: str, **fields) -> None:
    one = Export.objects.filter(pk=export_id)
    transition(one, EXPORT_TRANSITIONS, status, finished_at=timezone.now(), **fields)
