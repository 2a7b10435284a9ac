"""Named versions of a paper: immutable snapshots anyone can read and compare.

A `PaperVersion` freezes the published text of every live section of a paper
at one moment, as `SectionVersion` rows. Snapshots are never updated: the only
write path is `consultation.versions.services.version_publish`, and saving or
updating an existing snapshot raises `ImmutableSnapshotError`.

A section's identity across versions is its page id (`section_id`), the same
id its permalink uses, so a section keeps its history through edits, renames
and reordering. The id is kept even if the page is later deleted, which is why
the foreign key does not cascade and has no database constraint.
"""

from django.conf import settings
from django.db import models

from consultation.models.restriction import RestrictionCategory


class ImmutableSnapshotError(Exception):
    """Raised on any attempt to change or delete a published snapshot."""


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableSnapshotError("Published versions cannot be changed.")

    def delete(self):
        raise ImmutableSnapshotError("Published versions cannot be deleted.")

    # bulk_update goes through update(); refuse it by name too for a clearer trace.
    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableSnapshotError("Published versions cannot be changed.")


class ImmutableSnapshot(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableSnapshotError(
                f"{self._meta.verbose_name} is a published snapshot and cannot change."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableSnapshotError(
            f"{self._meta.verbose_name} is part of the public record and cannot be deleted."
        )


class SnapshotRestriction(models.Model):
    """The restriction as it stood when the snapshot was taken."""

    restricted = models.BooleanField(default=False)
    restriction_category = models.CharField(max_length=30, choices=RestrictionCategory.choices, blank=True)
    restriction_reason = models.TextField(blank=True)

    class Meta:
        abstract = True


class PaperVersion(SnapshotRestriction, ImmutableSnapshot):
    paper = models.ForeignKey(
        "consultation.PolicyPaperPage", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=40)
    # Optional words beside the number ("after working-group review"); `label` stays "vN",
    # which comments, reactions and sign-offs cite.
    name = models.CharField(max_length=120, blank=True, default="")
    change_note = models.TextField(help_text="What changed in this version, and why. Shown publicly.")
    title = models.CharField(max_length=255)
    summary_html = models.TextField(blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The editor's public name at the time, so the record reads the same if the account goes.
    published_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["paper", "number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="one_version_number_per_paper")
        ]
        verbose_name = "paper version"

    def __str__(self):
        return f"{self.title} {self.label}"

    @property
    def display_label(self):
        """ "v3 — after working-group review", or "v3" when the version has no name."""
        return f"{self.label} — {self.name}" if self.name else self.label

    @property
    def withholding(self):
        return withholding_restriction(self)


class SectionVersion(SnapshotRestriction, ImmutableSnapshot):
    version = models.ForeignKey(PaperVersion, on_delete=models.CASCADE, related_name="sections")
    section = models.ForeignKey(
        "consultation.SectionPage",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="snapshots",
    )
    position = models.PositiveIntegerField(help_text="The section's number in this version, from 1.")
    heading = models.CharField(max_length=255)
    # Rendered from the StreamField when the snapshot was taken: later changes to
    # block templates or linked pages do not rewrite published history.
    body_html = models.TextField(blank=True)
    # One paragraph per line; the word-level diff works on this.
    body_text = models.TextField(blank=True)
    # `consultation.models.pages.wording_hash(body_html)`, stored so tallies can
    # tell which reactions were made on this wording without loading the text.
    wording_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "section"], name="one_snapshot_per_section_per_version"
            ),
            models.UniqueConstraint(fields=["version", "position"], name="one_position_per_version"),
        ]
        verbose_name = "section version"

    def __str__(self):
        return f"{self.position}. {self.heading} ({self.version_id})"

    @property
    def anchor(self):
        return f"section-{self.section_id}"

    @property
    def withholding(self):
        return withholding_restriction(self)


def withholding_restriction(snapshot):
    """The restriction to quote when a snapshot's text is withheld, and whether it
    applied when the version was published ("then") or applies today ("now")."""
    version = getattr(snapshot, "version", snapshot)
    if snapshot.restricted:
        return snapshot, "then"
    if version.restricted:
        return version, "then"
    if version.paper.restricted:
        return version.paper, "now"
    live = snapshot._state.fields_cache.get("section") if snapshot is not version else None
    if live is not None and live.restricted:
        return live, "now"
    return None, None
