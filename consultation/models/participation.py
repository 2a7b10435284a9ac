"""One person, one voice per consultation.

Someone in several invited working groups speaks for one of them in a
consultation, for every comment, reaction and proposal alike. The group is
fixed at their first contribution (`consultation.participation.services`) and
changes only when they choose another, or when their membership of it ends;
each change is in the public record. Contributions keep the group they were
made for: a later change never re-attributes them.
"""

from django.conf import settings
from django.db import models


class Voice(models.Model):
    consultation = models.ForeignKey(
        "consultation.ConsultationPage", on_delete=models.CASCADE, related_name="voices"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voices")
    group = models.ForeignKey("workinggroups.WorkingGroup", on_delete=models.CASCADE, related_name="voices")
    chosen_by_person = models.BooleanField(
        default=False, help_text="False while the group is the default taken at the first contribution."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "user"], name="one_voice_per_consultation"),
        ]

    def __str__(self):
        return f"{self.user} speaks for {self.group} in {self.consultation}"
