"""Rate limits: how often one person, address or network may do something.

The counting is django-ratelimit's, in the default cache (Redis when
`REDIS_URL` is set, so every process shares the counts). Each limit is named
in `settings.RATE_LIMITS` (README: configuration), read at request time, and
may hold several rates separated by commas ("6/m,100/d": a burst and a day).
What a limit counts by is fixed here, beside its name.

Views ask `limit_exceeded(request, name, ...)` before doing the work and, when
it says yes, answer 429 with their own form re-rendered (the person's input
kept) and `TOO_MANY`. Wrong passwords are counted separately, by django-axes.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django_ratelimit import ALL
from django_ratelimit.core import (
    _SIMPLE_KEYS,
    EXPIRATION_FUDGE,
    _get_window,
    _make_cache_key,
    _split_rate,
    is_ratelimited,
)
from redis.exceptions import RedisError

from .emails import email_key

logger = logging.getLogger(__name__)

TOO_MANY = (
    "You have done this too many times in a short while. Nothing was lost: what you typed is still "
    "here. Please wait a few minutes and try again."
)
TOO_MANY_PAGE = "You have done this too many times in a short while. Please wait a few minutes and try again."


def _posted_email(group, request):
    return email_key(request.POST.get("email", "")) or None


def _posted_username(group, request):
    return (request.POST.get("username") or "").strip().lower()[:150] or None


# What each named limit counts by (django-ratelimit keys).
KEYS = {
    "login_ip": "ip",
    "login_username": _posted_username,
    "signup_ip": "ip",
    "signup_email": _posted_email,
    "password_reset_ip": "ip",
    "password_reset_email": _posted_email,
    "verify_email": "user_or_ip",
    "email_change": "user_or_ip",
    "comment": "user_or_ip",
    "reaction": "user_or_ip",
    "proposal": "user_or_ip",
    "flag": "user_or_ip",
    "register_interest_ip": "ip",
    "api": "user_or_ip",
    "search": "user_or_ip",
    "csp_report": "ip",
}


def limit_exceeded(request, *names):
    """Count this request against each named limit; True if any is over.

    Every limit is counted (not only up to the first one over), so the counts
    stay true when several apply to one request."""
    over = False
    for name in names:
        key = KEYS[name]
        # A key that cannot be read (no address typed) has nothing to count.
        if callable(key) and key(name, request) is None:
            continue
        for rate in filter(None, (r.strip() for r in settings.RATE_LIMITS[name].split(","))):
            try:
                over |= _counted_over(request, group=f"openpolicy.{name}", key=key, rate=rate)
            except Exception:  # noqa: BLE001 - any cache failure
                # The cache is down: a limit must not turn that into an outage.
                logger.warning("Rate limit %s not checked: the cache is unavailable", name, exc_info=True)
    request.limited = getattr(request, "limited", False) or over
    return over


def _counted_over(request, *, group, key, rate):
    """Count this request against `rate`; whether it is now over.

    django-ratelimit's count (its key, window and expiry, in its cache), in one Redis round
    trip where the cache is django-redis's: the key is created at 0 if absent and then
    incremented, pipelined, where django-ratelimit makes two trips (add, then incr). Every
    reaction POST is counted, and each trip to Redis costs it more CPU than the count.
    Elsewhere (the local-memory cache of development and tests), django-ratelimit's own."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    try:
        client = cache.client.get_client(write=True)
    except AttributeError:
        return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False
    value = key(group, request) if callable(key) else _SIMPLE_KEYS[key](request)
    limit, period = _split_rate(rate)
    window = _get_window(value, period)
    stored = cache.make_key(_make_cache_key(group, window, rate, value, ALL))
    pipeline = client.pipeline(transaction=False)
    # django-redis stores integers as they are (not pickled), so its incr and get read these.
    pipeline.set(stored, 0, nx=True, ex=period + EXPIRATION_FUDGE)
    pipeline.incr(stored)
    try:
        _, count = pipeline.execute()
    except (RedisError, OSError):
        # Redis is down: what django-ratelimit does when its cache fails (RATELIMIT_FAIL_OPEN),
        # and, as the cache's own misses, not logged for every request (settings: CACHES).
        return not getattr(settings, "RATELIMIT_FAIL_OPEN", False)
    return count > limit
