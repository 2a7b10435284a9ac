"""Serving the report: `<paper url>report/`, `report.pdf`, `report.csv`, `report.json`,
and frozen reports at `<paper url>report/frozen/<id>/` (with the same three files).

Every output is refused to whoever may not read the paper
(`consultation.view_report`), as the paper's text is.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from ..broadcast import clock
from ..models import FrozenReport, SectionPage
from .builder import ReportSnapshot, report_build
from .render import render_body, render_csv, render_json, render_pdf

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def report_links(paper_url):
    return {kind: f"{paper_url}report.{kind}" for kind in CONTENT_TYPES}


def _refuse(request, paper, *, reason=None):
    return TemplateResponse(
        request, "consultation/report/restricted.html", {"page": paper, "reason": reason}, status=403
    )


def _refuse_file(paper):
    text = "This paper is restricted, so its report is withheld."
    if paper.restriction_reason:
        text += f" Reason: {paper.get_restriction_category_display()}. {paper.restriction_reason}"
    return HttpResponse(text, status=403, content_type="text/plain; charset=utf-8")


# ---------------------------------------------------------------- the live report


def _cache_seconds():
    return getattr(settings, "REPORT_CACHE_SECONDS", 5)


def _state_key(paper):
    """Changes whenever the report could: a tally broadcast (the live clock), a new
    version, or a section published (restricted, renamed, added). Other changes
    (comments, responses) show within REPORT_CACHE_SECONDS."""
    epoch, tick = clock().current(paper.pk)
    sections = SectionPage.objects.child_of(paper).aggregate(n=Count("pk"), last=Max("last_published_at"))
    stamp = sections["last"].timestamp() if sections["last"] else 0
    published = paper.last_published_at.timestamp() if paper.last_published_at else 0
    return f"report:{paper.pk}:{paper.version_label}:{epoch}:{tick}:{sections['n']}:{stamp}:{published}"


def _cached(paper, kind, make):
    """One build per change of state, shared by every viewer refreshing at once."""
    seconds = _cache_seconds()
    if not seconds:
        return make()
    key = f"{_state_key(paper)}:{kind}"
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, seconds)
    return value


def _snapshot_json(paper):
    return _cached(paper, "json", lambda: render_json(report_build(paper=paper)))


def report_page(request, paper):
    if not request.user.has_perm("consultation.view_report", paper):
        return _refuse(request, paper)
    paper_url = paper.get_url(request=request)
    links = report_links(paper_url)

    def make_body():
        snapshot = ReportSnapshot.from_json(_snapshot_json(paper))
        return render_body(snapshot, live=True, links=links)

    body = _cached(paper, f"body:{paper_url}", make_body)
    # The live script asks for the body alone, to swap in what changed.
    if request.GET.get("fragment") == "body":
        response = HttpResponse(body)
        response["Cache-Control"] = "no-store"
        return response
    frozen_reports = [
        {
            "version_label": f.version_label,
            "frozen_at": f.frozen_at,
            "url": f"{paper_url}report/frozen/{f.pk}/",
        }
        for f in FrozenReport.objects.filter(paper=paper).only("pk", "version_label", "frozen_at")
    ]
    return TemplateResponse(
        request,
        "consultation/report/report.html",
        {
            "page": paper,
            "body": mark_safe(body),  # noqa: S308 - rendered by our templates, every value escaped
            "frozen_reports": frozen_reports,
            "can_freeze": request.user.has_perm("consultation.freeze_report", paper),
        },
    )


def _download_name(paper, label, kind, frozen=False):
    return f"consensus-report-{slugify(paper.title)[:60]}-{label}{'-frozen' if frozen else ''}.{kind}"


def _file_response(content, *, kind, filename):
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    disposition = "attachment" if kind == "csv" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def report_file(request, paper, kind):
    if kind not in CONTENT_TYPES:
        raise Http404
    if not request.user.has_perm("consultation.view_report", paper):
        return _refuse_file(paper)
    if kind == "json":
        content = _snapshot_json(paper)
    elif kind == "csv":
        content = _cached(paper, "csv", lambda: render_csv(ReportSnapshot.from_json(_snapshot_json(paper))))
    else:
        base_url = request.build_absolute_uri("/")
        content = _cached(
            paper,
            "pdf",
            lambda: render_pdf(ReportSnapshot.from_json(_snapshot_json(paper)), base_url=base_url),
        )
    return _file_response(content, kind=kind, filename=_download_name(paper, paper.version_label, kind))


# ---------------------------------------------------------------- frozen reports


def _frozen_withheld(request, frozen):
    """Sections shown in the frozen report that have been restricted since, and that
    this person may not read. The frozen report is never altered, so it is withheld."""
    snapshot = frozen.snapshot()
    shown = [s["id"] for s in snapshot["sections"] if not s["restricted"]]
    restricted_since = list(SectionPage.objects.filter(pk__in=shown, restricted=True))
    return [s for s in restricted_since if not request.user.has_perm("consultation.view_body", s)]


def _frozen(request, paper, frozen_id, *, defer_pdf=True):
    reports = FrozenReport.objects.filter(paper=paper)
    if defer_pdf:
        reports = reports.defer("pdf")
    return get_object_or_404(reports, pk=frozen_id)


def frozen_page(request, paper, frozen_id):
    frozen = _frozen(request, paper, frozen_id)
    if not request.user.has_perm("consultation.view_report", paper):
        return _refuse(request, paper)
    withheld = _frozen_withheld(request, frozen)
    if withheld:
        return _refuse(request, paper, reason=withheld)
    return TemplateResponse(
        request,
        "consultation/report/frozen.html",
        {
            "page": paper,
            "frozen": frozen,
            "body": mark_safe(frozen.html),  # noqa: S308 - rendered by our templates when frozen
            "live_url": f"{paper.get_url(request=request)}report/",
        },
    )


def frozen_file(request, paper, frozen_id, kind):
    if kind not in CONTENT_TYPES:
        raise Http404
    frozen = _frozen(request, paper, frozen_id, defer_pdf=kind != "pdf")
    if not request.user.has_perm("consultation.view_report", paper):
        return _refuse_file(paper)
    if _frozen_withheld(request, frozen):
        return HttpResponse(
            "Part of this frozen report has since been restricted, so it is withheld.",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    content = {"json": frozen.snapshot_json, "csv": frozen.csv, "pdf": bytes(frozen.pdf or b"")}[kind]
    return _file_response(
        content, kind=kind, filename=_download_name(paper, frozen.version_label, kind, frozen=True)
    )
