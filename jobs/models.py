"""What background tasks leave behind: the claims that make them run once, and exports."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Claim(models.Model):
    """One row per piece of work done once (an e-mail, an import, a periodic slot). A task
    inserts its key in the transaction that does the work: a second run of the same work
    (two workers, a retry) finds the key taken and does nothing (STYLE R6/R17)."""

    key = models.CharField(_("clave"), max_length=200, primary_key=True)
    claimed_at = models.DateTimeField(_("tomada"), auto_now_add=True, db_index=True)

    def __str__(self):
        return self.key


class Export(models.Model):
    """A large export prepared by a task and downloaded by the user who asked for it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        RUNNING = "running", _("Preparándose")
        READY = "ready", _("Listo")
        FAILED = "failed", _("Falló")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("usuario")
    )
    # The list page the export repeats, with its filters (a GET, run again by the task).
    path = models.CharField(_("página"), max_length=500)
    query = models.TextField(_("filtros"), blank=True)
    filename = models.CharField(_("nombre del archivo"), max_length=200)
    status = models.CharField(_("estado"), max_length=10, choices=Status, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("filas listas"), default=0)
    content_type = models.CharField(_("tipo de contenido"), max_length=100, blank=True)
    # Kept in PostgreSQL, which every app server and worker shares (no shared disk needed).
    content = models.BinaryField(_("contenido"), null=True, editable=False)
    created_at = models.DateTimeField(_("solicitada"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminada"), null=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "ready", "failed"]),
                name="jobs_export_status_valid",
            )
        ]

    def __str__(self):
        return self.filename


# A task claims an export by moving it from QUEUED to RUNNING (compare-and-swap, STYLE R6).
EXPORT_TRANSITIONS = {
    Export.Status.QUEUED: {Export.Status.RUNNING},
    Export.Status.RUNNING: {Export.Status.READY, Export.Status.FAILED},
    Export.Status.READY: set(),
    Export.Status.FAILED: set(),
}


class Import(models.Model):
    """A registry or catalog file uploaded in the admin and loaded by a task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        RUNNING = "running", _("Cargándose")
        DONE = "done", _("Terminada")
        FAILED = "failed", _("Falló")

    kind = models.CharField(_("qué se carga"), max_length=40)
    file_name = models.CharField(_("archivo"), max_length=200)
    content = models.BinaryField(_("contenido"), editable=False)
    status = models.CharField(_("estado"), max_length=10, choices=Status, default=Status.QUEUED)
    summary = models.TextField(_("resultado"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cargado por"),
    )
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminada"), null=True)

    class Meta:
        verbose_name = _("importación")
        verbose_name_plural = _("importaciones")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="jobs_import_status_valid",
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.file_name}"


# A task claims an import by moving it from QUEUED to RUNNING (compare-and-swap, STYLE R6).
IMPORT_TRANSITIONS = {
    Import.Status.QUEUED: {Import.Status.RUNNING},
    Import.Status.RUNNING: {Import.Status.DONE, Import.Status.FAILED},
    Import.Status.DONE: set(),
    Import.Status.FAILED: set(),
}


def transition(queryset, transitions: dict, to: str, **fields) -> int:
    """Move to `to` the rows of `queryset` whose status allows it, in one UPDATE (a
    compare-and-swap: of two concurrent callers, one moves the row). Returns the count."""
    sources = [status for status, targets in transitions.items() if to in targets]
    return queryset.filter(status__in=sources).update(status=to, **fields)
