"""A fixed-window rate limit on Django's cache framework.

The count lives in the default cache, so app servers behind a load balancer must share
one (Redis or Memcached; docs/scaling.md); the default LocMemCache counts per process, which
is enough for one server and for tests.
"""

import hashlib
import time

from django.core.cache import cache


def hit(key: str, limit: int, window_seconds: int) -> bool:
    """Count one request for `key` (e.g. 'rethus:203.0.113.7') and say whether it is
    allowed: True for the first `limit` hits in the current window of `window_seconds`,
    False after that until the next window starts.

    The window number is part of the cache key, so a backend that stretches a key's
    expiry on `incr` (file and database caches) cannot stretch the window.
    """
    cache_key = _cache_key(key, window_seconds)
    cache.add(cache_key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 1)
        count = 1
    return count <= limit


def exceeded(key: str, limit: int, window_seconds: int) -> bool:
    """Whether `key` has already had its `limit` hits in the current window (counts
    nothing: for refusing early what `hit` counts only on failure)."""
    return (cache.get(_cache_key(key, window_seconds)) or 0) >= limit


def _cache_key(key: str, window_seconds: int) -> str:
    window = int(time.time() // window_seconds)
    # Hashed: cache backends refuse keys with spaces or over 250 characters.
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"ratelimit:{digest}:{window_seconds}:{window}"
