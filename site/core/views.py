"""Site-wide views that belong to no app."""

import json
import logging

from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from .limits import limit_exceeded

csp_logger = logging.getLogger("core.csp")


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """`/favicon.ico`, which browsers request on every site: the SVG icon in static files."""
    return redirect(static("favicon.svg"), permanent=True)


# A browser's report is a few hundred bytes; anything much larger is not one.
CSP_REPORT_MAX_BYTES = 16_384


@csrf_exempt  # browsers send reports without cookies or tokens
@require_POST
def csp_report(request):
    """Where browsers report what the Content-Security-Policy blocked (`report-uri`).

    A blocked script on a public page may be an attack or a broken page: each
    report is logged (logger `core.csp`) with the directive and the blocked and
    document addresses, their query strings dropped (they can hold personal
    data). Counted per address (`RATE_LIMIT_CSP_REPORT`); answers 204."""
    if int(request.headers.get("Content-Length") or 0) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    if limit_exceeded(request, "csp_report"):
        return HttpResponse(status=429)
    try:
        report = json.loads(request.body or b"{}").get("csp-report") or {}
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    if not isinstance(report, dict):
        return HttpResponse(status=400)
    csp_logger.warning(
        "Content-Security-Policy blocked %s (%s) on %s",
        _without_query(report.get("blocked-uri")),
        str(report.get("effective-directive") or report.get("violated-directive") or "?")[:100],
        _without_query(report.get("document-uri")),
    )
    return HttpResponse(status=204)


def _without_query(value):
    return str(value or "?").split("?")[0].split("#")[0][:300]
