"""Background jobs on a real queue (database backend, or rq on the Redis pass) and a
real worker: retries, failures shown in the admin, a retry that sends exactly once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consultation.comments.services import paper_follow
from consultation.models import Comment
from jobs.models import Job, OutgoingEmail
from jobs.services import enqueue_email, job_run
from tests.support.contributions import post_data
from tests.support.factories import UserFactory
from tests.support.people import editor_of, member_of
from tests.support.servers import free_port
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db(transaction=True)

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def mail_server_fails(settings):
    """SMTP to a port nobody listens on: every send is refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def followed(settings):
    settings.JOB_MAX_ATTEMPTS = 3
    settings.JOB_RETRY_SECONDS = 0
    tree = comment_tree(stage="review")
    author = member_of(tree["group"], display_name="Alice Jones", email="alice@example.org")
    follower = member_of(tree["group"], display_name="Bob Evans", email="bob@example.org")
    paper_follow(paper=tree["paper"], user=follower)
    return tree | {"author": author, "follower": follower, "section": tree["sections"][0]}


def test_people_who_are_not_editors_cannot_see_or_retry_jobs(client, task_queue, followed):
    job = Job.objects.create(handler="jobs.services.email_send", kwargs={"email_id": 0}, status="failed")
    for person in (followed["author"], member_of(followed["group"]), UserFactory(is_staff=True)):
        client.force_login(person)
        assert client.get(reverse("jobs_admin:list")).status_code in (302, 403)
        assert client.get(reverse("jobs_admin:detail", args=[job.pk])).status_code in (302, 403)
        assert client.post(reverse("jobs_admin:retry", args=[job.pk])).status_code in (302, 403)
        job.refresh_from_db()
        assert job.status == "failed"
    client.logout()
    assert client.get(reverse("jobs_admin:list")).status_code == 302


def test_a_comment_survives_a_failing_mail_server_and_a_retry_from_the_admin_sends_it_once(
    client, task_queue, followed, settings
):
    mail_server_fails(settings)
    section = followed["section"]
    client.force_login(followed["author"])
    response = client.post(
        "/consultation/comments/post/", post_data(section, text="The mail server is down.")
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert "The mail server is down." in client.get(section.url).text

    task_queue.work()
    job = Job.objects.get(handler="jobs.services.email_send")
    assert job.status == Job.Status.FAILED
    assert job.attempts == 3  # retried, then given up
    assert "ConnectionRefusedError" in job.last_error
    assert mail.outbox == []
    assert OutgoingEmail.objects.get().sent_at is None
    # Everything else ran: the notification was noted and its digest made the email.
    assert set(Job.objects.exclude(pk=job.pk).values_list("status", flat=True)) == {"succeeded"}
    assert "The mail server is down." in client.get(section.url).text

    editor = editor_of(followed["consultation"])
    client.force_login(editor)
    listing = client.get(reverse("jobs_admin:list"), {"status": "failed"}).text
    assert "New comment on" in listing and "ConnectionRefusedError" in listing
    detail = client.get(reverse("jobs_admin:detail", args=[job.pk])).text
    assert "Retry this job" in detail and "3 of 3" in detail

    settings.EMAIL_BACKEND = LOCMEM  # the mail server is back
    response = client.post(reverse("jobs_admin:retry", args=[job.pk]))
    assert response.status_code == 302
    task_queue.work()
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert "The mail server is down." in mail.outbox[0].body
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 4
    sent = OutgoingEmail.objects.get()
    assert sent.sent_at is not None and sent.to == [] and sent.body == ""  # nothing kept once sent

    # A succeeded job cannot be retried, and running it again sends nothing.
    client.post(reverse("jobs_admin:retry", args=[job.pk]))
    assert job_run(job_id=job.pk) == "skipped"
    task_queue.work()
    assert len(mail.outbox) == 1
    assert comment.pk == Comment.objects.get().pk


def test_an_email_key_is_sent_once_however_often_it_is_enqueued(task_queue):
    for _ in range(3):
        enqueue_email(to=["reader@example.org"], subject="Hello", body="Once.", key="test:once")
    task_queue.work()
    enqueue_email(to=["reader@example.org"], subject="Hello", body="Once.", key="test:once")
    task_queue.work()
    assert [m.subject for m in mail.outbox] == ["Hello"]
    assert Job.objects.count() == 1 and OutgoingEmail.objects.count() == 1


def test_a_failed_attempt_waits_before_the_next(task_queue, settings):
    mail_server_fails(settings)
    settings.JOB_RETRY_SECONDS = 60
    enqueue_email(to=["reader@example.org"], subject="Later", body="Retried later.", key="test:later")
    task_queue.work()
    job = Job.objects.get()
    # One attempt: the next waits a minute, and the worker leaves it until then.
    assert job.status == Job.Status.WAITING and job.attempts == 1
    assert job.run_after is not None
    assert 55 < (job.run_after - job.started_at).total_seconds() <= 61


def test_a_job_lost_for_over_an_hour_can_be_retried_and_a_fresh_one_cannot(client, task_queue):
    editor = UserFactory(is_superuser=True, is_staff=True)
    email = enqueue_email(to=["reader@example.org"], subject="Lost", body="Lost.", key="test:lost")
    job = Job.objects.get()
    client.force_login(editor)
    # Queued a moment ago (its worker has not run yet): not for retrying.
    client.post(reverse("jobs_admin:retry", args=[job.pk]))
    assert "Retry this job" not in client.get(reverse("jobs_admin:detail", args=[job.pk])).text
    # Handed over two hours ago and never run: the queue lost it.
    Job.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(hours=2))
    detail = client.get(reverse("jobs_admin:detail", args=[job.pk])).text
    assert "probably lost" in detail and "Retry this job" in detail
    client.post(reverse("jobs_admin:retry", args=[job.pk]))
    task_queue.work()
    assert [m.subject for m in mail.outbox] == ["Lost"]
    email.refresh_from_db()
    assert email.sent_at is not None


def test_the_worker_command_runs_jobs_in_a_process_of_its_own(task_queue):
    enqueue_email(to=["reader@example.org"], subject="From the worker", body="Hi.", key="test:process")
    task_queue.work_in_process()
    # (It also starts the day's scheduled jobs: tests/site/test_jobs_schedule.py.)
    assert Job.objects.get(handler="jobs.services.email_send").status == Job.Status.SUCCEEDED
    assert OutgoingEmail.objects.get().sent_at is not None


def test_pruning_forgets_old_finished_work_and_keeps_failures(task_queue):
    enqueue_email(to=["reader@example.org"], subject="Old", body="Old.", key="test:old")
    task_queue.work()
    old = timezone.now() - timedelta(days=31)
    Job.objects.update(finished_at=old)
    OutgoingEmail.objects.update(sent_at=old)
    failed = Job.objects.create(handler="jobs.services.email_send", kwargs={"email_id": 0}, status="failed")
    Job.objects.filter(pk=failed.pk).update(finished_at=old)
    call_command("prune_jobs", stdout=StringIO())
    assert list(Job.objects.values_list("pk", flat=True)) == [failed.pk]
    assert not OutgoingEmail.objects.exists()
