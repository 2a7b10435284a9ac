"""Comment notifications to one person go out as one digest per window (a real queue and worker)."""

import time

import pytest
from django.core import mail
from django.utils import timezone

from consultation.comments.services import paper_follow
from consultation.models import NotificationDigest
from jobs.models import Job
from tests.support.contributions import add_comment
from tests.support.people import member_of
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until_due():
    due = max(NotificationDigest.objects.exclude(due_at=None).values_list("due_at", flat=True))
    time.sleep(max((due - timezone.now()).total_seconds(), 0) + 0.5)


def digest_jobs():
    """Where the digest jobs are (said when a test finds no email: it failed once on the
    Redis queue, with no error logged and no job run)."""
    return list(
        Job.objects.filter(handler="consultation.comments.services.comment_digest_send").values(
            "pk", "status", "attempts", "run_after", "started_at", "finished_at", "task_id"
        )
    )


def test_ten_comments_on_a_followed_paper_in_one_window_send_one_email_to_each_follower(task_queue, settings):
    settings.NOTIFICATION_DIGEST_MINUTES = 0.1  # six seconds
    tree = comment_tree(stage="review")
    author = member_of(tree["group"], display_name="Alice Jones", email="alice@example.org")
    followers = [
        member_of(tree["group"], display_name=name, email=f"{name.split()[0].lower()}@example.org")
        for name in ("Bob Evans", "Carol Hughes")
    ]
    bystander = member_of(tree["group"], email="dan@example.org")  # follows nothing
    for follower in followers:
        paper_follow(paper=tree["paper"], user=follower)

    for number in range(10):
        add_comment(author, tree["sections"][number % 3], f"Point number {number}.")
    task_queue.work()
    assert mail.outbox == []  # the window is still open

    wait_until_due()
    task_queue.work()
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "carol@example.org"], (
        f"digest jobs at {timezone.now()}: {digest_jobs()}"
    )
    for message in mail.outbox:
        assert message.subject == "10 new comments on Open Policy"
        for number in range(10):
            assert f"Point number {number}." in message.body
        assert "Stop following it" in message.body
    assert bystander.email not in [m.to[0] for m in mail.outbox]

    # The next comment waits for the next window: no second email straight away.
    add_comment(author, tree["sections"][0], "One more.")
    task_queue.work()
    assert len(mail.outbox) == 2
