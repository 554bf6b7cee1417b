"""Django's Redis cache, answering as an empty cache while Redis cannot be reached.

Everything this project keeps in the default cache can be rebuilt: sessions (`cached_db`:
the database holds them), the user with their roles (`accounts.backends`) and the
rate-limit counters. So when Redis is down or restarting, a read is a miss, a write is
dropped and a counter starts again, each logged, and the request goes on; Django's own
`RedisCache` would raise instead (a 500 on every page). `REDIS_URL` selects it
(mipres/settings.py).
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)


def _soft(method, fallback):
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except self._lib.RedisError as error:
            logger.warning("Redis unavailable (%s): %s answers as a miss", error, method.__name__)
            return fallback

    call.__name__ = method.__name__
    return call


class FailSoftRedisCacheClient(RedisCacheClient):
    add = _soft(RedisCacheClient.add, False)
    set = _soft(RedisCacheClient.set, None)
    touch = _soft(RedisCacheClient.touch, False)
    delete = _soft(RedisCacheClient.delete, False)
    get_many = _soft(RedisCacheClient.get_many, {})
    has_key = _soft(RedisCacheClient.has_key, False)
    set_many = _soft(RedisCacheClient.set_many, None)
    delete_many = _soft(RedisCacheClient.delete_many, None)
    clear = _soft(RedisCacheClient.clear, False)

    def get(self, key, default):  # the miss answers the caller's default
        try:
            return RedisCacheClient.get(self, key, default)
        except self._lib.RedisError as error:
            logger.warning("Redis unavailable (%s): get answers as a miss", error)
            return default

    def incr(self, key, delta):
        try:
            return RedisCacheClient.incr(self, key, delta)
        except self._lib.RedisError as error:
            # As for a key that expired: the caller starts the count again.
            logger.warning("Redis unavailable (%s): incr answers as a missing key", error)
            raise ValueError(f"Key '{key}' not found.") from error


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient
