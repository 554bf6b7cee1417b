"""mipres.cache: Django's Redis cache against a real redis-server, answering as an empty cache
while Redis is down instead of failing the request."""

import shutil
import subprocess
import time

import pytest

from mipres.cache import FailSoftRedisCache
from tests.cluster.harness import free_port, port_open, wait_for


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    wait_for(lambda: port_open(port), "Redis", 10)
    yield process, port
    process.terminate()
    process.wait()


def _cache(port):
    return FailSoftRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    )


def test_a_redis_that_stops_answers_as_an_empty_cache(redis_server):
    process, port = redis_server
    cache = _cache(port)
    cache.set("k", {"a": 1})
    assert cache.add("n", 0) and cache.incr("n") == 1
    assert cache.get("k") == {"a": 1}
    process.terminate()
    process.wait()
    started = time.monotonic()
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["k"]) == {}
    cache.set("k", 2)  # dropped, no error
    assert cache.add("n", 0) is False
    assert cache.delete("k") is False
    with pytest.raises(ValueError):  # as for an expired counter: the caller starts again
        cache.incr("n")
    assert time.monotonic() - started < 5


def test_rate_limits_and_sessions_go_on_without_redis(redis_server, settings, db):
    from django.contrib.sessions.backends.cached_db import SessionStore

    from mipres.lib import ratelimit

    process, port = redis_server
    settings.CACHES = {  # Django's setting_changed handler rebuilds the caches
        "default": {
            "BACKEND": "mipres.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    process.terminate()
    process.wait()
    assert ratelimit.hit("test:down", 1, 60)  # the count starts again: allowed
    store = SessionStore()
    store["seen"] = True
    store.save()  # to the database; the cache write is dropped
    assert SessionStore(store.session_key).load() == {"seen": True}  # from the database
