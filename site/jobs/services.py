"""Background work: enqueue on commit, run with retries and backoff, email once.

The two functions other features call:

- `enqueue_email(to=, subject=, body=, key=, html=, headers=)` — send an email
  in the background. The key names the email (e.g. ``invitation:<id>:<nonce>``):
  a second call with the same key does nothing, and a retried job never sends
  it twice.
- `job_enqueue("dotted.path.to.handler", kwargs={...}, key=, label=)` — run a
  function registered with `@background` in the background, with retries.

Both may be called inside a transaction: the job row is written with the
caller's change, and the task is handed to the backend only after commit, so
nothing runs for a write that rolled back and a failure never undoes the
person's saved action.

One django-tasks task, `job_task(job_id)`, runs every job. django-tasks has no
retries of its own: a failed attempt is recorded on the `Job` row and the task
enqueued again with `run_after` (JOB_RETRY_SECONDS doubled each time) until
JOB_MAX_ATTEMPTS; then the job is failed, and an editor can retry it from the
admin (`job_retry`).
"""

import json
import logging
import re
import secrets
import traceback
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from jobs.models import Job, OutgoingEmail

logger = logging.getLogger(__name__)

# Handlers, by dotted path: the only functions a job row may name.
HANDLERS = {}


def background(function):
    """Register `function` (keyword arguments, JSON values) as a job handler."""
    HANDLERS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def _handler(path):
    if path not in HANDLERS:
        # Importing the module registers its handlers.
        import_string(path)
    if path not in HANDLERS:
        raise SuspiciousOperation(f"{path} is not a registered background handler")
    return HANDLERS[path]


def max_attempts():
    return getattr(settings, "JOB_MAX_ATTEMPTS", 5)


def retry_delay(attempts):
    """Seconds before the next attempt, after `attempts` failed ones: doubling."""
    return getattr(settings, "JOB_RETRY_SECONDS", 30) * 2 ** max(attempts - 1, 0)


# ---------------------------------------------------------------- enqueueing


def job_enqueue(handler, *, kwargs=None, key=None, label="", run_after=None):
    """Record a job and hand it to the task backend after commit. Returns the
    `Job`; with a `key` already used, the existing job (nothing new runs)."""
    if handler not in HANDLERS:
        _handler(handler)
    kwargs = kwargs or {}
    if key is not None:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                handler=handler,
                kwargs=kwargs,
                key=key,
                label=label[:300],
                run_after=run_after,
                max_attempts=max_attempts(),
            )
    except IntegrityError:
        # Another process enqueued the same key at the same moment.
        return Job.objects.get(key=key)
    transaction.on_commit(lambda: _dispatch(job.pk, run_after))
    return job


def _dispatch(job_id, run_after=None):
    """Give the job to the task backend. A backend that is down loses nothing:
    the row stays queued and is shown in the admin, where it can be retried."""
    queued = job_task.using(queue_name=settings.TASK_QUEUE)
    if run_after is not None and run_after > timezone.now() and queued.get_backend().supports_defer:
        queued = queued.using(run_after=run_after)
    try:
        result = queued.enqueue(job_id)
    except Exception:
        logger.exception("Could not hand job %s to the task backend", job_id)
        return
    # Only the id: the immediate backend has run the job already, and its outcome stands.
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


@task()
def job_task(job_id):
    """The one django-tasks task: run job `job_id` once (see `job_run`)."""
    return job_run(job_id=job_id)


# ---------------------------------------------------------------- running


def job_run(*, job_id):
    """One attempt at a job. Idempotent: a job that is not waiting to run (it is
    running elsewhere, has succeeded or was given up) is left alone."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            Job.objects.select_for_update()
            .filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.WAITING])
            .first()
        )
        if job is None:
            return "skipped"
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = now
        job.save(update_fields=["status", "attempts", "started_at"])
    try:
        _handler(job.handler)(**job.kwargs)
    except Exception as error:
        return _attempt_failed(job, error)
    job.status = Job.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.last_error = ""
    job.save(update_fields=["status", "finished_at", "last_error"])
    return "succeeded"


def _attempt_failed(job, error):
    job.last_error = "".join(traceback.format_exception(error))[-8000:]
    if job.attempts < job.max_attempts:
        delay = retry_delay(job.attempts)
        job.status = Job.Status.WAITING
        job.run_after = timezone.now() + timedelta(seconds=delay) if delay else None
        job.save(update_fields=["status", "run_after", "last_error"])
        logger.warning("Job %s (%s) failed, attempt %s; retrying in %ss", job.pk, job, job.attempts, delay)
        _dispatch(job.pk, job.run_after)
        return "waiting"
    job.status = Job.Status.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", "last_error"])
    logger.error("Job %s (%s) failed after %s attempts", job.pk, job, job.attempts)
    return "failed"


def job_retry(*, job, actor):
    """Run a failed job again (from the admin), with a fresh round of attempts; or
    one that was lost (queued or running for over an hour: see `Job.is_stale`)."""
    if not actor.has_perm("jobs.manage_jobs"):
        raise PermissionDenied("Only editors can retry background jobs.")
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if not job.can_retry:
            raise ValidationError("Only a failed job, or one lost for over an hour, can be retried.")
        updated = Job.objects.filter(pk=job.pk, status=job.status).update(
            status=Job.Status.QUEUED,
            queued_at=timezone.now(),
            max_attempts=job.attempts + max_attempts(),
            run_after=None,
            finished_at=None,
        )
        if not updated:
            raise ValidationError("This job has changed meanwhile; look again.")
        transaction.on_commit(lambda: _dispatch(job.pk))
    job.refresh_from_db()
    return job


# ---------------------------------------------------------------- schedule
#
# JOB_SCHEDULE names handlers to run every so many seconds (retention and
# pruning daily). Time is cut into periods aligned on the Unix epoch (a day
# starts at 00:00 UTC); each period's run is one job keyed by its period, so
# however many workers start, and however often, it runs once. `manage.py
# work` enqueues the current period's runs when it starts (`jobs_schedule`);
# each run first enqueues the next period's, deferred to its start. Only
# backends that can defer (database, Redis) keep a schedule.


def _deferring():
    return job_task.using(queue_name=settings.TASK_QUEUE).get_backend().supports_defer


def _period(every, when):
    return int(when.timestamp() // every)


def _periodic_enqueue(handler, every, period):
    start = datetime.fromtimestamp(period * every, tz=UTC)
    return job_enqueue(
        "jobs.services.periodic_run",
        kwargs={"handler": handler, "every": every, "period": period},
        key=f"every:{every}:{handler}:{period}",
        label=f"Scheduled: {handler}, from {start:%Y-%m-%d %H:%M} UTC"[:300],
        run_after=start if start > timezone.now() else None,
    )


def jobs_schedule(*, now=None):
    """Enqueue the current period's run of every JOB_SCHEDULE handler (once per
    period, whoever calls). Returns the jobs; none when SCHEDULED_JOBS is off or
    the backend cannot defer (the immediate one runs tasks as they are enqueued)."""
    if not settings.SCHEDULED_JOBS or not _deferring():
        return []
    now = now or timezone.now()
    for handler in settings.JOB_SCHEDULE:
        _handler(handler)
    return [
        _periodic_enqueue(handler, int(every), _period(int(every), now))
        for handler, every in settings.JOB_SCHEDULE.items()
    ]


@background
def periodic_run(*, handler, every, period):
    """One scheduled run: enqueue the next (the first period after now, so a worker
    that was down does not catch up day by day), then do the work."""
    if settings.SCHEDULED_JOBS and _deferring():
        _periodic_enqueue(handler, every, max(period, _period(every, timezone.now())) + 1)
    _handler(handler)()


@background
def jobs_prune(*, days=30):
    """Delete succeeded jobs and sent emails (already emptied of addresses and body)
    older than `days`; failed and unfinished jobs stay for an editor to see."""
    cutoff = timezone.now() - timedelta(days=days)
    jobs, _ = Job.objects.filter(status=Job.Status.SUCCEEDED, finished_at__lt=cutoff).delete()
    emails, _ = OutgoingEmail.objects.filter(sent_at__lt=cutoff).delete()
    return jobs, emails


# ---------------------------------------------------------------- email


def enqueue_email(*, to, subject, body, key, html="", headers=None, from_email=None):
    """Send an email in the background, exactly once per `key`.

    `to` is a list of addresses (one email, as Django's EmailMessage). Returns
    the `OutgoingEmail`. Call it inside the transaction of the change the email
    is about: it goes out only if that commits."""
    to = [address for address in to if address]
    if not to:
        return None
    subject = " ".join(str(subject).split())
    email, created = OutgoingEmail.objects.get_or_create(
        key=key[:255],
        defaults={
            "to": to,
            "recipient_count": len(to),
            "from_email": from_email or settings.DEFAULT_FROM_EMAIL,
            "subject": subject[:998],
            "body": body,
            "html": html or "",
            "headers": headers or {},
        },
    )
    if created:
        job_enqueue(
            "jobs.services.email_send",
            kwargs={"email_id": email.pk},
            key=f"email:{email.pk}",
            label=f"Email: {subject}"[:300],
        )
    return email


@background
def email_send(*, email_id):
    """Send one `OutgoingEmail` unless it has been sent. Only this email's one job
    runs it, and a job runs in one place at a time (`job_run`), so there is no race."""
    email = OutgoingEmail.objects.filter(pk=email_id, sent_at__isnull=True).first()
    if email is None:
        return
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email or None,
        to=email.to,
        headers=email.headers or None,
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    message.send(fail_silently=False)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        sent_at=timezone.now(), to=[], body="", html="", headers={}
    )


# ---------------------------------------------------------------- erasure


def _pattern(needles):
    """One regex for every needle, as a whole word, case-insensitive."""
    parts = sorted({re.escape(n) for n in needles if n}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE) if parts else None


def _scrub(value, pattern, replacement):
    """`value` (text, or JSON: lists, dicts, strings) with every match replaced."""
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_scrub(item, pattern, replacement) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern, replacement) for key, item in value.items()}
    return value


def _mentioning(model, fields, json_fields, needles):
    """Rows of `model` whose text (or JSON, as stored) contains a needle; a coarse
    filter, made exact by the regex afterwards."""
    query = Q()
    for needle in needles:
        for field in fields:
            query |= Q(**{f"{field}__icontains": needle})
        for field in json_fields:
            # JSON is stored with non-ASCII escaped: look for both spellings.
            for spelling in {needle, json.dumps(needle)[1:-1]}:
                query |= Q(**{f"{field}__icontains": spelling})
    return model.objects.filter(query) if query else model.objects.none()


_JOB_TEXT = ["key", "label", "last_error"]
_EMAIL_TEXT = ["key", "from_email", "subject", "body", "html"]


@transaction.atomic
def jobs_forget_person(*, addresses, names=(), email_key_prefixes=(), replacement):
    """Forget a person in the background-work tables (their erasure, UK GDPR article 17).

    Emails not yet sent to them (to one of `addresses`, or keyed by one of
    `email_key_prefixes`) are deleted with the job that would send them; an
    unsent email to them and others just loses their address. Then every text
    left in `Job` and `OutgoingEmail` rows (keys, labels, errors, arguments,
    subjects and bodies of others' emails) has their addresses and `names`
    replaced by `replacement` (in keys, by a unique ``erased-…`` token, so a key
    still names one email). Returns the number of rows deleted and rewritten."""
    addresses = {a.strip().lower() for a in addresses if a and a.strip()}
    names = {n.strip() for n in names if n and len(n.strip()) >= 4}
    deleted = changed = 0
    unsent = OutgoingEmail.objects.select_for_update().filter(sent_at__isnull=True)
    for email in unsent:
        theirs = email.key.startswith(tuple(email_key_prefixes)) if email_key_prefixes else False
        to = [a for a in email.to if a.strip().lower() not in addresses]
        if theirs or not to:
            Job.objects.filter(key=f"email:{email.pk}").exclude(status=Job.Status.RUNNING).delete()
            email.delete()
            deleted += 1
        elif len(to) != len(email.to):
            OutgoingEmail.objects.filter(pk=email.pk).update(to=to, recipient_count=len(to))
            changed += 1
    needles = addresses | names
    pattern = _pattern(needles)
    if pattern is None:
        return deleted, changed
    for model, fields, json_fields in (
        (Job, _JOB_TEXT, ["kwargs"]),
        (OutgoingEmail, _EMAIL_TEXT, ["to", "headers"]),
    ):
        for row in _mentioning(model, fields, json_fields, needles).select_for_update():
            values = {}
            for field in fields + json_fields:
                old = getattr(row, field)
                token = f"erased-{secrets.token_hex(6)}" if field == "key" else replacement
                new = _scrub(old, pattern, token)
                if new != old:
                    values[field] = new
            if values:
                model.objects.filter(pk=row.pk).update(**values)
                changed += 1
    return deleted, changed
