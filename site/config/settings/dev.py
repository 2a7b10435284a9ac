"""Local development: `make run`. Safe defaults; never used in production."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-secret-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# `manage.py load_demo` creates accounts with a published password: only here
# (and in the test settings, which build on these) may it run.
DEMO_DATA_ALLOWED = True

# Serve static files straight from the apps under the ASGI server, no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
