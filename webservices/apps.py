from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebservicesConfig(AppConfig):
    name = "webservices"
    verbose_name = _("Servicios web")
