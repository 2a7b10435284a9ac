"""Whole pages for anonymous readers, served before Django's session, authentication
and Wagtail's routing run, and invalidated by generation tags.

A page opts in by calling `cacheable_for(response, tags)` on its response (the page
models do it in `serve()`, see `CachedPageMixin`). `PageCacheMiddleware` stores such a
response only when nothing in it can be personal:

- the request: GET or HEAD, no query string, no session cookie (so nobody signed in,
  and no password-protected page opened with a session), no messages cookie, no
  Authorization header, not a preview;
- the response: 200, not streamed, no cookie set, no CSRF token in the body, not marked
  private or no-store.

Anyone else (a signed-in reader, a form's error page, a visitor with messages) is never
served a stored page and never stores one: their request goes through as if there were
no cache. The page anonymous readers get is the one the site renders for anonymous
readers, so restricted text (which the rules withhold from them) is never in it.

Invalidation is by tags: each stored page names the generation counters it depends on
(`site`, `paper:12`, …) with the values they had *before* it was rendered; a hit is
served only while every counter still has that value, so a write bumps a counter and
every page that depends on it is re-rendered on its next request. Which writes bump
which tags is the business of the apps (consultation/pages/cache.py). Bumps happen
at the write and again on commit, so a page rendered from data read before the commit
is never kept under the new generation.

The body is stored gzip-compressed once and sent as is to clients that accept gzip
(every browser); others get it decompressed.
"""

import contextlib
import gzip
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from redis.exceptions import RedisError

PREFIX = "page-cache"
DEFAULT_SECONDS = 600
# Headers set inside the cached part of the stack that the stored page keeps; the
# middleware outside it (security headers, CSP) adds its own to every response.
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options", "Cross-Origin-Opener-Policy")


def seconds():
    return getattr(settings, "PAGE_CACHE_SECONDS", DEFAULT_SECONDS)


def _tag_key(tag):
    return f"{PREFIX}:tag:{tag}"


def generations(tags):
    """{tag: current generation}, in one cache round trip when every tag exists. A tag
    never bumped, or evicted, starts at a value no stored page has seen (the clock in
    milliseconds), so an eviction can only make pages stale, never fresh again."""
    keys = {tag: _tag_key(tag) for tag in tags}
    found = cache.get_many(list(keys.values()))
    missing = [tag for tag, key in keys.items() if key not in found]
    if missing:
        for tag in missing:
            cache.add(keys[tag], _fresh_generation(), timeout=None)
        found.update(cache.get_many([keys[tag] for tag in missing]))
    return {tag: found.get(key) for tag, key in keys.items()}


# Every tag of a write in one round trip where the cache is Redis (a reaction bumps two): each
# counter goes up by one where it exists and starts from the clock where it does not (never
# bumped, or evicted), the rule of the loop in `_bump_now`, kept atomic per key by Redis.
_BUMP_SCRIPT = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('INCR', key)
  else
    redis.call('SET', key, ARGV[1])
  end
end
return #KEYS
"""
_bump_scripts = {}


def _redis_bump(tags):
    """Bump `tags` with one script call; False where the cache is not django-redis's."""
    try:
        client = cache.client.get_client(write=True)
    except AttributeError:
        return False
    script = _bump_scripts.get(id(client))
    if script is None:
        script = _bump_scripts[id(client)] = client.register_script(_BUMP_SCRIPT)
    # Fail soft and quietly, as the cache itself does (settings: IGNORE_EXCEPTIONS; the relays
    # and the tally clock log an outage): never an error for the write.
    with contextlib.suppress(RedisError):
        script(keys=[cache.make_key(_tag_key(tag)) for tag in tags], args=[_fresh_generation()])
    return True


def _bump_now(tags):
    if _redis_bump(tags):
        return
    for tag in tags:
        key = _tag_key(tag)
        try:
            cache.incr(key)
        except ValueError:  # never bumped, or evicted: a value no stored page has seen
            cache.set(key, _fresh_generation(), timeout=None)


def _fresh_generation():
    return int(time.time() * 1000)


def bump(*tags):
    """Start a new generation of each tag: now, and again when the transaction commits.
    Outside a transaction (autocommit) the write is already committed: once is enough,
    which saves a reaction's POST two cache round trips."""
    if not tags:
        return
    _bump_now(tags)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump_now(tags))


def fragment_cache_key(key):
    return f"{PREFIX}:fragment:{key}"


def fragments(keys):
    """{key: stored rendering} of the fragments (`{% shared_fragment %}`) stored under
    `keys`, in one cache round trip."""
    keys = [key for key in keys if key is not None]
    found = cache.get_many([fragment_cache_key(key) for key in keys])
    return {key: found[fragment_cache_key(key)] for key in keys if fragment_cache_key(key) in found}


def cacheable_for(response, seen):
    """Offer `response` to the page cache, valid while the tags keep the generations in
    `seen` (from `generations()`, read before the page read its data)."""
    response.page_cache_generations = dict(seen)
    return response


def anonymous_request(request):
    """True for a request that carries nothing personal (see the module's docstring)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _accepts_gzip(request):
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "").lower()


def _page_key(request):
    # Hashed: a path can be long (signed links are), and a cache key stays short and fixed.
    where = f"{request.get_host()}:{request.path}".encode()
    return f"{PREFIX}:page:{hashlib.sha256(where).hexdigest()}"


def _shareable(response):
    cache_control = response.get("Cache-Control", "").lower()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and b"csrfmiddlewaretoken" not in response.content
    )


class PageCacheMiddleware:
    """Serves and stores anonymous readers' pages (see the module's docstring). Sits after
    the security headers and static files, before sessions, authentication and CSRF."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not anonymous_request(request) or seconds() <= 0:
            return self.get_response(request)
        key = _page_key(request)
        entry = cache.get(key)
        if entry is not None:
            current = generations(entry["tags"])
            if current == entry["tags"]:
                return self._from_entry(request, entry)
        response = self.get_response(request)
        seen = getattr(response, "page_cache_generations", None)
        if seen and hasattr(response, "render") and not response.is_rendered:
            response.render()
        if seen and _shareable(response) and not getattr(request, "is_preview", False):
            stored = {
                "tags": seen,
                "gzip": gzip.compress(response.content, compresslevel=6),
                "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
            }
            cache.set(key, stored, seconds())
            if request.method == "GET":
                response = self._from_entry(request, stored) if _accepts_gzip(request) else response
        return response

    def _from_entry(self, request, entry):
        if _accepts_gzip(request):
            response = HttpResponse(entry["gzip"])
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(gzip.decompress(entry["gzip"]))
        for name, value in entry["headers"].items():
            response[name] = value
        patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
        response["X-Page-Cache"] = "hit"
        return response


class CachedPageMixin:
    """For Wagtail pages: offers the page's anonymous rendering to the page cache, tagged
    with `page_cache_tags()` (every page depends on "site"; pages add their own). Of a
    routable page, only the page itself: its sub-pages (a paper's versions, report,
    comments; a consultation's record) read other data and are not offered."""

    def page_cache_tags(self):
        return ("site",)

    def serve(self, request, *args, **kwargs):
        view = args[0] if args else kwargs.get("view")
        subpage = view is not None and getattr(view, "__name__", "") != "index_route"
        if subpage or not anonymous_request(request) or seconds() <= 0:
            return super().serve(request, *args, **kwargs)
        seen = generations(self.page_cache_tags())  # before the page reads its data
        return cacheable_for(super().serve(request, *args, **kwargs), seen)
