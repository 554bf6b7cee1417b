from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    """The patient's own pages (/paciente/): sign-in by a one-time code, the prescriptions
    and their supply in plain words, renewal requests (issue 15)."""

    name = "patients"
    verbose_name = _("Pacientes (página del paciente)")
