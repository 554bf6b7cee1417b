from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntitiesConfig(AppConfig):
    name = "entities"
    verbose_name = _("Entidades")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from mipres.lib.security import mark_session_seen

        user_logged_in.connect(mark_session_seen, dispatch_uid="mipres.session_seen")
