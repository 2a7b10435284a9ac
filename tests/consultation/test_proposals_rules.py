"""Who may react to, discuss, withdraw and decide on a proposal: role × stage matrices, refusals first."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from consultation.models import Proposal
from consultation.rules import MODERATORS_GROUP
from tests.support.contributions import propose
from tests.support.factories import ConsultationPageFactory, UserFactory, WorkingGroupFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import proposal_tree

pytestmark = pytest.mark.django_db

STAGES = ["drafting", "review", "signoff", "scrutiny", "final"]
PARTICIPANTS = {"invited member", "invited convenor"}
# During public scrutiny anyone with a confirmed email address takes part.
SCRUTINY = PARTICIPANTS | {
    "invited observer",
    "verified public",
    "member of an uninvited group",
    "former member",
    "editor of the section",
    "editor of another consultation",
    "moderator",
}

EXPECTED = {
    "consultation.react_proposal": {
        "drafting": set(),
        "review": PARTICIPANTS,
        "signoff": PARTICIPANTS,
        "scrutiny": SCRUTINY,
        "final": set(),
    },
    # Like reacting, and the author may take part in the discussion of their own proposal.
    "consultation.comment_proposal": {
        "drafting": set(),
        "review": PARTICIPANTS | {"author"},
        "signoff": PARTICIPANTS | {"author"},
        "scrutiny": SCRUTINY | {"author"},
        "final": set(),
    },
    "consultation.withdraw_proposal": {
        "drafting": {"author"},
        "review": {"author"},
        "signoff": {"author"},
        "scrutiny": {"author"},
        "final": set(),
    },
    # Wagtail's publish permission on the section decides: its editors only.
    # Comment moderators hold no page permission (migration 0010), and an
    # editor of another consultation has none here.
    "consultation.decide_proposal": {stage: {"editor of the section"} for stage in STAGES},
    # Reading follows the section: public unless restricted.
    "consultation.view_proposal": dict.fromkeys(STAGES, "everyone"),
}


def people(tree):
    group = tree["groups"][0]
    former = member_of(group)
    former.memberships.update(left_at=timezone.now() - timedelta(days=1))
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return {
        "anonymous": AnonymousUser(),
        "unverified public": UserFactory(email_verified=False),
        "verified public": UserFactory(),
        "invited observer": member_of(group, role="observer"),
        "invited member": member_of(tree["groups"][1]),
        "invited convenor": member_of(tree["groups"][2], role="convenor"),
        "author": tree["author"],
        "member of an uninvited group": member_of(WorkingGroupFactory(name="Uninvited")),
        "former member": former,
        "inactive invited member": member_of(group, is_active=False),
        "editor of the section": tree["editor"],
        "editor of another consultation": editor_of(
            ConsultationPageFactory(parent=tree["index"]), username="elsewhere"
        ),
        "moderator": moderator,
    }


@pytest.fixture
def tree():
    tree = proposal_tree(per_group=1)
    tree["author"] = tree["members"][0][0]
    tree["proposal"] = propose(tree["author"], tree["sections"][0])
    tree["people"] = people(tree)
    return tree


def set_stage(tree, stage):
    consultation = tree["consultation"]
    consultation.current_stage = stage
    consultation.save()
    for user in tree["people"].values():
        user.__dict__.pop("_consultation_memberships", None)


def fresh_proposal(tree):
    proposal = Proposal.objects.select_related("section", "paper").get(pk=tree["proposal"].pk)
    proposal.section._paper_cache = proposal.paper
    return proposal


def matrix(tree, rule):
    results = {}
    for stage in STAGES:
        set_stage(tree, stage)
        proposal = fresh_proposal(tree)
        for name, user in tree["people"].items():
            results[(stage, name)] = user.has_perm(rule, proposal)
    return results


def expected(rule, stage, name):
    allowed = EXPECTED[rule][stage]
    return allowed == "everyone" or name in allowed


@pytest.mark.parametrize(
    "rule",
    [
        "consultation.react_proposal",
        "consultation.comment_proposal",
        "consultation.withdraw_proposal",
        "consultation.decide_proposal",
    ],
)
def test_role_by_stage_matrix_with_more_refusals_than_allowances(tree, rule):
    results = matrix(tree, rule)
    wrong = {key: got for key, got in results.items() if got != expected(rule, *key)}
    assert wrong == {}
    allowed = sum(results.values())
    assert allowed > 0
    assert len(results) - allowed > allowed


def test_everyone_reads_an_open_sections_proposals(tree):
    results = matrix(tree, "consultation.view_proposal")
    assert all(results.values())


def test_a_restricted_sections_proposals_are_withheld_from_everyone_but_its_editors(tree):
    section = tree["sections"][0]
    section.restricted = True
    section.restriction_category = "security"
    section.restriction_reason = "Thresholds."
    section.save_revision().publish()
    set_stage(tree, "review")
    proposal = fresh_proposal(tree)
    readers = {
        name for name, user in tree["people"].items() if user.has_perm("consultation.view_proposal", proposal)
    }
    # Exactly those who may read the section: its editors. Comment moderators
    # hold no page permission, so they read no restricted text.
    assert readers == {"editor of the section"}
    assert readers == {
        name
        for name, user in tree["people"].items()
        if user.has_perm("consultation.view_body", proposal.section)
    }
    # Nobody reacts to or discusses what they may not read; nor can anyone propose on it.
    for user in tree["people"].values():
        assert not user.has_perm("consultation.react_proposal", proposal)
        assert not user.has_perm("consultation.comment_proposal", proposal)
        assert not user.has_perm("consultation.propose_section", proposal.section)


@pytest.mark.parametrize("state", ["accepted", "incorporated", "not_taken_forward", "withdrawn"])
def test_a_proposal_that_is_no_longer_open_takes_no_reactions_comments_or_withdrawal(tree, state):
    Proposal.objects.filter(pk=tree["proposal"].pk).update(
        state=state, incorporated_in_label="v2", decision_reason="Reason."
    )
    for stage in ("review", "scrutiny"):
        set_stage(tree, stage)
        proposal = fresh_proposal(tree)
        for name, user in tree["people"].items():
            assert not user.has_perm("consultation.react_proposal", proposal), (stage, name)
            assert not user.has_perm("consultation.comment_proposal", proposal), (stage, name)
            assert not user.has_perm("consultation.withdraw_proposal", proposal), (stage, name)
    # Editors may still decline an accepted proposal whose draft they did not publish; nothing else.
    can_decide = tree["editor"].has_perm("consultation.decide_proposal", fresh_proposal(tree))
    assert can_decide is (state == "accepted")
