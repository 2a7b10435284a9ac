"""Settings for the test suite (pytest). Same services as dev, faster hashing."""

import hashlib

from .base import env
from .dev import *  # noqa: F403
from .dev import BASE_DIR, CACHES, CHANNEL_LAYERS, REDIS_URL, TASK_BACKEND, TASK_BACKENDS, TASK_QUEUE

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
# A fixed public address, so links in emails are predictable; tests of the development
# behaviour (links from the request's address) unset it (tests/site/test_links.py).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
WHITENOISE_AUTOREFRESH = True

# Limits high enough that no other test meets them; rate-limit tests lower one
# with override_settings (tests/site/test_limits.py).
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "100000/m")  # noqa: F405
AXES_FAILURE_LIMIT = 100000
# Reaction POSTs read their section each time: a test that rolls back and builds another tree
# may meet a cleared cache's new `site` generation. The remembering is tested with it switched
# on and the memory emptied around each test (tests/consultation/test_reactions_targets.py).
REACTION_TARGETS_REMEMBERED = False

# Parallel runs (pytest-xdist) give each worker its own database and its own
# Redis keys. pytest-django suffixes the test database's name with the worker id
# ("_gw0": a separate SQLite file, a separate PostgreSQL database); here each
# worker gets its own channel-layer prefix (which the tally clock in
# consultation/broadcast.py uses too) and cache KEY_PREFIX. Servers a test starts
# inherit the variable, and so share their worker's keys. The default prefix
# names the checkout too, so suites of two checkouts can share a Redis database.
TEST_WORKER = env("PYTEST_XDIST_WORKER", default="") or "serial"
if REDIS_URL:
    _checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
    _prefix = env("CHANNELS_PREFIX", default=f"openpolicy-test-{_checkout}")
    _cache_prefix = env("CACHE_PREFIX", default=f"{_prefix}-cache")
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"{_prefix}-{TEST_WORKER}"
    CACHES["default"]["KEY_PREFIX"] = f"{_cache_prefix}-{TEST_WORKER}"

# Background jobs: tests about something else run them as they are enqueued
# (after commit), through the same job rows and handlers. Tests of the queue
# itself switch to a real backend and run a real worker (tests/support/queue.py):
# the database backend, or rq when REDIS_URL is set; each xdist worker gets its
# own rq queue. Notifications go out at once unless a test sets a window.
NOTIFICATION_DIGEST_MINUTES = 0
JOB_RETRY_SECONDS = 0
if REDIS_URL:
    TASK_QUEUE = f"{_prefix}-{TEST_WORKER}"
    # "default" takes Wagtail's own tasks while a queue test has rq in place.
    RQ_QUEUES = {TASK_QUEUE: {"URL": REDIS_URL}, "default": {"URL": REDIS_URL}}
# A worker process a test starts (`manage.py work`) names its backend in TASK_BACKEND.
_test_backend = "immediate" if not env("TASK_BACKEND", default="") else TASK_BACKEND
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_test_backend], "QUEUES": sorted({TASK_QUEUE, "default"})}}
