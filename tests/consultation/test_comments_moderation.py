"""Flagging, the moderators' queue in the Wagtail admin, tombstones and the public moderation log."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consultation.comments.services import (
    comment_flag,
    comment_hide,
    comment_reports_dismiss,
    comment_restore,
)
from consultation.models import Comment, CommentReport, RecordEntry
from tests.support.contributions import add_comment
from tests.support.factories import UserFactory
from tests.support.people import member_of, person_in_role
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db

SECRET = "Call me on 07700 900123, this is my home address"


@pytest.fixture
def thread():
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    author = member_of(tree["group"], display_name="Alice Jones")
    replier = member_of(tree["group"], display_name="Bob Evans")
    comment = add_comment(author, section, SECRET)
    reply = add_comment(replier, section, "Please do not post personal details.", parent=comment)
    moderator = person_in_role("moderator", tree)
    # Wagtail's Moderators group may use the admin; make sure in case the group was recreated.
    moderator.groups.get().permissions.add(Permission.objects.get(codename="access_admin"))
    return tree | {"section": section, "comment": comment, "reply": reply, "moderator": moderator}


def test_a_signed_in_reader_flags_a_comment_with_a_reason(client, thread):
    reader = UserFactory()
    client.force_login(reader)
    url = f"/consultation/comments/{thread['comment'].pk}/flag/"
    page = client.get(url).content.decode()
    assert "Why should a moderator look at this comment?" in page and SECRET in page

    response = client.post(url, {"reason": "personal_data", "details": "A phone number."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{thread['comment'].pk}")
    report = CommentReport.objects.get()
    assert (report.reporter, report.reason, report.details, report.resolved_at) == (
        reader,
        "personal_data",
        "A phone number.",
        None,
    )


def test_flag_form_errors_keep_what_was_typed(client, thread):
    client.force_login(UserFactory())
    url = f"/consultation/comments/{thread['comment'].pk}/flag/"
    response = client.post(url, {"details": "No reason chosen"})
    assert response.status_code == 400 and "Choose a reason." in response.content.decode()
    assert "No reason chosen</textarea>" in response.content.decode()
    response = client.post(url, {"reason": "other"})
    assert response.status_code == 400 and "Say what the problem is." in response.content.decode()
    assert CommentReport.objects.count() == 0


def test_flagging_twice_updates_the_open_report_instead_of_adding_one(thread):
    reader = UserFactory()
    comment_flag(comment=thread["comment"], reporter=reader, reason="spam")
    comment_flag(comment=thread["comment"], reporter=reader, reason="abusive", details="Worse.")
    report = CommentReport.objects.get()
    assert (report.reason, report.details) == ("abusive", "Worse.")


def test_moderation_queue_lists_flagged_comments_for_moderators_only(client, thread):
    comment_flag(comment=thread["comment"], reporter=UserFactory(), reason="personal_data")
    comment_flag(comment=thread["comment"], reporter=UserFactory(), reason="abusive")
    client.force_login(thread["moderator"])
    html = client.get("/admin/comment-moderation/").content.decode()
    assert "Flagged comments" in html and "Alice Jones" in html
    assert (
        "Reveals someone&#x27;s personal information" in html
        or "Reveals someone's personal information" in html
    )
    assert f"/admin/comment-moderation/comments/{thread['comment'].pk}/" in html
    # The admin menu offers the queue to moderators.
    assert "Comment moderation" in client.get("/admin/").content.decode()

    editor = person_in_role("editor", thread)
    editor.groups.get().permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    # Wagtail turns a refusal inside the admin into a redirect to the dashboard.
    refused = client.get("/admin/comment-moderation/")
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    refused = client.post(
        f"/admin/comment-moderation/comments/{thread['comment'].pk}/", {"action": "hide", "reason": "x"}
    )
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert Comment.objects.get(pk=thread["comment"].pk).hidden_at is None


def test_hiding_needs_a_reason(client, thread):
    client.force_login(thread["moderator"])
    url = f"/admin/comment-moderation/comments/{thread['comment'].pk}/"
    response = client.post(url, {"action": "hide", "reason": "  "})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert Comment.objects.get(pk=thread["comment"].pk).hidden_at is None
    assert not RecordEntry.objects.filter(kind="moderation").exists()


def test_hidden_comment_becomes_a_public_tombstone_with_its_replies_and_a_log_entry(client, thread):
    """Acceptance 4."""
    comment, reply, section = thread["comment"], thread["reply"], thread["section"]
    comment_flag(comment=comment, reporter=UserFactory(), reason="personal_data")
    client.force_login(thread["moderator"])
    response = client.post(
        f"/admin/comment-moderation/comments/{comment.pk}/",
        {"action": "hide", "reason": "It contained someone's phone number."},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_by == thread["moderator"] and comment.is_hidden
    assert CommentReport.objects.get().resolution == "hidden"

    client.logout()
    for url in (section.url, thread["paper"].url):
        html = client.get(url).content.decode()
        today = timezone.localtime(comment.hidden_at).strftime("%-d %B %Y")
        stamp = f'<time datetime="{comment.hidden_at.isoformat()}">{today}</time>'
        assert f"Removed by a moderator on {stamp}:</strong>" in html
        assert "It contained someone&#x27;s phone number." in html
        assert SECRET not in html and "07700" not in html
        assert "Please do not post personal details." in html  # the reply stays
        assert f'id="comment-{reply.pk}"' in html
    # The count no longer includes the hidden comment.
    assert (
        f'data-comment-count-for="section-{section.pk}">1 comment<'
        in client.get(thread["paper"].url).content.decode()
    )

    entry = RecordEntry.objects.get(kind="moderation")
    assert entry.consultation_id == thread["consultation"].pk
    assert "07700" not in entry.summary and SECRET not in str(entry.data)
    log = client.get(f"/consultation/{thread['consultation'].pk}/moderation/").content.decode()
    assert "A moderator removed comment" in log and "It contained someone&#x27;s phone number." in log
    assert SECRET not in log and "07700" not in log
    assert f"/consultation/comments/{comment.pk}/" in log


def test_restore_and_dismiss_are_recorded_too(thread):
    moderator = thread["moderator"]
    comment = thread["comment"]
    comment_hide(comment=comment, moderator=moderator, reason="Looked like spam.")
    comment_restore(comment=comment, moderator=moderator, reason="It was not spam after all.")
    comment.refresh_from_db()
    assert not comment.is_hidden and comment.hidden_reason == ""

    comment_flag(comment=thread["reply"], reporter=UserFactory(), reason="off_topic")
    assert comment_reports_dismiss(comment=thread["reply"], moderator=moderator, reason="On topic.") == 1
    assert CommentReport.objects.get().resolution == "dismissed"
    actions = list(
        RecordEntry.objects.filter(kind="moderation")
        .order_by("sequence")
        .values_list("data__action", flat=True)
    )
    assert actions == ["hide", "restore", "dismiss"]


def test_moderation_services_refuse_non_moderators_and_empty_reasons(thread):
    comment = thread["comment"]
    with pytest.raises(PermissionDenied):
        comment_hide(comment=comment, moderator=UserFactory(), reason="Because.")
    with pytest.raises(ValidationError):
        comment_hide(comment=comment, moderator=thread["moderator"], reason="")
    with pytest.raises(ValidationError):
        comment_restore(comment=comment, moderator=thread["moderator"], reason="Not hidden.")
    with pytest.raises(ValidationError):
        comment_reports_dismiss(comment=comment, moderator=thread["moderator"], reason="No flags.")
    assert not RecordEntry.objects.filter(kind="moderation").exists()


def test_hiding_twice_is_refused_and_thread_counters_are_untouched(thread):
    comment, reply = thread["comment"], thread["reply"]
    nested_before = Comment.objects.get(pk=comment.pk).nested_count
    comment_hide(comment=comment, moderator=thread["moderator"], reason="First.")
    with pytest.raises(ValidationError):
        comment_hide(comment=comment, moderator=thread["moderator"], reason="Second.")
    assert Comment.objects.get(pk=comment.pk).nested_count == nested_before
    assert Comment.objects.get(pk=reply.pk).is_public


def test_moderators_see_a_moderate_link_on_each_comment(client, thread):
    client.force_login(thread["moderator"])
    html = client.get(thread["section"].url).content.decode()
    assert f"/admin/comment-moderation/comments/{thread['comment'].pk}/" in html
    client.force_login(UserFactory())
    assert "/admin/comment-moderation/" not in client.get(thread["section"].url).content.decode()


def test_moderation_log_of_an_unknown_consultation_is_404(client):
    assert client.get("/consultation/999999/moderation/").status_code == 404
