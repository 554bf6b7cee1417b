"""Django's ModelBackend, with the logged-in user and their active roles kept in the cache.

Every logged-in request needs its user and, for the permission guard and the navigation bar,
the user's active roles (`entity_accesses`). They are read once (`entities.selectors.
user_with_accesses`) and kept in the default cache (Redis in production, shared by every app
server) under the user's id, until the user, one of their memberships or one of their
entities is saved or deleted (`forget_user`, connected in `accounts.apps`: the membership and
registration services, Django's password views and the admin all save through the models),
or `USER_CACHE_SECONDS` pass. A login reads them at once, so the requests after it pay no
query for them; a cache that is down or empty costs the two queries again.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

from entities.selectors import user_with_accesses


def _key(user_id) -> str:
    return f"auth-user:{user_id}"


def forget_user(user_id) -> None:
    """Drop the cached user `user_id` now and again once the current transaction commits
    (a request reading the old rows meanwhile could have cached them again)."""
    cache.delete(_key(user_id))
    transaction.on_commit(lambda: cache.delete(_key(user_id)))


def remember_user(user_id):
    """Read the user `user_id` with their active roles and cache them; None if gone."""
    user = user_with_accesses(user_id)
    if user is not None:
        cache.set(_key(user_id), user, settings.USER_CACHE_SECONDS)
    return user


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = cache.get(_key(user_id)) or remember_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
