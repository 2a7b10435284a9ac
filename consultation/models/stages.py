"""Every move of a consultation between stages, with who, when and why.

The only write path is `consultation.stages.services.consultation_move_stage`;
the page editor shows the stage read-only (see ConsultationPage).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from consultation.models.pages import Stage


class StageChange(models.Model):
    consultation = models.ForeignKey(
        "consultation.ConsultationPage", on_delete=models.PROTECT, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The actor's public name at the time ("Scheduled" for a move made by the stage dates).
    actor_name = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    # An editor opened public scrutiny before every invited group had signed off.
    override = models.BooleanField(default=False)
    # Names of the groups whose position was missing when the override was made.
    missing_signoffs = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"{self.consultation}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"
