"""Writes of the consensus report: freezing it for the signed version."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from consultation.models import FrozenReport, PaperVersion, PolicyPaperPage
from consultation.models.pages import Stage
from consultation.record.services import record_event
from consultation.report.builder import report_build
from consultation.report.render import render_body, render_csv, render_json, render_pdf


def report_freeze(*, paper, actor, base_url=None):
    """Freeze the report of the paper's current (signed) version and record it publicly.

    The snapshot and every output (HTML body, CSV, JSON, PDF) are rendered
    once and stored; the frozen report never changes. The process record gets
    a `report_frozen` entry carrying the JSON's and the PDF's SHA-256.

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
    pdf = render_pdf(snapshot, base_url=base_url)

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
                    "pdf_sha256": FrozenReport.fingerprint(pdf),
                    "sections_by_classification": counts,
                },
            )
            return FrozenReport.objects.create(
                paper=paper,
                version=version,
                version_label=label,
                snapshot_json=json_text,
                json_sha256=json_sha256,
                html=html,
                csv=csv_text,
                pdf=pdf,
                pdf_sha256=FrozenReport.fingerprint(pdf),
                frozen_at=frozen_at,
                frozen_by=actor,
                frozen_by_name=frozen_by_name,
                record_entry=entry,
            )
    except IntegrityError as clash:
        raise ValidationError(already) from clash
