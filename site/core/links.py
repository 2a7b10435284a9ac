"""Absolute links for emails and feeds.

In production SITE_URL is required and is the only source. In development it may be
unset: links then use the address the current request came in on (`make run PORT=8123`
sends links to port 8123, not 8000), which the middleware below remembers for the
request. Outside a request (a management command) they fall back to DEV_SITE_URL.
"""

from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings

DEV_SITE_URL = "http://127.0.0.1:8000"

_request_origin = ContextVar("request_origin", default=None)


def public_origin():
    """scheme://host[:port] that absolute links start with (no trailing slash)."""
    if settings.SITE_URL:
        return settings.SITE_URL
    return _request_origin.get() or DEV_SITE_URL


class RequestOriginMiddleware:
    """Remember the request's origin while it is served, for links built without it at hand.

    Only read when SITE_URL is unset (development): there the Host header has already
    passed ALLOWED_HOSTS, and production never consults it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_URL:
            return self.get_response(request)
        token = _request_origin.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)


def site_url(url):
    """An absolute link on the public address (`public_origin()`: SITE_URL, https in
    production), whatever host Wagtail or Django would have put in the URL: in
    production links in emails never come from a request's Host header."""
    parts = urlsplit(str(url))
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    if parts.query:
        path += f"?{parts.query}"
    if parts.fragment:
        path += f"#{parts.fragment}"
    return public_origin() + path
