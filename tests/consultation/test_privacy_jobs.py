"""Erasure meets background work: nothing waits to be sent to an erased person, and no job
or email row keeps their address or name; the export shows what is waiting for them."""

import pytest
from django.db import connection
from django.db.models import CharField, JSONField, TextField
from django.utils import timezone

from accounts.models import ERASED_NAME
from accounts.services import email_change_request
from consultation.comments.services import comment_notify, paper_follow
from consultation.models import CommentNotification, NotificationDigest
from consultation.privacy.selectors import personal_data
from consultation.privacy.services import account_erase
from jobs.models import Job, OutgoingEmail
from jobs.services import enqueue_email
from tests.support.contributions import add_comment
from tests.support.people import member_of
from tests.support.trees import comment_tree

# Not transactional: on-commit hand-overs never fire, so every job and email stays waiting.
pytestmark = pytest.mark.django_db

NAME = "Philippa Quernsworth"
EMAIL = "philippa.quernsworth@example.org"
NEW_EMAIL = "p.quernsworth@example.net"


def _texts(model):
    """Every text, JSON and character column of every row of `model`, as the database holds it."""
    columns = [
        connection.ops.quote_name(f.column)
        for f in model._meta.concrete_fields
        if isinstance(f, (CharField, TextField, JSONField))
    ]
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
        return [str(value) for row in cursor.fetchall() for value in row if value is not None]


def _holding(needle):
    return [
        text for model in (Job, OutgoingEmail) for text in _texts(model) if needle.lower() in text.lower()
    ]


@pytest.fixture
def waiting():
    """Philippa follows a paper with a digest pending, has emails queued to her, and is named
    in emails queued to others; Bob has his own digest and email waiting."""
    tree = comment_tree(stage="review")
    group = tree["group"]
    person = member_of(group, display_name=NAME, username="pquernsworth", email=EMAIL, email_verified=True)
    bob = member_of(group, display_name="Bob Evans", email="bob@example.org", email_verified=True)
    paper_follow(paper=tree["paper"], user=person)
    paper_follow(paper=tree["paper"], user=bob)
    writer = member_of(group, display_name="Carol Hughes", email="carol@example.org")
    comment = add_comment(writer, tree["sections"][0], "A new point.")
    comment_notify(comment_id=comment.pk)
    email_change_request(user=person, email=NEW_EMAIL)
    enqueue_email(
        to=[EMAIL], subject="Your proposal was accepted", body="Dear Philippa.", key="proposal-decided:1"
    )
    to_bob = enqueue_email(
        to=["bob@example.org"],
        subject=f"{NAME} asks to join",
        body=f"{NAME} <{EMAIL}> asks to join the group.",
        key="join-request:1",
    )
    # A flag emailed to two moderators, one of them her: the key names her address.
    enqueue_email(
        to=[EMAIL, "bob@example.org"], subject="Comment flagged", body="Look.", key=f"flagged:1:{EMAIL}"
    )
    OutgoingEmail.objects.create(key=f"flagged:0:{EMAIL}", subject="Comment flagged", sent_at=timezone.now())
    Job.objects.filter(key=f"email:{to_bob.pk}").update(
        status=Job.Status.WAITING, last_error=f"SMTPRecipientsRefused: {{'{EMAIL}': (550, b'No')}}"
    )
    return {"person": person, "bob": bob, "to_bob": to_bob}


def test_erasing_someone_else_leaves_bobs_waiting_work_alone(waiting):
    account_erase(user=waiting["person"])
    bob = waiting["bob"]
    assert CommentNotification.objects.filter(recipient=bob).count() == 1
    assert NotificationDigest.objects.get(recipient=bob).due_at is not None
    assert Job.objects.filter(handler__endswith="comment_digest_send", kwargs__user_id=bob.pk).exists()
    to_bob = OutgoingEmail.objects.get(pk=waiting["to_bob"].pk)
    assert to_bob.to == ["bob@example.org"] and Job.objects.filter(key=f"email:{to_bob.pk}").exists()
    # His email still says who asked, in the words every erased person gets.
    assert to_bob.subject == f"{ERASED_NAME} asks to join"
    assert to_bob.body == f"{ERASED_NAME} <{ERASED_NAME}> asks to join the group."
    flagged = OutgoingEmail.objects.get(subject="Comment flagged", sent_at__isnull=True)
    assert flagged.to == ["bob@example.org"] and flagged.recipient_count == 1


def test_the_export_lists_what_is_waiting_for_the_person(waiting):
    data = personal_data(user=waiting["person"])
    assert [n["kind"] for n in data["comment_notifications"]] == ["follow"]
    assert data["comment_notifications"][0]["included_in_a_digest_at"] is None
    assert data["notification_digest"]["next_due_at"] is not None
    subjects = sorted(e["subject"] for e in data["emails"])
    assert subjects == [
        "Comment flagged",
        "Confirm your new email address for Open Policy",
        "Your proposal was accepted",
    ]
    assert "Bob" not in str(data["emails"])  # his email is not hers, though it names her


def test_after_erasure_no_jobs_row_holds_her_address_or_name(waiting):
    person = waiting["person"]
    for needle in (EMAIL, NEW_EMAIL, NAME):
        assert _holding(needle), needle  # the search below would find them
    account_erase(user=person)
    for needle in (EMAIL, NEW_EMAIL, NAME, "pquernsworth"):
        assert _holding(needle) == [], needle
    assert not CommentNotification.objects.filter(recipient=person).exists()
    assert not NotificationDigest.objects.filter(recipient=person).exists()
    assert not Job.objects.filter(handler__endswith="comment_digest_send", kwargs__user_id=person.pk).exists()
    # The emails only for her went with the jobs that would send them.
    assert not OutgoingEmail.objects.filter(subject__startswith="Confirm your new").exists()
    assert not OutgoingEmail.objects.filter(subject="Your proposal was accepted").exists()
    email_jobs = set(
        Job.objects.filter(handler="jobs.services.email_send").values_list("kwargs__email_id", flat=True)
    )
    assert email_jobs == set(OutgoingEmail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True))
    person.refresh_from_db()
    assert personal_data(user=person)["emails"] == []
