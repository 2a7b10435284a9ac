"""`manage.py work`: run a worker for the configured task backend (TASK_BACKEND).

The database backend's worker is django-tasks-db's `db_worker`; the Redis
backend's is django-rq's `rqworker` with its scheduler (retries wait with
`run_after`). Both take jobs from TASK_QUEUE. Run as many as you like, on as
many machines as share the database (or Redis). On starting, it enqueues the
current period's scheduled jobs (JOB_SCHEDULE; see `jobs.services.jobs_schedule`).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jobs.services import jobs_schedule


class Command(BaseCommand):
    help = "Run a background worker for the configured task backend."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Run what is due, then exit.")

    def handle(self, *args, burst=False, verbosity=1, **options):
        # Today's scheduled runs (retention, pruning), once however many workers start.
        jobs_schedule()
        if settings.TASK_BACKEND == "rq":
            extra = ["--burst"] if burst else []
            # django-tasks-rq's Job class runs the task behind each RQ job; the worker class is
            # settings.RQ["WORKER_CLASS"] (jobs/workers.py).
            call_command(
                "rqworker",
                settings.TASK_QUEUE,
                "--with-scheduler",
                "--job-class=django_tasks_rq.Job",
                *extra,
                verbosity=verbosity,
            )
        elif settings.TASK_BACKEND == "database":
            extra = ["--batch"] if burst else []
            call_command(
                "db_worker", f"--queue-name={settings.TASK_QUEUE}", "--no-reload", *extra, verbosity=verbosity
            )
        else:
            self.stderr.write(f"TASK_BACKEND={settings.TASK_BACKEND} needs no worker: tasks run as enqueued.")
