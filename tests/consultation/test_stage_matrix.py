"""Acceptance 3: the same person trying the same action gets the stage's answer.

Every role × every stage × comment / react / propose / sign off, asked through
the named rules that views, templates, the API and the websocket all use.
Everything not listed in ALLOWED must be refused, and refusals outnumber
allowances.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from consultation.models import ConsultationPage, PolicyPaperPage, SectionPage
from consultation.stages.services import consultation_move_stage
from tests.support.factories import UserFactory, WorkingGroupFactory
from tests.support.people import editor_of, forget, member_of
from tests.support.trees import groups_tree

pytestmark = pytest.mark.django_db

STAGES = ["drafting", "review", "signoff", "scrutiny", "final"]
ACTIONS = {
    "comment on a section": ("consultation.comment_section", "section"),
    "comment on the paper": ("consultation.comment_paper", "paper"),
    "react to a section": ("consultation.react_section", "section"),
    "propose wording": ("consultation.propose_section", "section"),
    "sign off the paper": ("consultation.sign_off_paper", "paper"),
}
ROLES = [
    "anonymous",
    "unverified public",
    "verified public",
    "observer",
    "member",
    "convenor",
    "member of a non-invited group",
    "editor",
]

GROUP_PARTICIPANTS = {"member", "convenor"}
PUBLIC_PARTICIPANTS = {
    "verified public",
    "observer",
    "member",
    "convenor",
    "member of a non-invited group",
    "editor",
}
_TAKING_PART = {
    "drafting": set(),
    "review": GROUP_PARTICIPANTS,
    "signoff": GROUP_PARTICIPANTS,
    "scrutiny": PUBLIC_PARTICIPANTS,
    "final": set(),
}


def _allowed(stage, action):
    if action == "sign off the paper":
        return {"convenor"} if stage == "signoff" else set()
    return _TAKING_PART[stage]


ALLOWED = {(stage, action): _allowed(stage, action) for stage in STAGES for action in ACTIONS}


@pytest.fixture
def world():
    tree = groups_tree(stage="drafting", groups=1, sections=1)
    group = tree["groups"][0]
    tree["people"] = {
        "anonymous": AnonymousUser(),
        "unverified public": UserFactory(email_verified=False),
        "verified public": UserFactory(),
        "observer": member_of(group, role="observer"),
        "member": member_of(group),
        "convenor": tree["convenors"][0],
        "member of a non-invited group": member_of(WorkingGroupFactory(), role="convenor"),
        "editor": editor_of(tree["consultation"]),
    }
    return tree


def targets(world):
    """Fresh from the database, as a request would load them."""
    return {
        "section": SectionPage.objects.get(pk=world["sections"][0].pk),
        "paper": PolicyPaperPage.objects.get(pk=world["paper"].pk),
    }


def answers(world):
    pages = targets(world)
    result = {}
    for role, user in world["people"].items():
        for action, (rule, target) in ACTIONS.items():
            result[(role, action)] = user.has_perm(rule, pages[target])
    return result


def enter(world, stage):
    """Move the consultation through the real service (the editor overrides sign-off)."""
    consultation = ConsultationPage.objects.get(pk=world["consultation"].pk)
    if consultation.current_stage != stage:
        consultation_move_stage(
            consultation=consultation,
            to_stage=stage,
            actor=world["people"]["editor"],
            reason="Matrix test.",
            override=True,
        )
    forget(*(u for u in world["people"].values() if u.is_authenticated))


def test_every_role_gets_each_stages_answer_for_every_action(world):
    wrong = []
    for stage in STAGES:
        enter(world, stage)
        for (role, action), answer in answers(world).items():
            expected = role in ALLOWED[(stage, action)]
            if answer != expected:
                wrong.append(f"{stage}: {role} / {action}: got {answer}, expected {expected}")
    assert wrong == []


def test_the_same_convenor_is_answered_by_the_stage_alone(world):
    convenor = world["people"]["convenor"]
    seen = {}
    for stage in STAGES:
        enter(world, stage)
        pages = targets(world)
        seen[stage] = (
            convenor.has_perm("consultation.comment_section", pages["section"]),
            convenor.has_perm("consultation.sign_off_paper", pages["paper"]),
        )
    assert seen == {
        "drafting": (False, False),
        "review": (True, False),
        "signoff": (True, True),
        "scrutiny": (True, False),
        "final": (False, False),
    }


def test_leaving_the_group_withdraws_group_rights_in_the_same_stage(world):
    from workinggroups.models import Membership
    from workinggroups.services.memberships import membership_leave

    enter(world, "review")
    member = world["people"]["member"]
    section = targets(world)["section"]
    assert member.has_perm("consultation.comment_section", section)
    membership_leave(membership=Membership.objects.current().get(user=member), actor=member)
    assert not member.has_perm("consultation.comment_section", section)
