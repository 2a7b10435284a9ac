"""Who may react, and who may see tallies: role × stage matrices, refusals first."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from consultation.models import Comment
from tests.support.contributions import make_comment as make_comment_on
from tests.support.factories import MembershipFactory, UserFactory, WorkingGroupFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import reaction_tree, restrict

pytestmark = pytest.mark.django_db

STAGES = ["drafting", "review", "signoff", "scrutiny", "final"]

# Who may react to a section, by stage. Everyone not listed is refused.
ALLOWED = {
    "drafting": set(),
    "review": {"invited member", "invited convenor"},
    "signoff": {"invited member", "invited convenor"},
    "scrutiny": {
        "invited member",
        "invited convenor",
        "invited observer",
        "verified public",
        "member of an uninvited group",
        "former member",
    },
    "final": set(),
}


def people(tree):
    group = tree["groups"][0]
    former = member_of(group)
    former.memberships.update(left_at=timezone.now() - timedelta(days=1))
    return {
        "anonymous": AnonymousUser(),
        "unverified public": UserFactory(email_verified=False),
        "verified public": UserFactory(),
        "invited observer": member_of(group, role="observer"),
        "invited member": member_of(group),
        "invited convenor": member_of(group, role="convenor"),
        "unverified invited member": member_of(tree["groups"][1], email_verified=False),
        "member of an uninvited group": member_of(WorkingGroupFactory()),
        "former member": former,
        "inactive invited member": member_of(group, is_active=False),
    }


def set_stage(tree, stage):
    consultation = tree["consultation"]
    consultation.current_stage = stage
    consultation.save()
    for user in tree["people"].values():
        user.__dict__.pop("_consultation_memberships", None)


@pytest.fixture
def tree():
    tree = reaction_tree(sections=2)
    tree["people"] = people(tree)
    return tree


def matrix(tree, rule, obj_for_stage):
    results = {}
    for stage in STAGES:
        set_stage(tree, stage)
        obj = obj_for_stage()
        for name, user in tree["people"].items():
            results[(stage, name)] = user.has_perm(rule, obj)
    return results


def expected_for(stage, name):
    allowed = ALLOWED[stage]
    if name == "unverified invited member":
        return stage in ("review", "signoff")  # email is needed for public scrutiny only
    return name in allowed


def test_react_section_matrix_has_more_refusals_than_allowances(tree):
    section = tree["sections"][0]
    results = matrix(tree, "consultation.react_section", lambda: type(section).objects.get(pk=section.pk))
    expected = {key: expected_for(*key) for key in results}
    assert results == expected
    allowed = sum(expected.values())
    assert allowed < len(expected) - allowed


def test_nobody_but_editors_reads_and_so_reacts_to_a_restricted_section_in_review(tree):
    set_stage(tree, "review")
    section = restrict(tree["sections"][0])
    for name, user in tree["people"].items():
        assert not user.has_perm("consultation.react_section", section), name
    # The unrestricted section next to it is open to the invited group as usual.
    assert tree["people"]["invited member"].has_perm("consultation.react_section", tree["sections"][1])


def make_comment(tree, author, **extra):
    return make_comment_on(paper=tree["paper"], section=tree["sections"][0], author=author, **extra)


def test_react_comment_matrix_follows_the_stage_and_refuses_the_author(tree):
    author = member_of(tree["groups"][1])
    comment = make_comment(tree, author)
    results = matrix(tree, "consultation.react_comment", lambda: Comment.objects.get(pk=comment.pk))
    expected = {key: expected_for(*key) for key in results}
    assert results == expected
    allowed = sum(expected.values())
    assert allowed < len(expected) - allowed

    for stage in STAGES:
        set_stage(tree, stage)
        assert not author.has_perm("consultation.react_comment", Comment.objects.get(pk=comment.pk)), stage


def test_hidden_or_removed_comments_take_no_reactions(tree):
    set_stage(tree, "scrutiny")
    author = UserFactory()
    hidden = make_comment(tree, author, hidden_at=timezone.now(), hidden_reason="Personal data")
    removed = make_comment(tree, author, is_removed=True)
    unpublished = make_comment(tree, author, is_public=False)
    for comment in (hidden, removed, unpublished):
        for name, user in tree["people"].items():
            assert not user.has_perm("consultation.react_comment", comment), (comment, name)


def test_tallies_of_a_restricted_paper_are_for_those_who_may_read_it(tree):
    paper = restrict(tree["paper"])
    refused = dict(tree["people"])
    for name, user in refused.items():
        assert not user.has_perm("consultation.view_tallies", paper), name
        assert not user.has_perm("consultation.view_tallies", tree["sections"][0]), name
    editor = editor_of(tree["consultation"])
    assert editor.has_perm("consultation.view_tallies", paper)


def test_tallies_of_an_unpublished_paper_are_refused_and_of_a_live_paper_open_to_all(tree):
    paper = tree["paper"]
    for name, user in tree["people"].items():
        assert user.has_perm("consultation.view_tallies", paper), name
    paper.unpublish()
    paper.refresh_from_db()
    for name, user in tree["people"].items():
        assert not user.has_perm("consultation.view_tallies", paper), name
    assert not AnonymousUser().has_perm("consultation.view_tallies", None)


def test_a_membership_of_an_invited_group_that_has_not_started_yet_does_not_count(tree):
    set_stage(tree, "review")
    future = UserFactory()
    MembershipFactory(group=tree["groups"][0], user=future, joined_at=timezone.now() + timedelta(days=2))
    assert not future.has_perm("consultation.react_section", tree["sections"][0])
