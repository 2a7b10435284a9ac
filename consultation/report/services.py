"""Writes of the consensus report: freezing it for the signed version, and its PDFs.

PDFs take seconds to lay out (about a minute for a hundred sections), so no
request waits for one: they are laid out by background jobs and stored as
files (`ReportPdf`). The live report's PDF is rebuilt when asked for after a
change, at most once per REPORT_PDF_SECONDS for the same content; a frozen
report's PDF once, after the freeze, with its SHA-256 added to the record.
"""

import hashlib
import time
import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from consultation.models import Comment, FrozenReport, PaperVersion, PolicyPaperPage, ReportPdf, SectionPage
from consultation.models.pages import Stage
from consultation.record.services import record_event
from consultation.report.builder import report_build
from consultation.report.render import render_body, render_csv, render_json, render_pdf
from jobs.services import background, job_enqueue


def report_freeze(*, paper, actor, base_url=None):
    """Freeze the report of the paper's current (signed) version and record it publicly.

    The snapshot and every output (HTML body, CSV, JSON, PDF) are rendered
    once and stored; the frozen report never changes. The process record gets
    a `report_frozen` entry carrying the JSON's SHA-256. The PDF is laid out by a
    background job started on commit (`report_pdf_build_frozen`), which adds
    its SHA-256 to the record in a `report_pdf` entry: freezing returns at once.

    Raises ValidationError outside the sign-off stage or if this version's
    report is already frozen, and PermissionDenied unless `actor` may freeze
    it (`consultation.freeze_report`: an editor who may publish the paper).
    """
    consultation = paper.consultation
    # The stage is the process's state, not a permission: it binds superusers too
    # (Django answers every has_perm of a superuser with yes).
    if consultation.current_stage != Stage.SIGNOFF:
        raise ValidationError(
            "Reports are frozen at the end of sign-off; this consultation is at the "
            f"“{consultation.get_current_stage_display()}” stage."
        )
    if not actor.has_perm("consultation.freeze_report", paper):
        raise PermissionDenied(
            "Only editors who may publish this paper can freeze its report, during sign-off."
        )
    label = paper.version_label
    already = f"The report for {label} is already frozen; a frozen report never changes."
    if FrozenReport.objects.filter(paper=paper, version_label=label).exists():
        raise ValidationError(already)

    version = PaperVersion.objects.filter(paper=paper, label=label).first()
    snapshot = report_build(paper=paper, version=version)
    json_text = render_json(snapshot)
    json_sha256 = FrozenReport.fingerprint(json_text)
    frozen_at = timezone.now()
    frozen_by_name = getattr(actor, "public_name", "") or actor.get_username()
    frozen_info = {"frozen_by_name": frozen_by_name, "json_sha256": json_sha256, "frozen_at": frozen_at}
    # Relative links: the frozen body is served at report/frozen/<id>/, beside its files.
    links = {"pdf": "report.pdf", "csv": "report.csv", "json": "report.json"}
    html = render_body(snapshot, frozen=frozen_info, links=links)
    csv_text = render_csv(snapshot)

    try:
        with transaction.atomic():
            # One freeze at a time per paper; the unique constraint backs this up.
            PolicyPaperPage.objects.select_for_update().filter(pk=paper.pk).exists()
            if FrozenReport.objects.filter(paper=paper, version_label=label).exists():
                raise ValidationError(already)
            counts = {row["key"]: row["sections"] for row in snapshot["summary"]["by_classification"]}
            entry = record_event(
                consultation=consultation,
                kind="report_frozen",
                actor=actor,
                summary=(
                    f"The consensus report on “{paper.title}” ({label}) was frozen at the end of sign-off."
                ),
                data={
                    "paper": paper.pk,
                    "version": label,
                    "json_sha256": json_sha256,
                    "sections_by_classification": counts,
                },
            )
            frozen = FrozenReport.objects.create(
                paper=paper,
                version=version,
                version_label=label,
                snapshot_json=json_text,
                json_sha256=json_sha256,
                html=html,
                csv=csv_text,
                # The PDF is a file of its own (ReportPdf), made in the background.
                pdf=b"",
                pdf_sha256="",
                frozen_at=frozen_at,
                frozen_by=actor,
                frozen_by_name=frozen_by_name,
                record_entry=entry,
            )
            job_enqueue(
                "consultation.report.services.report_pdf_build_frozen",
                kwargs={"frozen_id": frozen.pk},
                key=f"report-pdf-frozen:{frozen.pk}",
                label=f"PDF of the frozen report on “{paper.title}” ({label})",
            )
            return frozen
    except IntegrityError as clash:
        raise ValidationError(already) from clash


# ---------------------------------------------------------------- PDFs


def report_content_stamp(paper):
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


def _current_pdf(paper, stamp):
    return ReportPdf.objects.filter(paper=paper, frozen=None, content_stamp=stamp).first()


def report_pdf_request(*, paper):
    """The live report's latest PDF for its present content (None while the first
    is being laid out), asking for a new one in the background when there is
    none or it is older than REPORT_PDF_SECONDS. Never lays anything out itself."""
    stamp = report_content_stamp(paper)
    current = _current_pdf(paper, stamp)
    seconds = getattr(settings, "REPORT_PDF_SECONDS", 300)
    if current is None or (timezone.now() - current.built_at).total_seconds() >= seconds:
        # One build per paper, content and period, however many people ask.
        bucket = int(time.time() // seconds) if seconds else uuid.uuid4().hex
        digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
        job_enqueue(
            "consultation.report.services.report_pdf_build",
            kwargs={"paper_id": paper.pk},
            key=f"report-pdf:{paper.pk}:{digest}:{bucket}",
            label=f"PDF of the report on “{paper.title}”",
        )
        if current is None:
            # A backend that runs jobs as they come (tests) has made it already.
            current = _current_pdf(paper, stamp)
    return current


def _lay_out(snapshot):
    pdf = render_pdf(snapshot, base_url=settings.SITE_URL + "/")
    # Tests make the layout slow to show that no request waits for it.
    delay = getattr(settings, "REPORT_PDF_EXTRA_SECONDS", 0)
    if delay:
        time.sleep(delay)
    return pdf


def _figures_as_of(snapshot):
    try:
        return datetime.fromisoformat(snapshot["generated_at"])
    except (KeyError, TypeError, ValueError):
        return timezone.now()


@background
def report_pdf_build(*, paper_id):
    """Lay out the live report's PDF and store it; older live PDFs of the paper go."""
    paper = PolicyPaperPage.objects.filter(pk=paper_id).first()
    if paper is None:
        return None
    stamp = report_content_stamp(paper)
    snapshot = report_build(paper=paper)
    pdf = _lay_out(snapshot)
    with transaction.atomic():
        made = ReportPdf.objects.create(
            paper=paper,
            content_stamp=stamp,
            file=ContentFile(pdf, name=f"{paper.pk}-{uuid.uuid4().hex}.pdf"),
            sha256=FrozenReport.fingerprint(pdf),
            figures_as_of=_figures_as_of(snapshot),
        )
        older = list(ReportPdf.objects.filter(paper=paper, frozen=None).exclude(pk=made.pk))
        ReportPdf.objects.filter(pk__in=[p.pk for p in older]).delete()
        names = [p.file.name for p in older]
        transaction.on_commit(lambda: [made.file.storage.delete(name) for name in names])
    return made.pk


@background
def report_pdf_build_frozen(*, frozen_id):
    """Lay out a frozen report's PDF once, store it, and put its SHA-256 in the
    public record. A retried job that finds the PDF made does nothing."""
    frozen = FrozenReport.objects.defer("pdf").select_related("paper").get(pk=frozen_id)
    if ReportPdf.objects.filter(frozen=frozen).exists():
        return None
    snapshot = frozen.snapshot()
    pdf = _lay_out(snapshot)
    sha256 = FrozenReport.fingerprint(pdf)
    paper = frozen.paper
    try:
        with transaction.atomic():
            made = ReportPdf.objects.create(
                paper=paper,
                frozen=frozen,
                file=ContentFile(pdf, name=f"{paper.pk}-frozen-{frozen.pk}-{uuid.uuid4().hex}.pdf"),
                sha256=sha256,
                figures_as_of=_figures_as_of(snapshot),
            )
            record_event(
                consultation=paper.consultation,
                kind="report_pdf",
                actor=None,
                summary=(
                    f"The PDF of the frozen consensus report on “{paper.title}” ({frozen.version_label}) "
                    f"was laid out. Its SHA-256 is {sha256}."
                ),
                data={
                    "paper": paper.pk,
                    "version": frozen.version_label,
                    "frozen_report": frozen.pk,
                    "pdf_sha256": sha256,
                },
            )
    except IntegrityError:
        # Made by another attempt at the same moment.
        return None
    return made.pk
