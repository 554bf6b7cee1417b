from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebservicesConfig(AppConfig):
    name = "webservices"
    verbose_name = _("Servicios web")

    def ready(self):
        # A cached token's caller (webservices.token_cache) goes stale when its credential,
        # entity or payer code changes: forget it whoever saved the row.
        from django.db.models.signals import post_delete, post_save

        from entities.models import Entity, PayerCode

        from . import token_cache

        for sender, receiver in (
            (self.get_model("Credential"), token_cache.credential_changed),
            (Entity, token_cache.entity_changed),
            (PayerCode, token_cache.payer_code_changed),
        ):
            uid = f"forget-tokens-{sender.__name__}"
            post_save.connect(receiver, sender=sender, dispatch_uid=uid)
            post_delete.connect(receiver, sender=sender, dispatch_uid=uid)
