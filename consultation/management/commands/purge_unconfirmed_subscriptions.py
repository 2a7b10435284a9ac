"""Delete “register your interest” addresses that were never confirmed.

Their confirmation links work for 7 days; after that the address is kept for
nothing, so it goes. Run daily (cron or a scheduler).
"""

from django.core.management.base import BaseCommand

from consultation.subscriptions.services import subscriptions_purge_unconfirmed


class Command(BaseCommand):
    help = "Delete unconfirmed email addresses whose confirmation links have expired."

    def handle(self, *args, **options):
        deleted = subscriptions_purge_unconfirmed()
        self.stdout.write(f"Deleted {deleted} unconfirmed address{'es' if deleted != 1 else ''}.")
