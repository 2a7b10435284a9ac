"""Moderators are emailed when a comment is first flagged: one email each per comment, after commit."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from consultation.comments.services import comment_flag, comment_reports_dismiss
from tests.support.contributions import add_comment
from tests.support.factories import UserFactory
from tests.support.people import member_of, person_in_role
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged():
    tree = comment_tree(stage="review")
    author = member_of(tree["group"], display_name="Alice Jones")
    comment = add_comment(author, tree["sections"][0], "Text that someone finds abusive.")
    moderators = [person_in_role("moderator", tree), person_in_role("moderator", tree)]
    return {"comment": comment, "moderators": moderators}


def test_an_invalid_flag_emails_no_one(flagged, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        comment_flag(comment=flagged["comment"], reporter=UserFactory(), reason="not-a-reason")
    assert mail.outbox == []


def test_the_first_flag_emails_each_moderator_once_and_later_flags_wait(
    flagged, django_capture_on_commit_callbacks
):
    comment = flagged["comment"]
    with django_capture_on_commit_callbacks(execute=True):
        comment_flag(comment=comment, reporter=UserFactory(), reason="abusive")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in flagged["moderators"])
    message = mail.outbox[0]
    assert message.subject == f"Comment {comment.pk} has been flagged for moderation"
    assert f"http://127.0.0.1:8000/admin/comment-moderation/comments/{comment.pk}/" in message.body
    assert "Text that someone finds abusive." not in message.body  # the text stays in the admin

    with django_capture_on_commit_callbacks(execute=True):
        comment_flag(comment=comment, reporter=UserFactory(), reason="spam")
        comment_flag(comment=comment, reporter=UserFactory(), reason="off_topic")
    assert len(mail.outbox) == 2  # batched: no more email while the comment's flags are open


def test_a_comment_flagged_again_after_its_flags_were_dismissed_is_new_news(
    flagged, django_capture_on_commit_callbacks
):
    comment, moderator = flagged["comment"], flagged["moderators"][0]
    with django_capture_on_commit_callbacks(execute=True):
        comment_flag(comment=comment, reporter=UserFactory(), reason="abusive")
        comment_reports_dismiss(comment=comment, moderator=moderator, reason="Robust, not abusive.")
        comment_flag(comment=comment, reporter=UserFactory(), reason="personal_data")
    assert len(mail.outbox) == 4
