"""Absolute links for emails and feeds."""

from urllib.parse import urlsplit

from django.conf import settings


def site_url(url):
    """An absolute link on the configured public address (SITE_URL, https in
    production), whatever host the request, Wagtail or Django would have put in
    the URL: links in emails must never come from a request's Host header."""
    parts = urlsplit(str(url))
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    if parts.query:
        path += f"?{parts.query}"
    if parts.fragment:
        path += f"#{parts.fragment}"
    return settings.SITE_URL + path
