"""Django's ModelBackend, reading the user of a session together with their memberships."""

from django.contrib.auth.backends import ModelBackend

from entities.selectors import user_with_accesses

from .sessions import preloaded


class UserBackend(ModelBackend):
    """Every logged-in request loads its user and then, for the permission guard and the
    navigation bar, the user's active memberships: read with the session when it could
    (`accounts.sessions`), else in one query (`entities.selectors.user_with_accesses`)."""

    def get_user(self, user_id):
        user = preloaded.get()
        if user is None or str(user.pk) != str(user_id):
            user = user_with_accesses(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
