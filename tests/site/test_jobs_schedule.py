"""Scheduled work: a worker runs retention and job pruning once a day, however many
workers start, on a real queue (database backend, or rq on the Redis pass)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jobs.models import Job
from jobs.services import enqueue_email, jobs_schedule
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DAILY = {"consultation.privacy.services.retention_apply": 86400, "jobs.services.jobs_prune": 86400}


def _scheduled():
    return Job.objects.filter(handler="jobs.services.periodic_run").order_by("pk")


def _tomorrow():
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


@pytest.fixture
def stale(settings):
    """An account never confirmed for 31 days, a newer one, and a finished job 31 days old."""
    settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS = 30
    settings.JOB_SCHEDULE = DAILY
    old = UserFactory(email_verified=False, date_joined=timezone.now() - timedelta(days=31))
    new = UserFactory(email_verified=False, date_joined=timezone.now() - timedelta(days=1))
    return {"old": old, "new": new}


def test_tasks_run_as_enqueued_keep_no_schedule(stale):
    # The test settings' immediate backend cannot defer: a schedule would run at once, forever.
    assert jobs_schedule() == []
    assert not Job.objects.exists()


def test_a_site_that_uses_cron_turns_the_schedule_off(stale, task_queue, settings):
    settings.SCHEDULED_JOBS = False
    assert jobs_schedule() == []
    task_queue.work()
    assert get_user_model().objects.filter(pk=stale["old"].pk).exists()


def test_todays_runs_happen_once_and_tomorrows_wait_for_midnight(stale, task_queue):
    enqueue_email(to=["reader@example.org"], subject="Old", body="Old.", key="test:old")
    task_queue.work()
    Job.objects.update(finished_at=timezone.now() - timedelta(days=31))

    first = jobs_schedule()
    assert jobs_schedule() == first  # a second worker starting: the same two jobs
    assert [job.run_after for job in first] == [None, None]
    task_queue.work()

    users = get_user_model().objects
    assert not users.filter(pk=stale["old"].pk).exists() and users.filter(pk=stale["new"].pk).exists()
    assert not Job.objects.filter(handler="jobs.services.email_send").exists()  # pruned
    done, waiting = (
        _scheduled().filter(pk__in=[j.pk for j in first]),
        _scheduled().exclude(status="succeeded"),
    )
    assert {job.status for job in done} == {Job.Status.SUCCEEDED}
    assert sorted(job.kwargs["handler"] for job in waiting) == sorted(DAILY)
    assert {job.run_after for job in waiting} == {_tomorrow()}
    assert not any(job.can_retry for job in waiting)  # deferred is not lost

    # Nothing more runs today, however often a worker looks.
    task_queue.work()
    assert set(_scheduled().values_list("status", flat=True)) == {Job.Status.SUCCEEDED, Job.Status.QUEUED}
    assert _scheduled().count() == 4


def test_the_worker_command_starts_the_schedule(stale, task_queue):
    task_queue.work_in_process()
    assert not get_user_model().objects.filter(pk=stale["old"].pk).exists()
    assert _scheduled().filter(status=Job.Status.SUCCEEDED).count() == 2
