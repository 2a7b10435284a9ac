"""Our own record of each piece of background work, whichever task backend runs it.

django-tasks gives each backend its own result store (database rows, Redis
keys) and no retries. A `Job` row is the one place that says what ran, what
failed and why, and how many attempts it took, on every backend, so the
Wagtail admin reads one table. An `OutgoingEmail` is an email to send, keyed
so that sending it twice is impossible.
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone

# A job queued or running this long was lost (the backend was down when it was
# handed over, or its worker died): the admin offers to retry it.
STALE_AFTER = timedelta(hours=1)


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting to retry"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # Dotted path of a function registered with @jobs.services.background.
    handler = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    # Enqueuing twice with one key gives the same job: a retried caller never doubles the work.
    key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    label = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When it was last put in the queue (enqueued, or retried from the admin).
    queued_at = models.DateTimeField(default=timezone.now)
    run_after = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The task backend's id of the latest attempt (database row or Redis job).
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.label or self.handler

    @property
    def error_summary(self):
        """The exception's own line (the last of the traceback)."""
        lines = [line for line in self.last_error.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""

    @property
    def is_stale(self):
        since = {
            # A job deferred (a scheduled run) is not late before its time.
            self.Status.QUEUED: max(self.queued_at, self.run_after or self.queued_at),
            self.Status.RUNNING: self.started_at,
            self.Status.WAITING: self.run_after or self.started_at,
        }.get(self.status)
        return since is not None and timezone.now() - since > STALE_AFTER

    @property
    def can_retry(self):
        return self.status == self.Status.FAILED or self.is_stale


class OutgoingEmail(models.Model):
    """One email, sent at most once. Once sent, its addresses and body are
    deleted (only what is needed is kept); the key stays, so a retry is a no-op."""

    key = models.CharField(max_length=255, unique=True)
    to = models.JSONField(default=list)
    recipient_count = models.PositiveIntegerField(default=0)
    from_email = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=998)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.subject
