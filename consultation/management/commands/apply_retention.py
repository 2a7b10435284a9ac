"""Delete what the process no longer needs (consultation.privacy.services.retention_apply).

Run daily (cron, the platform's scheduler, or the task worker once there is
one). The periods are settings: RETENTION_UNVERIFIED_ACCOUNT_DAYS,
RETENTION_INVITATION_DAYS, LOGIN_LOCKOUT_MINUTES (see the README).
"""

from django.core.management.base import BaseCommand

from consultation.privacy.services import retention_apply


class Command(BaseCommand):
    help = "Delete unconfirmed accounts, stale invitations and join requests, and old sign-in attempts."

    def handle(self, *args, **options):
        for what, count in retention_apply().items():
            self.stdout.write(f"{what}: {count}")
