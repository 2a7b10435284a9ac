"""`manage.py prune_jobs`: forget finished background work older than --days (default 30).

Deletes succeeded jobs and sent emails (already emptied of addresses and body)
past that age; failed and unfinished jobs stay for an editor to see. Emails'
keys only matter while their jobs may still run, which is long over by then.
A worker also runs it daily (JOB_SCHEDULE), with the default 30 days.
"""

from django.core.management.base import BaseCommand

from jobs.services import jobs_prune


class Command(BaseCommand):
    help = "Delete succeeded background jobs and sent emails older than --days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days, **options):
        jobs, emails = jobs_prune(days=days)
        self.stdout.write(f"Deleted {jobs} finished jobs and {emails} sent emails older than {days} days.")
