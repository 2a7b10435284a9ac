"""One person, one voice per consultation; superusers take part like anyone else.

A person in two invited working groups: their comment, reaction, proposal and
the report's row all name the same group, before and after a change of
organisation opens a new membership. A superuser who is in no group is
refused wherever an ordinary non-member is, at every stage, through the same
rules the views ask.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from consultation.comments.services import comment_create
from consultation.models import (
    Comment,
    ConsultationPage,
    PolicyPaperPage,
    Proposal,
    ProposalKind,
    Reaction,
    RecordEntry,
    SectionPage,
    Voice,
)
from consultation.participation.services import voice_choose, voice_of
from consultation.proposals.services import proposal_create, proposal_withdraw
from consultation.reactions.services import reaction_set
from consultation.report.builder import report_build
from consultation.stages.services import consultation_move_stage
from tests.support.factories import MembershipFactory, UserFactory
from tests.support.people import editor_of, forget, member_of
from tests.support.trees import groups_tree
from workinggroups.models import Membership
from workinggroups.services.memberships import membership_change

pytestmark = pytest.mark.django_db

STAGES = ["drafting", "review", "signoff", "scrutiny", "final"]
PARTICIPATION_RULES = {
    "consultation.comment_section": "section",
    "consultation.comment_paper": "paper",
    "consultation.react_section": "section",
    "consultation.propose_section": "section",
    "consultation.sign_off_paper": "paper",
}


def _enter(tree, stage, editor):
    consultation = ConsultationPage.objects.get(pk=tree["consultation"].pk)
    if consultation.current_stage != stage:
        consultation_move_stage(
            consultation=consultation, to_stage=stage, actor=editor, reason="Test.", override=True
        )


def _pages(tree):
    return {
        "section": SectionPage.objects.get(pk=tree["sections"][0].pk),
        "paper": PolicyPaperPage.objects.get(pk=tree["paper"].pk),
    }


@pytest.fixture
def two_groups():
    tree = groups_tree(stage="review", groups=2, sections=1)
    first, second = tree["groups"]
    person = UserFactory(display_name="Dana Two-Groups")
    now = timezone.now()
    MembershipFactory(group=first, user=person, joined_at=now - timedelta(days=30))
    MembershipFactory(group=second, user=person, joined_at=now - timedelta(days=10))
    tree["person"] = person
    return tree


# ---------------------------------------------------------------- superusers


def test_a_superuser_in_no_group_is_refused_wherever_a_verified_non_member_is_at_every_stage():
    tree = groups_tree(stage="drafting", groups=1, sections=1)
    editor = editor_of(tree["consultation"])
    superuser = UserFactory(is_superuser=True, is_staff=True, email_verified=True)
    non_member = UserFactory(email_verified=True)
    differences, superuser_allowed = [], []
    for stage in STAGES:
        _enter(tree, stage, editor)
        forget(superuser, non_member)
        pages = _pages(tree)
        for rule, target in PARTICIPATION_RULES.items():
            ours = superuser.has_perm(rule, pages[target])
            theirs = non_member.has_perm(rule, pages[target])
            if ours != theirs:
                differences.append((stage, rule, ours, theirs))
            if ours:
                superuser_allowed.append((stage, rule))
    assert differences == []
    # Like any verified person, only in public scrutiny, and never sign-off.
    assert superuser_allowed == [
        ("scrutiny", "consultation.comment_section"),
        ("scrutiny", "consultation.comment_paper"),
        ("scrutiny", "consultation.react_section"),
        ("scrutiny", "consultation.propose_section"),
    ]


def test_a_superuser_cannot_comment_or_react_at_the_final_stage_through_the_services():
    tree = groups_tree(stage="final", groups=1, sections=1)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    section = _pages(tree)["section"]
    with pytest.raises(PermissionDenied, match="“Final” stage"):
        comment_create(author=superuser, target=section, text="Closing remark.")
    with pytest.raises(PermissionDenied, match="“Final” stage"):
        reaction_set(user=superuser, target=section, choice="agree")
    assert not Comment.objects.exists() and not Reaction.objects.exists()


def test_a_superuser_cannot_withdraw_someone_elses_proposal_and_the_record_is_untouched():
    tree = groups_tree(stage="review", groups=1, sections=1)
    author = member_of(tree["groups"][0])
    proposal = proposal_create(
        author=author,
        section=_pages(tree)["section"],
        kind=ProposalKind.REPLACEMENT,
        text="Better.",
        rationale="Why.",
    )
    entries = RecordEntry.objects.count()
    superuser = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied, match="Only the person who made this proposal"):
        proposal_withdraw(proposal=proposal, user=superuser)
    proposal.refresh_from_db()
    assert proposal.state == "open"
    assert RecordEntry.objects.count() == entries


def test_superusers_still_administer():
    tree = groups_tree(stage="signoff", groups=1, sections=1)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    paper = _pages(tree)["paper"]
    assert superuser.has_perm("consultation.moderate")
    assert superuser.has_perm("consultation.move_stage", tree["consultation"])
    assert superuser.has_perm("consultation.publish_version", paper)
    assert superuser.has_perm("consultation.freeze_report", paper)
    # Model permissions that are not rules keep Django's superuser answer.
    assert superuser.has_perm("wagtailadmin.access_admin")


# ---------------------------------------------------------------- one voice


def _group_names(tree):
    first, second = tree["groups"]
    return first.name, second.name


def test_comment_reaction_proposal_and_report_row_name_the_same_group(two_groups):
    tree, person = two_groups, two_groups["person"]
    first, _ = _group_names(tree)
    section = _pages(tree)["section"]
    comment = comment_create(author=person, target=section, text="A view.")
    reaction = reaction_set(user=person, target=section, choice="disagree")
    proposal = proposal_create(
        author=person,
        section=section,
        kind=ProposalKind.REPLACEMENT,
        text="Other words.",
        rationale="Because.",
    )
    assert comment.working_group_name == first
    assert reaction.working_group.name == first
    assert proposal.working_group_name == first
    rows = {row["name"]: row for row in report_build(paper=_pages(tree)["paper"])["sections"][0]["groups"]}
    assert rows[first]["disagree"] == 1
    assert sum(row["disagree"] for name, row in rows.items() if name != first) == 0


def test_a_change_of_organisation_never_moves_the_voice_or_earlier_contributions(two_groups):
    tree, person = two_groups, two_groups["person"]
    first, second = _group_names(tree)
    section = _pages(tree)["section"]
    reaction_set(user=person, target=section, choice="agree")
    old_comment = comment_create(author=person, target=section, text="Before the move.")

    # A new organisation opens a new membership of the first group, younger
    # than the membership of the second: the old "longest membership" rule
    # would now speak for the second group.
    membership = Membership.objects.current().get(user=person, group=tree["groups"][0])
    membership_change(membership=membership, organisation=None, actor=person)
    forget(person)

    new_comment = comment_create(author=person, target=section, text="After the move.")
    again = reaction_set(user=person, target=section, choice="disagree")  # a re-click
    proposal = proposal_create(
        author=person, section=section, kind=ProposalKind.REPLACEMENT, text="Words.", rationale="Reason."
    )
    assert new_comment.working_group_name == first
    assert again.working_group.name == first
    assert proposal.working_group_name == first
    old_comment.refresh_from_db()
    assert old_comment.working_group_name == first
    rows = {row["name"]: row for row in report_build(paper=_pages(tree)["paper"])["sections"][0]["groups"]}
    assert (rows[first]["disagree"], rows[second]["disagree"], rows[second]["agree"]) == (1, 0, 0)


def test_choosing_another_group_is_recorded_and_applies_only_from_then_on(two_groups):
    tree, person = two_groups, two_groups["person"]
    first, second = _group_names(tree)
    section = _pages(tree)["section"]
    before = comment_create(author=person, target=section, text="As the first group.")
    voice_choose(user=person, consultation=tree["consultation"], group=tree["groups"][1])
    after = comment_create(author=person, target=section, text="As the second group.")
    before.refresh_from_db()
    assert (before.working_group_name, after.working_group_name) == (first, second)
    entry = RecordEntry.objects.filter(kind="voice_changed").get()
    assert f"now speaks for {second} instead of {first}" in entry.summary
    assert Voice.objects.get(user=person).chosen_by_person


def test_a_choice_made_during_a_request_applies_to_its_next_contribution(two_groups):
    # The memberships a request has read carry the voice they were read with (the rule's
    # query reads both); a choice made since must not be answered from them.
    tree, person = two_groups, two_groups["person"]
    first, second = _group_names(tree)
    section = _pages(tree)["section"]
    comment_create(author=person, target=section, text="Fixes the voice.")
    forget(person)
    assert reaction_set(user=person, target=section, choice="agree").working_group.name == first
    voice_choose(user=person, consultation=tree["consultation"], group=tree["groups"][1])
    assert reaction_set(user=person, target=section, choice="disagree").working_group.name == second
    assert comment_create(author=person, target=section, text="Now.").working_group_name == second


def test_nobody_chooses_a_group_they_are_not_in(two_groups):
    tree = two_groups
    outsider = member_of(tree["groups"][0])
    with pytest.raises(PermissionDenied):
        voice_choose(user=outsider, consultation=tree["consultation"], group=tree["groups"][1])
    assert not Voice.objects.filter(user=outsider).exists()


def test_when_the_chosen_membership_ends_the_next_contribution_takes_the_other_group(two_groups):
    from workinggroups.services.memberships import membership_leave

    tree, person = two_groups, two_groups["person"]
    first, second = _group_names(tree)
    section = _pages(tree)["section"]
    comment_create(author=person, target=section, text="First.")
    membership_leave(
        membership=Membership.objects.current().get(user=person, group=tree["groups"][0]), actor=person
    )
    forget(person)
    later = comment_create(author=person, target=section, text="Second.")
    assert later.working_group_name == second
    assert RecordEntry.objects.filter(
        kind="voice_changed", summary__contains="membership of the earlier group ended"
    ).exists()


def test_the_speaking_for_page_lets_a_two_group_member_choose_without_javascript(client, two_groups):
    tree, person = two_groups, two_groups["person"]
    _, second = _group_names(tree)
    url = f"/consultation/{tree['consultation'].pk}/speaking-for/"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(person)
    page = client.get(tree["paper"].url).content.decode()
    assert "You speak for" in page and url in page
    bad = client.post(url, {"group": "999999"})
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()
    response = client.post(url, {"group": str(tree["groups"][1].pk), "next": tree["paper"].url})
    assert response.status_code == 302
    assert voice_of(user=person, consultation=tree["consultation"])["group"].name == second


def test_a_one_group_member_and_the_public_are_not_asked(client, two_groups):
    tree = two_groups
    member = member_of(tree["groups"][0])
    client.force_login(member)
    assert "You speak for" not in client.get(tree["paper"].url).content.decode()
    assert voice_of(user=AnonymousUser(), consultation=tree["consultation"])["memberships"] == []
    assert not Proposal.objects.exists()
