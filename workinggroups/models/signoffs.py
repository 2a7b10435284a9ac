"""A group's recorded position on one version of a paper.

The paper is referred to as a Wagtail page (`wagtailcore.Page`), not as the
consultation app's model, so this app keeps its one-way dependency. Which
groups may sign off, and when, is decided by the consultation's rules.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .groups import WorkingGroup


class Position(models.TextChoices):
    ENDORSE = "endorse", "Endorse"
    RESERVATIONS = "reservations", "Endorse with reservations"
    DO_NOT_ENDORSE = "do_not_endorse", "Do not endorse"


# Positions that must explain themselves.
POSITIONS_NEEDING_STATEMENT = (Position.RESERVATIONS, Position.DO_NOT_ENDORSE)


class SignOffQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_at__isnull=True)


class SignOff(models.Model):
    """Append-only: recording a new position supersedes the previous one for the
    same group, paper and version, and the earlier row stays as history."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="signoffs")
    paper = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="working_group_signoffs"
    )
    version_label = models.CharField(max_length=40)
    position = models.CharField(max_length=20, choices=Position.choices)
    statement = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["group__name", "-recorded_at"]
        verbose_name = "sign-off"
        constraints = [
            models.UniqueConstraint(
                fields=["group", "paper", "version_label"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_signoff_per_group_and_version",
            )
        ]

    def __str__(self):
        return f"{self.group}: {self.get_position_display()} ({self.version_label})"

    @property
    def needs_statement(self):
        return self.position in POSITIONS_NEEDING_STATEMENT


class SectionPosition(models.Model):
    """An optional position on one section, part of a sign-off."""

    signoff = models.ForeignKey(SignOff, on_delete=models.CASCADE, related_name="section_positions")
    section = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    position = models.CharField(max_length=20, choices=Position.choices)
    statement = models.TextField(blank=True)

    class Meta:
        ordering = ["section__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["signoff", "section"], name="one_position_per_section_per_signoff"
            )
        ]

    def __str__(self):
        return f"{self.signoff.group} on {self.section}: {self.get_position_display()}"
