"""Frozen consensus reports: the report of a signed version, kept exactly as it was.

At the end of sign-off an editor freezes the report for the signed version.
The snapshot (canonical JSON) and every rendered output are stored, so the
frozen report is served byte for byte as it was made, whatever later changes
to the data, the templates or the method. Rows are never updated or deleted;
the JSON's SHA-256 is also in the public process record, so a copy can be
checked against it.
"""

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class ReportSnapshot(dict):
    """The report as plain data. A dict, so templates, JSON and the database all take it as it is."""

    @property
    def sections(self):
        return self["sections"]

    def to_json(self):
        """The canonical JSON text: stable key order, so equal snapshots give equal bytes."""
        return json.dumps(self, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text):
        return cls(json.loads(text))


class FrozenReportError(Exception):
    """Raised on any attempt to change or delete a frozen report."""


class FrozenReportQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise FrozenReportError("A frozen report never changes.")

    def delete(self):
        raise FrozenReportError("A frozen report is part of the public record and cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise FrozenReportError("A frozen report never changes.")


class FrozenReport(models.Model):
    paper = models.ForeignKey(
        "consultation.PolicyPaperPage", on_delete=models.PROTECT, related_name="frozen_reports"
    )
    version = models.ForeignKey(
        "consultation.PaperVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frozen_reports",
    )
    version_label = models.CharField(max_length=40)
    # The snapshot as canonical JSON text: the bytes served as report.json.
    snapshot_json = models.TextField()
    json_sha256 = models.CharField(max_length=64)
    html = models.TextField(help_text="The report's body as rendered when frozen.")
    csv = models.TextField()
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    frozen_at = models.DateTimeField()
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The editor's public name at the time: the report reads the same if the account goes.
    frozen_by_name = models.CharField(max_length=200, blank=True)
    record_entry = models.OneToOneField(
        "consultation.RecordEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frozen_report",
    )

    objects = FrozenReportQuerySet.as_manager()

    class Meta:
        ordering = ["paper", "-frozen_at"]
        verbose_name = "frozen report"
        constraints = [
            models.UniqueConstraint(fields=["paper", "version_label"], name="one_frozen_report_per_version")
        ]

    def __str__(self):
        return f"Frozen report: {self.paper_id} {self.version_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenReportError("A frozen report never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenReportError("A frozen report is part of the public record and cannot be deleted.")

    @staticmethod
    def fingerprint(data):
        if isinstance(data, str):
            data = data.encode()
        return hashlib.sha256(bytes(data)).hexdigest()

    def snapshot(self):
        return ReportSnapshot.from_json(self.snapshot_json)


class ReportPdf(models.Model):
    """A PDF of the report, laid out in the background and kept as a file.

    Live PDFs are keyed by the report's content stamp (anything that may
    withdraw text or add a section changes it), so a PDF made before a section
    was restricted is never served after. A frozen report's PDF is made once
    (`frozen` is unique) and its SHA-256 goes into the public record."""

    paper = models.ForeignKey("consultation.PolicyPaperPage", on_delete=models.CASCADE, related_name="+")
    frozen = models.OneToOneField(
        FrozenReport, on_delete=models.PROTECT, null=True, blank=True, related_name="pdf_file"
    )
    content_stamp = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to="reports/")
    sha256 = models.CharField(max_length=64)
    # When the report's figures were read: the PDF says so too.
    figures_as_of = models.DateTimeField()
    built_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-built_at", "-pk"]

    def __str__(self):
        return f"Report PDF: {self.paper_id}{f' frozen {self.frozen_id}' if self.frozen_id else ''}"
