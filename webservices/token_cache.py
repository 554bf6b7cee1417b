"""The callers of temporal tokens, kept in the default cache (Redis in production, shared by
every app server) so that a web-service or FHIR request does not read its token, credential,
entity and payer code again on every call.

Only a token that resolved to a caller is kept, under the token's hash, until it expires or
`TOKEN_CACHE_SECONDS` pass, whichever comes first. Whatever would refuse it forgets it at
once: a credential revoked or rotated, its entity suspended, its payer code deactivated
(`forget_tokens`, connected in `webservices.apps` to those models' saves and deletes, which
the services and the admin all go through). A cache that is down or empty costs the query
again; it never answers for a token the database would refuse.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import TemporalToken


def _key(token_hash: str) -> str:
    return f"ws-token:{token_hash}"


def cached_caller(token_hash: str):
    """The cached caller of the token with that hash; None when not cached."""
    return cache.get(_key(token_hash))


def remember_caller(token_hash: str, caller, expires_at) -> None:
    """Keep `caller` for the token until it expires (or TOKEN_CACHE_SECONDS pass)."""
    seconds = min(settings.TOKEN_CACHE_SECONDS, (expires_at - timezone.now()).total_seconds())
    if seconds >= 1:
        cache.set(_key(token_hash), caller, int(seconds))


def forget_tokens(**credential_filter) -> None:
    """Forget the live tokens of the credentials matching `credential_filter` (e.g.
    `entity_id=…`), now and again once the current transaction commits: a request that read
    the old rows meanwhile could have cached its caller again."""
    keys = [
        _key(token_hash)
        for token_hash in TemporalToken.objects.filter(
            expires_at__gt=timezone.now(),
            **{f"credential__{name}": value for name, value in credential_filter.items()},
        ).values_list("token_hash", flat=True)
    ]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def credential_changed(sender, instance, **kwargs):
    forget_tokens(pk=instance.pk)


def entity_changed(sender, instance, **kwargs):
    forget_tokens(entity_id=instance.pk)


def payer_code_changed(sender, instance, **kwargs):
    forget_tokens(payer_code_id=instance.pk)
