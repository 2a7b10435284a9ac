"""“You said, we did”: the policy team's answer to a comment or to a section's feedback.

Responses are part of the public record, so they are never edited: a team that
changes its mind responds again, and both answers stay visible in order.
"""

from django.conf import settings
from django.db import models

from consultation.models.versions import ImmutableSnapshot


class Response(ImmutableSnapshot):
    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        PARTLY_ACCEPTED = "partly_accepted", "Partly accepted"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    paper = models.ForeignKey(
        "consultation.PolicyPaperPage", on_delete=models.PROTECT, related_name="responses"
    )
    # The section the feedback was about. For a comment on a section it is that
    # comment's section, so a section's history finds every response in one query.
    # Like snapshots, the id outlives a deleted page.
    section = models.ForeignKey(
        "consultation.SectionPage",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="responses",
    )
    # Empty for a response to a section's feedback as a whole.
    comment = models.ForeignKey(
        "consultation.Comment", on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField(help_text="Why: shown publicly with the outcome.")
    changed_in = models.ForeignKey(
        "consultation.PaperVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        help_text="The version in which the text changed, if it did.",
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_by_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "response"

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.reason[:60]}"

    @property
    def target_label(self):
        if self.comment_id:
            return "comment"
        return "section feedback" if self.section_id else "paper feedback"
