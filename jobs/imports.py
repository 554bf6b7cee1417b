"""Registry and catalog files loaded by a task from an admin upload (jobs.Import).

Each kind names the same function its management command calls (import_catalog,
import_rethus, import_reps, import_bdua), with the uploading user as the actor.
"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.registries import (
    REPS_COLUMNS,
    RETHUS_COLUMNS,
    import_professional_records,
    import_provider_records,
    missing_columns,
)
from entities import audit
from mipres.lib.csvfiles import read_rows
from mipres.lib.errors import DomainError
from prescriptions.catalogs import CATALOGS, import_catalog
from prescriptions.services import BDUA_COLUMNS, affiliation_import

from .enqueue import enqueue_on_commit
from .models import IMPORT_TRANSITIONS, Import, transition

MAX_REJECTIONS_SHOWN = 50


def _catalog(name):
    def load(rows, *, actor, origin):
        return import_catalog(name, rows, actor=actor, origin=origin)

    return CATALOGS[name].required_columns(), load


# kind → (label, required columns, loader)
KINDS = {
    "rethus": (
        gettext_lazy("RETHUS (profesionales de la salud)"),
        RETHUS_COLUMNS,
        lambda rows, *, actor, origin: import_professional_records(
            rows, actor=actor, source="rethus_csv"
        ),
    ),
    "reps": (
        gettext_lazy("REPS (prestadores habilitados)"),
        REPS_COLUMNS,
        lambda rows, *, actor, origin: import_provider_records(
            rows, actor=actor, source="reps_csv"
        ),
    ),
    "bdua": (
        gettext_lazy("BDUA (afiliaciones)"),
        BDUA_COLUMNS,
        lambda rows, *, actor, origin: affiliation_import(rows, actor=actor, source="bdua_csv"),
    ),
    **{
        f"catalog:{name}": (gettext_lazy("Catálogo %(name)s") % {"name": name}, *_catalog(name))
        for name in CATALOGS
    },
}


def start_import(job: Import) -> None:
    """Store an uploaded file (a new Import) and enqueue its load, in the admin's
    transaction."""
    with transaction.atomic():
        job.save()
        audit.log(
            actor=job.created_by,
            action="jobs.import.queued",
            target=job,
            data={"kind": job.kind, "file": job.file_name},
        )
        enqueue_on_commit(run_import, job.pk)


def _summary(report) -> str:
    lines = [
        _("%(created)s creados, %(updated)s actualizados, %(unchanged)s sin cambios, ")
        % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        + _("%(rejected)s rechazados.") % {"rejected": len(report.rejected)}
    ]
    lines += [
        _("Línea %(line)s: %(reason)s") % {"line": line, "reason": reason}
        for line, reason in report.rejected[:MAX_REJECTIONS_SHOWN]
    ]
    return "\n".join(lines)


@task(queue_name="imports")
def run_import(import_id: int) -> str:
    """Load one uploaded file. Claimed by moving it from «en cola» to «cargándose»: a second
    run (another worker, a retry) does nothing."""
    if not transition(
        Import.objects.filter(pk=import_id), IMPORT_TRANSITIONS, Import.Status.RUNNING
    ):
        return "already claimed"
    job = Import.objects.select_related("created_by").get(pk=import_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            status, summary = _load(job)
        except Exception:
            _finish(import_id, Import.Status.FAILED, _("Error inesperado; vea el registro."))
            raise
    _finish(import_id, status, summary)
    return status


def _load(job: Import) -> tuple[str, str]:
    """(status, summary) of loading the job's file with the loader of its kind."""
    _label, required, load = KINDS[job.kind]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(bytes(job.content))
        rows = read_rows(path)
    missing = missing_columns(rows, required)
    if missing:
        columns = ", ".join(missing)
        return Import.Status.FAILED, _("Al archivo le faltan las columnas: %(columns)s.") % {
            "columns": columns
        }
    try:
        report = load(rows, actor=job.created_by, origin=job.file_name)
    except (ValueError, DomainError) as error:
        return Import.Status.FAILED, str(error)
    return Import.Status.DONE, _summary(report)


def _finish(import_id: int, status: str, summary: str) -> None:
    one = Import.objects.filter(pk=import_id)
    transition(one, IMPORT_TRANSITIONS, status, summary=summary, finished_at=timezone.now())
