"""A person's data export (consultation.privacy), built in the background."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PersonalDataExport(models.Model):
    """The zip of everything held about one person, built by a background job and kept
    in the database (never in public media) until its download link expires; then
    `retention_apply` deletes it. One per person: asking again builds a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_export"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)
    archive = models.BinaryField(default=b"", blank=True, editable=False)

    def __str__(self):
        return f"Data export for user {self.user_id}"
