from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntitiesConfig(AppConfig):
    name = "entities"
    verbose_name = _("Entidades")

    def ready(self):
        # Every page's translations in one pass (mipres/lib/i18n.py).
        from mipres.lib.i18n import flatten_site_language

        flatten_site_language()
