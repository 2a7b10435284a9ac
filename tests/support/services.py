"""The services a test may need besides the database: Redis, the cache, and the database as
another process sees it."""

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

ON_CI = bool(os.environ.get("CI"))
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def require_service(available, reason):
    """Skip locally when a service is missing; on CI a missing service is a failure."""
    if available:
        return
    if ON_CI:
        pytest.fail(f"CI must run every test, but: {reason}")
    pytest.skip(reason)


def redis_url():
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def redis_available():
    import redis

    try:
        redis.Redis.from_url(redis_url(), socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


def cache_clear():
    """Empty this test process's cache, and only its own.

    Django's RedisCache.clear() is FLUSHDB: it would also empty the cache, the
    channel layer and the tally clock of every other pytest-xdist worker (and
    anything else) sharing the Redis database. Delete this process's keys instead;
    the test settings give each worker its own KEY_PREFIX.
    """
    if hasattr(cache, "delete_pattern"):
        # django-redis: the pattern is matched under this cache's KEY_PREFIX only.
        cache.delete_pattern("*")
        return
    if not settings.CACHES["default"]["BACKEND"].endswith(".RedisCache"):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def database_url():
    """The test database pytest-django set up, as a URL a process outside this one can open."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
