"""Settings come from the environment; production refuses to start half-configured.

Each case runs in a fresh interpreter, because settings are read once per process.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Variables a developer's shell (or the PostgreSQL + Redis test run) may have set.
CONFIG_VARIABLES = [
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DEBUG",
    "CHANNELS_PREFIX",
    "CACHE_PREFIX",
    # Set by the browser fixtures for the test process only; check --deploy rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_POOL_SIZE",
    "CONN_MAX_AGE",
]

PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "DATABASES": settings.DATABASES,
    "CHANNEL_LAYERS": settings.CHANNEL_LAYERS,
    "CACHES": settings.CACHES,
    "SESSION_ENGINE": settings.SESSION_ENGINE,
    "DEBUG": settings.DEBUG,
    "DEMO_DATA_ALLOWED": getattr(settings, "DEMO_DATA_ALLOWED", None),
}, default=str))
"""


def environment(module, **variables):
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = module
    env["PYTHONPATH"] = str(REPO / "site")
    env.update(variables)
    return env


def read_settings(module="config.settings.dev", **variables):
    result = subprocess.run(  # noqa: S603 — our own interpreter and fixed arguments
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=environment(module, **variables),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def manage(*args, **variables):
    return subprocess.run(  # noqa: S603 — our own interpreter and fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=environment("config.settings.production", **variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_variables(**overrides):
    variables = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "policy.example.org",
        "SITE_URL": "https://policy.example.org",
    }
    variables.update(overrides)
    return {k: v for k, v in variables.items() if v is not None}


# ---------------------------------------------------------------- embedded defaults and services


def test_without_database_url_the_database_is_sqlite_under_var_in_wal_mode():
    database = read_settings()["DATABASES"]["default"]

    # Django's SQLite backend, keeping finished requests' connections (core/db/sqlite3).
    assert database["ENGINE"] == "core.db.sqlite3"
    assert Path(database["NAME"]) == REPO / "var" / "db.sqlite3"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_database_url_selects_postgresql():
    database = read_settings(DATABASE_URL="postgres://op:pw@db.internal:5433/openpolicy")["DATABASES"][
        "default"
    ]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["HOST"], database["PORT"], database["USER"]) == (
        "openpolicy",
        "db.internal",
        5433,
        "op",
    )


def test_postgresql_keeps_a_pool_of_connections_per_process_unless_turned_off():
    url = "postgres://op:pw@db.internal:5433/openpolicy"
    database = read_settings(DATABASE_URL=url)["DATABASES"]["default"]
    # Under uvicorn each request has a thread of its own: a pool, never CONN_MAX_AGE.
    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10}
    assert database["CONN_MAX_AGE"] == 0

    sized = read_settings(DATABASE_URL=url, DATABASE_POOL_SIZE="4")["DATABASES"]["default"]
    assert sized["OPTIONS"]["pool"]["max_size"] == 4

    off = read_settings(DATABASE_URL=url, DATABASE_POOL_SIZE="0", CONN_MAX_AGE="60")["DATABASES"]["default"]
    assert "pool" not in off.get("OPTIONS", {})
    assert off["CONN_MAX_AGE"] == 60


def test_sessions_are_cached_only_in_a_cache_every_process_shares():
    # A local-memory cache would keep a session alive in one process after sign-out in another.
    assert read_settings()["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    cached = read_settings(REDIS_URL="redis://cache.internal:6380/2")["SESSION_ENGINE"]
    assert cached == "django.contrib.sessions.backends.cached_db"


def test_without_redis_url_one_process_uses_the_in_memory_layer_and_local_cache():
    config = read_settings()

    assert config["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert config["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_url_selects_the_redis_channel_layer_with_a_raised_connection_cap_and_a_soft_failing_cache():
    url = "redis://cache.internal:6380/2"
    config = read_settings(REDIS_URL=url)

    layer = config["CHANNEL_LAYERS"]["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    host = layer["CONFIG"]["hosts"][0]
    assert host["address"] == url
    # redis-py's async pool errors past 100 connections; a burst of websockets needs more.
    assert host["max_connections"] >= 1000
    cache = config["CACHES"]["default"]
    assert cache["BACKEND"] == "django_redis.cache.RedisCache"
    assert cache["LOCATION"] == url
    # Wagtail resolves every page URL through the cache: a Redis outage must be a miss, not a 500.
    assert cache["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert cache["OPTIONS"]["SOCKET_TIMEOUT"] <= 2


def test_only_development_and_test_settings_allow_demo_data():
    assert read_settings("config.settings.dev")["DEMO_DATA_ALLOWED"] is True
    assert read_settings("config.settings.test")["DEMO_DATA_ALLOWED"] is True
    production = read_settings("config.settings.production", **production_variables())
    assert production["DEMO_DATA_ALLOWED"] is None
    assert production["DEBUG"] is False


# ---------------------------------------------------------------- production


def test_check_deploy_is_clean_when_production_is_configured():
    result = manage("check", "--deploy", **production_variables())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    result = manage("check", "--deploy", **production_variables(**{missing: None}))

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_an_empty_required_variable(missing):
    result = manage("check", **production_variables(**{missing: ""}))

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_refuses_allowed_hosts_that_name_no_host():
    result = manage("check", **production_variables(ALLOWED_HOSTS=" , "))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
    assert "IndexError" not in result.stderr


def test_production_refuses_a_site_url_without_https():
    result = manage("check", **production_variables(SITE_URL="http://policy.example.org"))

    assert result.returncode != 0
    assert "SITE_URL must start with https://" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "short-key",
        "x" * 49,
        "ab" * 40,  # long enough, but two distinct characters
        "django-insecure-" + secrets.token_urlsafe(64),  # startproject's development key
    ],
    # Fixed ids: a random parameter would differ between pytest-xdist workers.
    ids=["short", "49-chars", "two-characters", "django-insecure"],
)
def test_production_refuses_a_weak_secret_key(key):
    result = manage("check", **production_variables(SECRET_KEY=key))

    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "policy.example.org,*", "*.example.org"])
def test_production_refuses_a_wildcard_allowed_host(hosts):
    result = manage("check", **production_variables(ALLOWED_HOSTS=hosts))

    assert result.returncode != 0
    assert "production refuses '*'" in result.stderr


def test_production_accepts_a_50_character_key_and_a_leading_dot_subdomain_host():
    """The bar is exactly Django's: 50 characters of at least 5 kinds; '.example.org' is not a wildcard."""
    result = manage(
        "check",
        **production_variables(SECRET_KEY=secrets.token_urlsafe(38)[:50], ALLOWED_HOSTS=".example.org"),
    )

    assert result.returncode == 0, result.stderr
