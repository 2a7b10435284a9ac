"""Delete what the process no longer needs (consultation.privacy.services.retention_apply).

A task worker runs the service daily by itself (JOB_SCHEDULE, SCHEDULED_JOBS in
the README); with SCHEDULED_JOBS off, run this command daily from cron. The
periods are settings: RETENTION_UNVERIFIED_ACCOUNT_DAYS, RETENTION_INVITATION_DAYS,
LOGIN_LOCKOUT_MINUTES (see the README).
"""

from django.core.management.base import BaseCommand

from consultation.privacy.services import retention_apply


class Command(BaseCommand):
    help = "Delete unconfirmed accounts, stale invitations and join requests, and old sign-in attempts."

    def handle(self, *args, **options):
        for what, count in retention_apply().items():
            self.stdout.write(f"{what}: {count}")
