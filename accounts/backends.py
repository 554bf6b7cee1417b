"""Django's ModelBackend, reading the user of a session together with their memberships."""

from django.contrib.auth.backends import ModelBackend

from entities.selectors import user_with_accesses


class UserBackend(ModelBackend):
    """Every logged-in request loads its user and then, for the permission guard and the
    navigation bar, the user's active memberships: one query for both
    (`entities.selectors.user_with_accesses`)."""

    def get_user(self, user_id):
        user = user_with_accesses(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
