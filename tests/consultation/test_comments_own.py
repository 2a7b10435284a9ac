"""Editing and withdrawing one's own comment: the rules, the services and the no-JavaScript pages."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from consultation.comments.services import (
    comment_edit,
    comment_hide,
    comment_restore,
    comment_withdraw,
    section_follow,
)
from consultation.explain import explain
from consultation.models import Comment, CommentRevision, RecordEntry, SectionFollow
from consultation.privacy.selectors import personal_data
from consultation.privacy.services import REMOVE, account_erase
from tests.support.contributions import add_comment
from tests.support.factories import UserFactory
from tests.support.people import member_of, person_in_role
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    author = member_of(tree["group"], display_name="Alice Jones")
    other = member_of(tree["group"], display_name="Bob Evans")
    comment = add_comment(author, section, "The threshold is too low.")
    reply = add_comment(other, section, "I agree.", parent=comment)
    return tree | {"section": section, "author": author, "other": other, "comment": comment, "reply": reply}


def _age(comment, minutes):
    Comment.objects.filter(pk=comment.pk).update(
        submit_date=timezone.now() - timezone.timedelta(minutes=minutes)
    )
    return Comment.objects.get(pk=comment.pk)


def _set_stage(tree, stage, *people):
    tree["consultation"].current_stage = stage
    tree["consultation"].save()
    for user in people:
        user.__dict__.pop("_consultation_memberships", None)


# ---------------------------------------------------------------- editing: refusals first


def test_only_the_author_may_edit_and_the_explainer_says_why(thread):
    comment = thread["comment"]
    assert not thread["other"].has_perm("consultation.edit_comment", comment)
    assert explain(thread["other"], "consultation.edit_comment", comment).code == "not_comment_author"
    assert explain(UserFactory.build(), "consultation.edit_comment", comment).code in (
        "sign_in",
        "not_comment_author",
    )
    with pytest.raises(PermissionDenied):
        comment_edit(comment=comment, author=thread["other"], text="Hijacked.")
    assert Comment.objects.get(pk=comment.pk).comment == "The threshold is too low."


@override_settings(COMMENT_EDIT_MINUTES=15)
def test_editing_closes_when_the_window_does(thread):
    comment = _age(thread["comment"], 16)
    verdict = explain(thread["author"], "consultation.edit_comment", comment)
    assert verdict.code == "edit_window_closed" and "15 minutes" in verdict.message
    with pytest.raises(PermissionDenied):
        comment_edit(comment=comment, author=thread["author"], text="Too late.")
    assert _age(thread["comment"], 14) and thread["author"].has_perm(
        "consultation.edit_comment", Comment.objects.get(pk=comment.pk)
    )


@override_settings(COMMENT_EDIT_MINUTES=0)
def test_a_zero_window_turns_editing_off(thread):
    assert (
        explain(thread["author"], "consultation.edit_comment", thread["comment"]).code == "edit_window_closed"
    )


def test_editing_closes_when_the_author_may_no_longer_comment(thread):
    _set_stage(thread, "final", thread["author"])
    comment = Comment.objects.get(pk=thread["comment"].pk)
    assert explain(thread["author"], "consultation.edit_comment", comment).code == "stage_final"


def test_a_hidden_comment_cannot_be_edited(thread):
    moderator = person_in_role("moderator", thread)
    comment_hide(comment=thread["comment"], moderator=moderator, reason="Off topic.")
    comment = Comment.objects.get(pk=thread["comment"].pk)
    assert explain(thread["author"], "consultation.edit_comment", comment).code == "hidden_comment"


def test_the_edit_page_refuses_others_and_changes_nothing(client, thread):
    url = f"/consultation/comments/{thread['comment'].pk}/edit/"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(thread["other"])
    response = client.post(url, {"comment": "Hijacked."})
    assert response.status_code == 403
    assert "Only the person who wrote this comment can edit this comment." in response.content.decode()
    assert Comment.objects.get(pk=thread["comment"].pk).comment == "The threshold is too low."
    assert not CommentRevision.objects.exists()


# ---------------------------------------------------------------- editing: what it does


def test_editing_keeps_the_earlier_text_and_marks_the_comment_edited(thread):
    comment = comment_edit(
        comment=thread["comment"], author=thread["author"], text="  The threshold is far too low.  "
    )
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.comment == "The threshold is far too low." and stored.edited_at is not None
    assert list(CommentRevision.objects.values_list("text", flat=True)) == ["The threshold is too low."]
    # The same text again changes nothing.
    comment_edit(comment=stored, author=thread["author"], text="The threshold is far too low.")
    assert CommentRevision.objects.count() == 1
    # The thread is untouched: the reply still answers it.
    assert Comment.objects.get(pk=thread["reply"].pk).parent_id == comment.pk


def test_the_edit_page_works_without_javascript_and_errors_keep_the_text(client, thread):
    client.force_login(thread["author"])
    url = f"/consultation/comments/{thread['comment'].pk}/edit/"
    page = client.get(url).content.decode()
    assert ">The threshold is too low.</textarea>" in page

    response = client.post(url, {"comment": "x" * 5000})
    assert response.status_code == 400 and "The limit is" in response.content.decode()
    assert "x" * 5000 + "</textarea>" in response.content.decode()
    response = client.post(url, {"comment": "   "})
    assert response.status_code == 400 and "Write your comment before saving it." in response.content.decode()

    response = client.post(url, {"comment": "Far too low <script>alert(1)</script>"})
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{thread['comment'].pk}")
    page = client.get(thread["section"].url).content.decode()
    assert "Far too low &lt;script&gt;" in page and "<script>alert(1)" not in page
    assert "comment__edited" in page and "The threshold is too low." not in page


def test_edit_and_withdraw_links_show_only_to_the_author(client, thread):
    client.force_login(thread["other"])
    page = client.get(thread["section"].url).content.decode()
    assert f"/comments/{thread['comment'].pk}/edit/" not in page
    assert f"/comments/{thread['reply'].pk}/edit/" in page
    assert f"/comments/{thread['reply'].pk}/withdraw/" in page


def test_moderators_read_the_earlier_text(client, thread):
    comment_edit(comment=thread["comment"], author=thread["author"], text="Changed my mind.")
    moderator = person_in_role("moderator", thread)
    moderator.groups.get().permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(moderator)
    page = client.get(f"/admin/comment-moderation/comments/{thread['comment'].pk}/").content.decode()
    assert "Earlier text" in page and "The threshold is too low." in page


# ---------------------------------------------------------------- withdrawing


def test_only_the_author_may_withdraw(client, thread):
    assert (
        explain(thread["other"], "consultation.withdraw_comment", thread["comment"]).code
        == "not_comment_author"
    )
    with pytest.raises(PermissionDenied):
        comment_withdraw(comment=thread["comment"], author=thread["other"])
    client.force_login(thread["other"])
    response = client.post(f"/consultation/comments/{thread['comment'].pk}/withdraw/")
    assert response.status_code == 403
    assert Comment.objects.get(pk=thread["comment"].pk).withdrawn_at is None


def test_withdrawing_is_closed_once_the_consultation_is_final(thread):
    _set_stage(thread, "final", thread["author"])
    comment = Comment.objects.get(pk=thread["comment"].pk)
    assert explain(thread["author"], "consultation.withdraw_comment", comment).code == "stage_final"


def test_withdrawing_leaves_a_public_tombstone_keeps_replies_and_enters_the_record(client, thread):
    client.force_login(thread["author"])
    url = f"/consultation/comments/{thread['comment'].pk}/withdraw/"
    page = client.get(url).content.decode()
    assert "Withdraw your comment?" in page
    assert Comment.objects.get(pk=thread["comment"].pk).withdrawn_at is None  # GET only asks

    response = client.post(url)
    assert response.status_code == 302
    comment = Comment.objects.get(pk=thread["comment"].pk)
    assert comment.is_withdrawn and comment.is_hidden and comment.hidden_by == thread["author"]

    client.logout()
    page = client.get(thread["section"].url).content.decode()
    assert "Withdrawn by its author" in page and "The threshold is too low." not in page
    assert "I agree." in page
    entry = RecordEntry.objects.get(kind="moderation")
    assert entry.data["action"] == "withdraw" and "The threshold" not in entry.summary
    # Twice is once; and it cannot be edited, flagged or restored by a moderator.
    assert not thread["author"].has_perm("consultation.withdraw_comment", comment)
    assert not thread["author"].has_perm("consultation.edit_comment", comment)
    with pytest.raises(Exception, match="withdrew"):
        comment_restore(comment=comment, moderator=person_in_role("moderator", thread), reason="Back.")


def test_the_api_says_edited_and_who_withdrew_never_the_earlier_text(client, thread):
    comment_edit(comment=thread["comment"], author=thread["author"], text="Changed my mind.")
    url = f"/api/v1/papers/{thread['paper'].pk}/comments"
    data = client.get(url).json()
    top = data["items"][0]
    assert top["edited_at"] and top["text"] == "Changed my mind."
    assert "The threshold is too low." not in client.get(url).content.decode()
    comment_withdraw(comment=Comment.objects.get(pk=thread["comment"].pk), author=thread["author"])
    top = client.get(url).json()["items"][0]
    assert top["hidden"]["by"] == "author" and top["text"] is None and top["edited_at"] is None
    assert top["replies"][0]["text"] == "I agree."


def test_erasing_the_account_with_its_contributions_takes_the_earlier_texts_and_section_follows(thread):
    comment_edit(comment=thread["comment"], author=thread["author"], text="Changed my mind.")
    section_follow(section=thread["section"], user=thread["author"])
    exported = personal_data(user=thread["author"])
    assert exported["comments"][0]["earlier_texts"] == ["The threshold is too low."]
    assert exported["follows"] == [
        {"section": thread["section"].title, "since": exported["follows"][0]["since"]}
    ]
    account_erase(user=thread["author"], contributions=REMOVE, reactions=REMOVE)
    assert not CommentRevision.objects.exists() and not SectionFollow.objects.exists()


def test_the_restrictions_register_lists_a_withdrawn_comment_as_the_authors_doing(client, thread):
    comment_withdraw(comment=thread["comment"], author=thread["author"])
    page = client.get(thread["consultation"].url + "restrictions/").content.decode()
    assert f'data-comment-id="{thread["comment"].pk}"' in page and "Withdrawn by its author" in page
    assert "Alice Jones" not in page


def test_a_withdrawn_comment_takes_no_replies_and_says_why(client, thread):
    comment_withdraw(comment=thread["comment"], author=thread["author"])
    client.force_login(thread["other"])
    page = client.get(f"/consultation/comments/{thread['comment'].pk}/reply/").content.decode()
    assert "Its author has withdrawn this comment, so it cannot take replies." in page
    assert "The threshold is too low." not in page
