"""Who may comment: a role × stage matrix for the named rules, asked directly and through the view.

Expected allowances are written out by hand (not derived from the rules), and
refusals outnumber them: 34 of the 45 cells per rule refuse.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from consultation.comments.services import comment_hide
from consultation.models import Comment, CommentReport
from tests.support.contributions import add_comment, post_data
from tests.support.factories import UserFactory
from tests.support.people import COMMENT_ROLES, person_in_role
from tests.support.trees import STAGES, comment_tree

pytestmark = pytest.mark.django_db

ALLOWED = {
    "drafting": set(),
    "review": {"member", "convenor"},
    "signoff": {"member", "convenor"},
    # Anyone signed in with a verified email (the factories verify emails,
    # except for the deliberately unverified person).
    "scrutiny": {
        "verified_public",
        "observer",
        "member",
        "convenor",
        "other_group_member",
        "moderator",
        "editor",
    },
    "final": set(),
}


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("rule", ["consultation.comment_section", "consultation.comment_paper"])
def test_comment_rules_by_role_and_stage(stage, rule):
    tree = comment_tree(stage=stage)
    target = tree["sections"][0] if rule.endswith("section") else tree["paper"]
    actual = {role: person_in_role(role, tree).has_perm(rule, target) for role in COMMENT_ROLES}
    expected = {role: role in ALLOWED[stage] for role in COMMENT_ROLES}
    assert actual == expected


@pytest.mark.parametrize("stage", STAGES)
def test_the_post_view_follows_the_same_matrix_and_refusals_store_nothing(client, stage):
    tree = comment_tree(stage=stage)
    section = tree["sections"][0]
    outcome = {}
    for role in COMMENT_ROLES:
        user = person_in_role(role, tree)
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        before = Comment.objects.count()
        response = client.post(
            "/consultation/comments/post/", post_data(section, text=f"From {role} in {stage}")
        )
        stored = Comment.objects.count() - before
        outcome[role] = (response.status_code, stored)
    expected = {role: (302, 1) if role in ALLOWED[stage] else (403, 0) for role in COMMENT_ROLES}
    assert outcome == expected


@pytest.mark.parametrize("stage", STAGES)
def test_the_form_is_offered_exactly_when_the_rule_allows(client, stage):
    tree = comment_tree(stage=stage)
    section = tree["sections"][0]
    offered = {}
    for role in ("anonymous", "unverified_public", "verified_public", "observer", "member"):
        user = person_in_role(role, tree)
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        offered[role] = 'action="/consultation/comments/post/"' in client.get(section.url).content.decode()
    assert offered == {role: role in ALLOWED[stage] for role in offered}


def test_a_member_who_has_left_the_group_can_no_longer_comment():
    from django.utils import timezone

    tree = comment_tree(stage="review")
    member = person_in_role("member", tree)
    member.memberships.update(left_at=timezone.now())
    member = type(member).objects.get(pk=member.pk)  # a fresh object: no cached memberships
    assert not member.has_perm("consultation.comment_section", tree["sections"][0])


def test_a_deactivated_account_cannot_comment_in_scrutiny():
    tree = comment_tree(stage="scrutiny")
    assert not UserFactory(is_active=False).has_perm("consultation.comment_section", tree["sections"][0])


def test_only_people_who_can_read_a_restricted_text_may_comment_on_it():
    tree = comment_tree(stage="scrutiny")
    section = tree["sections"][0]
    section.restricted = True
    section.restriction_category = "legal_advice"
    section.restriction_reason = "Legal advice."
    section.save_revision().publish()
    roles = ["verified_public", "observer", "member", "convenor", "other_group_member", "moderator", "editor"]
    allowed = {
        role for role in roles if person_in_role(role, tree).has_perm("consultation.comment_section", section)
    }
    # Only the consultation's editors read restricted text (their page
    # permission); comment moderators hold no page permission.
    assert allowed == {"editor"}


# ---------------------------------------------------------------- flagging, following, moderating


def test_flag_rule_signed_in_readers_only_not_their_own_and_not_hidden_comments():
    tree = comment_tree(stage="review")
    author = person_in_role("member", tree)
    comment = add_comment(author, tree["sections"][0])
    reader = UserFactory(email_verified=False)  # flagging needs no verified email
    assert reader.has_perm("consultation.flag_comment", comment)
    assert not AnonymousUser().has_perm("consultation.flag_comment", comment)
    assert not UserFactory(is_active=False).has_perm("consultation.flag_comment", comment)
    assert not author.has_perm("consultation.flag_comment", comment)
    comment_hide(comment=comment, moderator=person_in_role("moderator", tree), reason="Spam.")
    comment.refresh_from_db()
    assert not reader.has_perm("consultation.flag_comment", comment)


def test_follow_rule_needs_a_verified_email():
    tree = comment_tree(stage="review")
    paper = tree["paper"]
    assert UserFactory().has_perm("consultation.follow_paper", paper)
    assert not UserFactory(email_verified=False).has_perm("consultation.follow_paper", paper)
    assert not AnonymousUser().has_perm("consultation.follow_paper", paper)


@pytest.mark.parametrize("role", COMMENT_ROLES)
def test_only_moderators_moderate(role):
    tree = comment_tree(stage="review")
    assert person_in_role(role, tree).has_perm("consultation.moderate") is (role == "moderator")


def test_flag_view_requires_sign_in_and_refuses_flagging_your_own_comment(client):
    tree = comment_tree(stage="review")
    author = person_in_role("member", tree)
    comment = add_comment(author, tree["sections"][0])
    url = f"/consultation/comments/{comment.pk}/flag/"
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(author)
    assert client.post(url, {"reason": "spam"}).status_code == 403
    assert CommentReport.objects.count() == 0
