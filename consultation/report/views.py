"""Serving the report: `<paper url>report/`, `report.pdf`, `report.csv`, `report.json`,
and frozen reports at `<paper url>report/frozen/<id>/` (with the same three files).

Every output is refused to whoever may not read the paper
(`consultation.view_report`), as the paper's text is.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from consultation.explain import explain
from consultation.exports.selectors import export_links
from consultation.models import Comment, FrozenReport, SectionPage
from consultation.models.reports import ReportSnapshot
from consultation.opinions.selectors import min_group_size, opinion_groups, with_declared_verdicts
from consultation.reactions.broadcast import clock
from consultation.report.builder import report_build
from consultation.report.render import render_body, render_csv, render_json, render_pdf

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def report_links(paper_url):
    return {kind: f"{paper_url}report.{kind}" for kind in CONTENT_TYPES}


def _refuse(request, paper, *, reason=None):
    verdict = explain(request.user, "consultation.view_report", paper)
    return TemplateResponse(
        request,
        "consultation/report/restricted.html",
        {"page": paper, "reason": reason, "verdict": verdict},
        status=403,
    )


def _refuse_file(request, paper):
    # The explainer's sentence, then the restriction's own published reason.
    text = explain(request.user, "consultation.view_report", paper).message
    if paper.restriction_reason:
        text += f" Reason: {paper.get_restriction_category_display()}. {paper.restriction_reason}"
    return HttpResponse(text, status=403, content_type="text/plain; charset=utf-8")


# ---------------------------------------------------------------- the live report


def _cache_seconds():
    return getattr(settings, "REPORT_CACHE_SECONDS", 5)


def _content_stamp(paper):
    """Changes at once with anything that may withdraw text from the report or add a
    section: the paper or a section published (restricted, renamed, added), a
    comment posted or hidden by a moderator, a new version. Two small queries."""
    sections = SectionPage.objects.child_of(paper).aggregate(n=Count("pk"), last=Max("last_published_at"))
    comments = Comment.objects.filter(paper=paper).aggregate(n=Count("pk"), hidden=Max("hidden_at"))
    parts = [
        paper.pk,
        paper.version_label,
        paper.last_published_at,
        sections["n"],
        sections["last"],
        comments["n"],
        comments["hidden"],
    ]
    return ":".join(str(part.timestamp() if hasattr(part, "timestamp") else part) for part in parts)


class ReportCache:
    """One build per state of the report, shared by every viewer asking at once.

    The live outputs (page, CSV, JSON) are keyed by the content stamp and the
    paper's tally clock, which moves with every broadcast tally change. The PDF
    takes seconds to lay out, so it is keyed by the content stamp and a time
    bucket of REPORT_PDF_SECONDS instead: its tallies may be that much behind
    the live ones (it says when its figures are from), but nothing withdrawn
    stays in it."""

    def __init__(self, paper):
        self.paper = paper
        self.stamp = _content_stamp(paper)

    def live_key(self, kind):
        epoch, tick = clock().current(self.paper.pk)
        return f"report:{self.stamp}:{epoch}:{tick}:{kind}"

    def get(self, key, make, *, seconds=None):
        seconds = _cache_seconds() if seconds is None else seconds
        if not seconds:
            return make()
        value = cache.get(key)
        if value is None:
            value = make()
            cache.set(key, value, seconds)
        return value

    def snapshot_json(self):
        return self.get(self.live_key("json"), lambda: render_json(report_build(paper=self.paper)))

    def snapshot(self):
        return ReportSnapshot.from_json(self.snapshot_json())

    def pdf(self, *, base_url):
        seconds = getattr(settings, "REPORT_PDF_SECONDS", 300)
        if not seconds:
            return render_pdf(self.snapshot(), base_url=base_url)
        key = f"report:{self.stamp}:{int(time.time() // seconds)}:pdf"
        value = cache.get(key)
        if value is not None:
            return value
        # One layout at a time per state: others wait for it rather than start their own.
        if not cache.add(f"{key}:lock", 1, timeout=PDF_LOCK_SECONDS):
            deadline = time.monotonic() + PDF_LOCK_SECONDS
            while time.monotonic() < deadline:
                time.sleep(0.5)
                value = cache.get(key)
                if value is not None:
                    return value
        try:
            value = render_pdf(self.snapshot(), base_url=base_url)
            cache.set(key, value, seconds * 2)
        finally:
            cache.delete(f"{key}:lock")
        return value


# Longest wait for another request's PDF layout before laying it out anyway.
PDF_LOCK_SECONDS = 120


def report_page(request, paper):
    if not request.user.has_perm("consultation.view_report", paper):
        return _refuse(request, paper)
    paper_url = paper.get_url(request=request)
    links = report_links(paper_url)
    reports = ReportCache(paper)
    body = reports.get(
        reports.live_key(f"body:{paper_url}"),
        lambda: render_body(reports.snapshot(), live=True, links=links),
    )
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
    # Beside the verdicts: the opinion groups found in the votes, and the votes themselves.
    verdicts = {s["id"]: s["classification"]["label"] for s in reports.snapshot()["sections"]}
    return TemplateResponse(
        request,
        "consultation/report/report.html",
        {
            "page": paper,
            "body": mark_safe(body),  # noqa: S308 - rendered by our templates, every value escaped
            "frozen_reports": frozen_reports,
            "can_freeze": request.user.has_perm("consultation.freeze_report", paper),
            "opinions": with_declared_verdicts(opinion_groups(paper=paper), verdicts),
            "exports": export_links(paper=paper),
            "min_group_size": min_group_size(),
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
        return _refuse_file(request, paper)
    reports = ReportCache(paper)
    if kind == "json":
        content = reports.snapshot_json()
    elif kind == "csv":
        content = reports.get(reports.live_key("csv"), lambda: render_csv(reports.snapshot()))
    else:
        content = reports.pdf(base_url=request.build_absolute_uri("/"))
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
        return _refuse_file(request, paper)
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
