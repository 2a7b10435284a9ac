"""Serving the report: `<paper url>report/`, `report.pdf`, `report.csv`, `report.json`,
and frozen reports at `<paper url>report/frozen/<id>/` (with the same three files).

Every output is refused to whoever may not read the paper
(`consultation.view_report`), as the paper's text is.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from consultation.explain import explain
from consultation.exports.selectors import export_links
from consultation.models import FrozenReport, ReportPdf, SectionPage
from consultation.models.reports import ReportSnapshot
from consultation.opinions.selectors import min_group_size, opinion_groups, with_declared_verdicts
from consultation.reactions.broadcast import clock
from consultation.report.builder import report_build
from consultation.report.render import render_body, render_csv, render_json
from consultation.report.services import report_content_stamp, report_pdf_request

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


class ReportCache:
    """One build per state of the report, shared by every viewer asking at once.

    The live outputs (page, CSV, JSON) are keyed by the content stamp and the
    paper's tally clock, which moves with every broadcast tally change. The PDF
    takes seconds to lay out, so it is made in the background and stored
    (services.report_pdf_request): its tallies may be up to REPORT_PDF_SECONDS
    behind the live ones (it says when its figures are from), but nothing
    withdrawn stays in it."""

    def __init__(self, paper):
        self.paper = paper
        self.stamp = report_content_stamp(paper)

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
        pdf = report_pdf_request(paper=paper)
        if pdf is None:
            return _pdf_being_prepared(request, paper)
        return _stored_pdf_response(pdf, filename=_download_name(paper, paper.version_label, kind))
    return _file_response(content, kind=kind, filename=_download_name(paper, paper.version_label, kind))


# Seconds between reloads of the "being prepared" page.
PDF_REFRESH_SECONDS = 10


def _pdf_being_prepared(request, paper, *, frozen=None):
    """Said at once, instead of waiting for the layout. The page reloads itself (a meta
    refresh: no script) only when the reader asks it to (`?keep_checking=1`): a timed reload
    nobody asked for fails WCAG 2.2.1 (technique F41). Programs read `Retry-After`."""
    response = TemplateResponse(
        request,
        "consultation/report/pdf_preparing.html",
        {
            "page": paper,
            "frozen": frozen,
            "refresh_seconds": PDF_REFRESH_SECONDS,
            "keep_checking": request.GET.get("keep_checking") == "1",
        },
        status=202,
    )
    response["Retry-After"] = str(PDF_REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _stored_pdf_response(pdf, *, filename):
    with pdf.file.open("rb") as handle:
        response = _file_response(handle.read(), kind="pdf", filename=filename)
    response["X-Figures-As-Of"] = pdf.figures_as_of.isoformat()
    return response


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
    filename = _download_name(paper, frozen.version_label, kind, frozen=True)
    if kind == "pdf" and not frozen.pdf:
        # Frozen since PDFs are made in the background: the stored file, once laid out.
        stored = ReportPdf.objects.filter(frozen=frozen).first()
        if stored is None:
            return _pdf_being_prepared(request, paper, frozen=frozen)
        return _stored_pdf_response(stored, filename=filename)
    content = {"json": frozen.snapshot_json, "csv": frozen.csv, "pdf": bytes(frozen.pdf or b"")}[kind]
    return _file_response(content, kind=kind, filename=filename)
