"""The API's HTTP manners: cursors, conditional requests, CORS and rate limits.

`ApiMiddleware` wraps every response under `/api/`:
- counts the request against the `api` rate limit (site/core/limits.py) and
  answers 429 in JSON when it is over;
- answers CORS preflights and lets any origin *read* (GET, HEAD): the API is
  public data, and a cross-origin request carries no cookies, so it reads as
  anonymous (`Access-Control-Allow-Credentials` is never sent);
- gives every successful GET a strong `ETag` (a hash of the body) and, where
  the endpoint knows it, `Last-Modified`, and answers `If-None-Match` /
  `If-Modified-Since` with 304 (Django's own `get_conditional_response`).

Cursors are opaque to clients: base64url of a small JSON object naming the
last key of the previous page. Keyset pagination, so a page never shifts when
rows are added before it.
"""

import base64
import binascii
import json

from django.http import HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.http import http_date

from core.limits import limit_exceeded

API_PREFIX = "/api/"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
READ_METHODS = ("GET", "HEAD", "OPTIONS")
EXPOSED_HEADERS = "ETag, Last-Modified, Link, Retry-After"


class BadCursor(ValueError):
    """A cursor this API did not hand out."""


def cursor_encode(key):
    raw = json.dumps({"after": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor):
    """The key after which the next page starts, or None for the first page."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = data["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as bad:
        raise BadCursor("This cursor was not handed out by this API.") from bad
    if not isinstance(key, int) or isinstance(key, bool) or not 0 <= key < 2**63:
        raise BadCursor("This cursor was not handed out by this API.")
    return key


def keyset_page(queryset, *, cursor, limit, key="pk"):
    """One page of `queryset` ordered by the integer field `key`, and the next cursor (or None)."""
    after = cursor_decode(cursor)
    limit = max(1, min(limit or DEFAULT_LIMIT, MAX_LIMIT))
    if after is not None:
        queryset = queryset.filter(**{f"{key}__gt": after})
    rows = list(queryset.order_by(key)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = cursor_encode(getattr(rows[-1], key)) if more and rows else None
    return rows, next_cursor


def last_modified(request, *moments):
    """Note the latest of `moments` as the response's Last-Modified (the middleware sets it)."""
    moments = [m for m in moments if m is not None]
    if moments:
        latest = max(moments)
        current = getattr(request, "api_last_modified", None)
        request.api_last_modified = latest if current is None else max(current, latest)


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            return _cors(_preflight())
        if limit_exceeded(request, "api"):
            response = JsonResponse(
                {
                    "code": "rate_limited",
                    "detail": "Too many requests in a short while. Please wait a minute and try again.",
                },
                status=429,
            )
            response["Retry-After"] = "60"
            return _cors(response)
        head = request.method == "HEAD"
        if head:
            # Answered as the GET it stands for (its headers, ETag included), without the body.
            request.method = "GET"
        try:
            response = self._conditional(request, self.get_response(request))
        finally:
            if head:
                request.method = "HEAD"
        return _without_body(response) if head else response

    def _conditional(self, request, response):
        if request.method not in READ_METHODS:
            return response
        _cors(response)
        # Signed-in readers (editors) may see more than the public: never share across people.
        patch_vary_headers(response, ("Cookie",))
        if response.status_code != 200 or response.streaming:
            return response
        modified = getattr(request, "api_last_modified", None)
        if modified is not None:
            response["Last-Modified"] = http_date(modified.timestamp())
        set_response_etag(response)
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=int(modified.timestamp()) if modified is not None else None,
            response=response,
        )


def _without_body(response):
    if response.streaming:
        return response
    length = len(response.content)
    response.content = b""
    response["Content-Length"] = str(length)
    return response


def _preflight():
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
    response["Access-Control-Max-Age"] = "86400"
    return response
