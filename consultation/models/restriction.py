"""Open by default: restricting anything needs a category and a stated reason,
and both are public."""

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class RestrictionCategory(models.TextChoices):
    PERSONAL_DATA = "personal_data", "Contains personal data"
    SECURITY = "security", "National security or crime prevention"
    COMMERCIAL = "commercial", "Commercially confidential"
    LEGAL_ADVICE = "legal_advice", "Legal advice"
    IN_PREPARATION = "in_preparation", "Still being drafted"


class Restrictable(models.Model):
    restricted = models.BooleanField(
        default=False, help_text="Hide the text from the public. The heading and reason stay visible."
    )
    restriction_category = models.CharField(max_length=30, choices=RestrictionCategory.choices, blank=True)
    restriction_reason = models.TextField(
        blank=True, help_text="Shown publicly in place of the text. Required when restricted."
    )
    restriction_review_on = models.DateField(
        null=True, blank=True, help_text="When the restriction will next be reviewed."
    )

    restriction_panels = [
        MultiFieldPanel(
            [
                FieldPanel("restricted"),
                FieldPanel("restriction_category"),
                FieldPanel("restriction_reason"),
                FieldPanel("restriction_review_on"),
            ],
            heading="Restriction (open by default)",
        )
    ]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.restricted:
            errors = {}
            if not self.restriction_reason.strip():
                errors["restriction_reason"] = "State the reason: it is shown publicly."
            if not self.restriction_category:
                errors["restriction_category"] = "Choose a category for the restriction."
            if errors:
                raise ValidationError(errors)
