from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db import apps as tasks_db


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Tareas en segundo plano")


class TaskResultsConfig(tasks_db.TasksAppConfig):
    """django-tasks-db under a Spanish name in the admin (its own is a plain English string).
    Listed in INSTALLED_APPS instead of "django_tasks_db": same app, label and migrations."""

    default = False
    verbose_name = _("Cola de tareas")
