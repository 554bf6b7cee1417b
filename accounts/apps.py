from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Personas y cuentas")

    def ready(self):
        # The cached request user (accounts.backends) goes stale when the user, one of their
        # memberships or one of their entities changes: forget it whoever saved the row.
        from entities.models import Entity, Membership

        from . import signals

        for sender, receiver in (
            (self.get_model("User"), signals.user_changed),
            (Membership, signals.membership_changed),
            (Entity, signals.entity_changed),
        ):
            post_save.connect(receiver, sender=sender, dispatch_uid=f"forget-{sender.__name__}")
            post_delete.connect(receiver, sender=sender, dispatch_uid=f"forget-{sender.__name__}")
        # A dispensador's sedes travel with their roles (entities.selectors.EntityAccess).
        m2m_changed.connect(
            signals.membership_sedes_changed,
            sender=Membership.sedes.through,
            dispatch_uid="forget-membership-sedes",
        )
        # After Django's own receiver, which saves last_login (and so forgets the user).
        user_logged_in.connect(signals.user_logged_in, dispatch_uid="remember-user")
