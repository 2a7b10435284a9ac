"""Move consultations whose next stage's published start date has arrived.

Run daily (cron or a scheduler). Each move goes through the same service as
an editor's, so sign-off still blocks public scrutiny: a blocked consultation
is reported and left where it is until an editor decides.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from consultation.stages.services import consultation_move_stage, consultations_due_to_move


class Command(BaseCommand):
    help = "Move consultations to their next stage when its published start date has arrived."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would move; change nothing.")

    def handle(self, *args, **options):
        due = consultations_due_to_move()
        if not due:
            self.stdout.write("No consultation is due to move.")
        for consultation, stage in due:
            if options["dry_run"]:
                self.stdout.write(f"Would move “{consultation.title}” to {stage.label}.")
                continue
            try:
                consultation_move_stage(
                    consultation=consultation,
                    to_stage=stage,
                    actor=None,
                    reason=f"The published start date of {stage.label} has arrived.",
                )
            except ValidationError as error:
                self.stdout.write(
                    self.style.WARNING(f"Not moved: “{consultation.title}”. {' '.join(error.messages)}")
                )
            else:
                self.stdout.write(self.style.SUCCESS(f"Moved “{consultation.title}” to {stage.label}."))
