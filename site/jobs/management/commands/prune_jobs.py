"""`manage.py prune_jobs`: forget finished background work older than --days (default 30).

Deletes succeeded jobs and sent emails (already emptied of addresses and body)
past that age; failed and unfinished jobs stay for an editor to see. Emails'
keys only matter while their jobs may still run, which is long over by then.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from jobs.models import Job, OutgoingEmail


class Command(BaseCommand):
    help = "Delete succeeded background jobs and sent emails older than --days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days, **options):
        cutoff = timezone.now() - timedelta(days=days)
        jobs, _ = Job.objects.filter(status=Job.Status.SUCCEEDED, finished_at__lt=cutoff).delete()
        emails, _ = OutgoingEmail.objects.filter(sent_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {jobs} finished jobs and {emails} sent emails older than {days} days.")
