"""Settings for the test suite (pytest). Same services as dev, faster hashing."""

from .dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
WHITENOISE_AUTOREFRESH = True

# Limits high enough that no other test meets them; rate-limit tests lower one
# with override_settings (tests/site/test_limits.py).
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "100000/m")  # noqa: F405
AXES_FAILURE_LIMIT = 100000
