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

Shared fragments (`{% shared_fragment %}`) are stored compressed too, each as a `Piece`: a
run of deflate blocks that starts afresh and ends on a byte boundary, with its CRC-32 and
length. A page rendered around stored fragments (`CachedPageMixin.serve()`) holds them as
pieces (`PiecedResponse`); when it is not stored (a query string), it is gzipped by
compressing only its own text between them: the fragments are neither read as text nor
compressed again, and the 100-section paper (1.6 MB) goes out as 250 kB of gzip in one
gzip member, as every client reads it. A page that is stored is compressed whole (70 kB):
it is sent many times.
"""

import gzip
import hashlib
import logging
import secrets
import struct
import time
import zlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

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
    # Fail soft, as the cache itself does (settings: IGNORE_EXCEPTIONS): never an error for
    # the write. Logged, because stale pages then live until PAGE_CACHE_SECONDS and the
    # reaction POSTs' remembered sections for up to a minute.
    try:
        script(keys=[cache.make_key(_tag_key(tag)) for tag in tags], args=[_fresh_generation()])
    except RedisError:
        logger.warning("Page cache: could not bump %s", ", ".join(tags), exc_info=True)
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
    # "fragment2": renderings stored as `Piece`s (before, as text).
    return f"{PREFIX}:fragment2:{key}"


# Deflate as gzip uses it, without gzip's header and trailer (written once per page).
_RAW_DEFLATE = -zlib.MAX_WBITS
_LEVEL = 6


class Piece:
    """A fragment's rendering, compressed once: deflate blocks that refer to nothing before
    them and end on a byte boundary (a full flush), so pieces and other text compressed the
    same way can follow each other in one deflate stream. `crc` and `size` are those of
    the UTF-8 text; `zeros_crc` is the CRC-32 of `size` zero bytes (see `_crc_after`)."""

    __slots__ = ("deflate", "crc", "size", "zeros_crc")

    def __init__(self, deflate, crc, size, zeros_crc):
        self.deflate, self.crc, self.size, self.zeros_crc = deflate, crc, size, zeros_crc

    @classmethod
    def of(cls, text):
        data = text.encode()
        compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, _RAW_DEFLATE)
        deflate = compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)
        return cls(deflate, zlib.crc32(data), len(data), zlib.crc32(_zeros(len(data))))

    def data(self):
        return zlib.decompressobj(_RAW_DEFLATE).decompress(self.deflate)

    def text(self):
        return self.data().decode()

    def __reduce__(self):  # pickled into the cache as a plain tuple
        return (Piece, (self.deflate, self.crc, self.size, self.zeros_crc))


_zero_bytes = bytes(1 << 16)


def _zeros(size):
    global _zero_bytes
    if size > len(_zero_bytes):
        _zero_bytes = bytes(max(size, 2 * len(_zero_bytes)))
    return memoryview(_zero_bytes)[:size]


def _crc_after(crc, piece):
    """The CRC-32 of some bytes (whose CRC is `crc`) followed by `piece`'s text, without
    the text. CRC-32 is affine in the message: for equal lengths, crc(x ^ y) = crc(x) ^
    crc(y) ^ crc(zeros). With A||B = (A||zeros) ^ (zeros||B), and leading zeros not
    changing the linear part: crc(A||B) = crc(A||zeros) ^ crc(B) ^ crc(zeros of len B)."""
    return zlib.crc32(_zeros(piece.size), crc) ^ piece.crc ^ piece.zeros_crc


def gzip_of_parts(parts):
    """One gzip member of `parts` (bytes of text and `Piece`s, in order): the text compressed
    here, each piece's deflate blocks copied as they are."""
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, _RAW_DEFLATE)
    out = [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"]  # gzip, deflate, no name, no time
    crc = size = 0
    for part in parts:
        if isinstance(part, Piece):
            out.append(part.deflate)
            crc, size = _crc_after(crc, part), size + part.size
        elif part:
            # A full flush: what follows may be a piece, so nothing after may refer back.
            out.append(compressor.compress(part) + compressor.flush(zlib.Z_FULL_FLUSH))
            crc, size = zlib.crc32(part, crc), size + len(part)
    out.append(compressor.flush(zlib.Z_FINISH))
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)


class PieceMarks:
    """Kept on the request while a page renders (`CachedPageMixin.serve()`): a stored
    fragment is written into the template's output as a mark, and the page's text is split
    on the marks into a `PiecedResponse`. The marks hold a random token, so nothing a
    page shows (a comment, say) can pass for one."""

    def __init__(self):
        self.token = secrets.token_hex(8)
        self.pieces = []
        self.open = True  # False while a fragment renders: what it holds is stored as text

    def mark(self, piece):
        self.pieces.append(piece)
        return f"\x00{self.token}{len(self.pieces) - 1}\x00"

    def parts(self, content):
        """`content` (the rendered page, bytes) as text and pieces, or None without marks."""
        if not self.pieces:
            return None
        chunks = content.split(f"\x00{self.token}".encode())
        parts = [chunks[0]]
        for chunk in chunks[1:]:
            index, text = chunk.split(b"\x00", 1)
            parts += [self.pieces[int(index)], text]
        return parts


class PiecedResponse(HttpResponse):
    """A page with stored fragments in it as `Piece`s. Its `content` is the whole page
    (decompressed when first asked for); the page cache gzips it from the parts
    (`gzip_of_parts`) without asking."""

    def __init__(self, parts, *, like):
        super().__init__(status=like.status_code, headers=like.headers)
        self.cookies = like.cookies
        self.parts = parts
        self.joined = False
        # Set here so that nothing (CommonMiddleware) joins the page only to measure it.
        self["Content-Length"] = str(sum(len(p) if isinstance(p, bytes) else p.size for p in parts))

    def _join(self):
        if not self.joined:
            self.joined = True
            self._container = [b"".join(p if isinstance(p, bytes) else p.data() for p in self.parts)]

    @property
    def content(self):
        self._join()
        return HttpResponse.content.fget(self)

    @content.setter
    def content(self, value):
        HttpResponse.content.fset(self, value)
        self.joined, self.parts = True, list(self._container)

    def __iter__(self):
        self._join()
        return super().__iter__()

    def write(self, content):
        self._join()
        super().write(content)

    def tell(self):
        self._join()
        return super().tell()

    def text_contains(self, needle):
        """Whether the page's own text holds `needle` (pieces never hold a CSRF token:
        `{% shared_fragment %}` does not store one)."""
        return any(needle in part for part in self.parts if isinstance(part, bytes))


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
        and not _holds_csrf_token(response)
    )


def _holds_csrf_token(response):
    if isinstance(response, PiecedResponse) and not response.joined:
        return response.text_contains(b"csrfmiddlewaretoken")
    return b"csrfmiddlewaretoken" in response.content


class PageCacheMiddleware:
    """Serves and stores anonymous readers' pages (see the module's docstring). Sits after
    the security headers and static files, before sessions, authentication and CSRF."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not anonymous_request(request) or seconds() <= 0:
            response = self.get_response(request)
            # Not stored (a query string, say), but built of stored fragments: nobody's
            # own, so gzipped from its pieces as the stored page would be.
            if isinstance(response, PiecedResponse) and _accepts_gzip(request) and _shareable(response):
                response = self._gzipped(response, gzip_of_parts(response.parts))
            return response
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
                # The whole page compressed as one (not from its pieces, as a rendering
                # for one request is): pieces compressed one by one share nothing, and the
                # 100-section paper would be 250 kB to every reader instead of 70 kB.
                "gzip": gzip.compress(response.content, compresslevel=_LEVEL),
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

    def _gzipped(self, response, body):
        compressed = HttpResponse(body, status=response.status_code, headers=response.headers)
        compressed["Content-Length"] = str(len(body))
        compressed["Content-Encoding"] = "gzip"
        patch_vary_headers(compressed, ("Accept-Encoding",))
        return compressed


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
        if subpage or seconds() <= 0:
            return super().serve(request, *args, **kwargs)
        if not anonymous_request(request):
            return self._serve_pieced(request, *args, **kwargs)
        seen = generations(self.page_cache_tags())  # before the page reads its data
        return cacheable_for(self._serve_pieced(request, *args, **kwargs), seen)

    def _serve_pieced(self, request, *args, **kwargs):
        # Stored fragments go into the page as pieces (see the module's docstring).
        request.piece_marks = marks = PieceMarks()
        try:
            response = super().serve(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        finally:
            del request.piece_marks
        parts = None if response.streaming else marks.parts(response.content)
        return response if parts is None else PiecedResponse(parts, like=response)
