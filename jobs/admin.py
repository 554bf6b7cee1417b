"""Registry and catalog loads started from the Ministry's admin: the file is stored and a
task loads it (jobs.imports); the list shows each load's state and result."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .health import worker_stalled
from .imports import KINDS, start_import
from .models import Import

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ImportForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("Qué se carga"), choices=[])
    upload = forms.FileField(
        label=_("Archivo CSV"),
        help_text=_("UTF-8 o Latin-1, separado por comas o punto y coma (docs/registries.md)."),
    )

    class Meta:
        model = Import
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, label) for kind, (label, *_rest) in KINDS.items()]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("El archivo pesa más de 200 MB: cárguelo con el comando de manage.py.")
            )
        return upload


@admin.register(Import)
class ImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "file_name", "status", "created_by", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["file_name"]
    readonly_fields = ["kind", "file_name", "status", "summary", "created_by", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImportForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        return [*self.readonly_fields, "finished_at"] if obj else ["kind", "upload"]

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["upload"]
        obj.kind, obj.file_name = form.cleaned_data["kind"], upload.name[:200]
        obj.content, obj.created_by = upload.read(), request.user
        start_import(obj)
        messages.info(request, _("La carga quedó en cola; su resultado aparecerá en esta lista."))
        if worker_stalled():
            messages.warning(
                request, _("El procesador de tareas no está activo: la carga espera en cola.")
            )

    def has_change_permission(self, request, obj=None):
        return False  # a load is not edited: upload the corrected file again

    def has_delete_permission(self, request, obj=None):
        return False


class TaskResultAdmin(DBTaskResultAdmin):
    """django-tasks-db's task results with Spanish labels: its fields and names are translated
    in locale/es_CO/manual.po, but its task-name column and its two computed fields are
    described with plain English strings no catalog reaches."""

    list_display = ("id", "task", *DBTaskResultAdmin.list_display[2:])

    @admin.display(description=_("tarea"))
    def task(self, obj):
        return obj.task_name

    @admin.display(description=_("traza"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description=_("ejecutar después de"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
