"""The quoted comments are ranked in SQL (a window function over a float score);
they must be exactly the comments the rule in docs/report.md picks, computed here
the slow way: every comment's tally, exact fractions, sorted in Python."""

import pytest
from django.core.management import call_command
from django.db.models import F, Q

from consultation.consensus.selectors import counts_of, group_counts, report_settings, statistic_groups
from consultation.consensus.statistics import group_support
from consultation.models import Comment, PolicyPaperPage, Reaction
from consultation.models.proposals import proposal_content_type_id
from consultation.reactions.selectors import reaction_tallies
from consultation.report.builder import report_build
from tests.support.factories import UserFactory
from tests.support.trees import build_site_tree
from workinggroups.models import Membership, WorkingGroup

pytestmark = pytest.mark.django_db


def _support(tally, groups):
    by_group = (tally or {"by_group": {}})["by_group"]
    counts = [group_counts(g, counts_of(by_group.get(str(g["id"])))) for g in groups if g["in_verdict"]]
    return group_support(counts) or 0


def _expected(paper, top):
    """{(section id, side): [comment ids]} by the written rule, without SQL ranking."""
    tallies = reaction_tallies(paper_id=paper.pk)
    groups = statistic_groups(consultation=paper.consultation, tallies=tallies)
    rows = (
        Comment.objects.filter(
            paper=paper, section__isnull=False, is_public=True, is_removed=False, hidden_at__isnull=True
        )
        .exclude(content_type_id=proposal_content_type_id())
        .filter(
            Q(user__reactions__text_hash="", user__reactions__paper_version=F("version_label"))
            | (~Q(text_hash="") & Q(user__reactions__text_hash=F("text_hash"))),
            user__reactions__target_kind="section",
            user__reactions__target_id=F("section_id"),
            user__reactions__choice__in=["agree", "disagree"],
        )
        .values_list("pk", "section_id", "user__reactions__choice")
    )
    keys = {}
    for pk, section_id, side in rows:
        tally = tallies.get(f"comment:{pk}")
        counts = (tally or {}).get("counts", {})
        key = (-_support(tally, groups), -counts.get("agree", 0), counts.get("disagree", 0), pk)
        keys.setdefault((section_id, side), []).append(key)
    return {where: [key[-1] for key in sorted(found)[:top]] for where, found in keys.items()}, groups


def _shown(snapshot):
    return {
        (section["id"], side): [c["id"] for c in section["comments"][side]]
        for section in snapshot["sections"]
        for side in ("agree", "disagree")
        if section["comments"][side]
    }


@pytest.mark.parametrize("seed", [3, 4])
def test_the_quoted_comments_are_those_the_rule_picks(seed):
    build_site_tree(sections=1)
    # Few reactions per comment: many exact ties in support, broken by agrees, disagrees, age.
    call_command("generate_synthetic", sections=4, comments=400, reactions=3000, groups=3, seed=seed)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    top = report_settings().top_comments
    expected, groups = _expected(paper, top)
    snapshot = report_build(paper=paper)
    assert _shown(snapshot) == expected
    assert sum(len(ids) for ids in expected.values()) == 4 * 2 * top
    # The figures printed beside each quoted comment are its tally's.
    tallies = reaction_tallies(paper_id=paper.pk)
    for section in snapshot["sections"]:
        for quoted in section["comments"]["agree"] + section["comments"]["disagree"]:
            counts = tallies[f"comment:{quoted['id']}"]["counts"]
            assert (quoted["agree"], quoted["disagree"]) == (counts["agree"], counts["disagree"])


def test_exact_ties_in_support_are_broken_by_agrees_as_the_rule_says():
    """1 of a group of 3 and 2 of a group of 6 are the same support (1/3 and 2/6):
    the comment with more agrees comes first, whichever the database's float says."""
    build_site_tree(sections=1)
    call_command("generate_synthetic", sections=1, comments=40, reactions=400, groups=2, seed=5)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    small, large = WorkingGroup.objects.filter(consultations=paper.consultation).order_by("pk")[:2]
    for group, size in ((small, 3), (large, 6)):
        Membership.objects.filter(group=group).delete()
        group.members_list = [UserFactory() for _ in range(size)]
        for user in group.members_list:
            Membership.objects.create(group=group, user=user)
    Reaction.objects.filter(paper=paper, target_kind="comment").delete()
    snapshot = report_build(paper=paper)
    section = snapshot["sections"][0]
    # With no comment reactions every support is 0: a side's first comments are its earliest.
    side = max(("agree", "disagree"), key=lambda side: len(section["comments"][side]))
    candidates = Comment.objects.filter(pk__in=[c["id"] for c in section["comments"][side]]).order_by("pk")
    assert candidates.count() >= 2
    first, second = candidates[0], candidates[1]

    def agree(comment, user, group):
        Reaction.objects.create(
            user=user,
            paper=paper,
            section_id=comment.section_id,
            target_kind="comment",
            target_id=comment.pk,
            choice="agree",
            working_group=group,
            is_member=True,
            paper_version=paper.version_label,
        )

    agree(first, small.members_list[0], small)  # 1/3
    agree(second, large.members_list[0], large)  # 2/6
    agree(second, large.members_list[1], large)
    quoted = report_build(paper=paper)["sections"][0]["comments"][side]
    assert [c["id"] for c in quoted[:2]] == [second.pk, first.pk]
    assert quoted[0]["support"] == quoted[1]["support"]


def test_a_group_uninvited_after_reacting_only_to_comments_is_still_shown():
    build_site_tree(sections=1)
    call_command("generate_synthetic", sections=1, comments=20, reactions=200, groups=2, seed=6)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    gone = WorkingGroup.objects.filter(consultations=paper.consultation).order_by("pk").first()
    Reaction.objects.filter(paper=paper, target_kind="section", working_group=gone).update(
        working_group=None, is_member=False
    )
    assert Reaction.objects.filter(paper=paper, target_kind="comment", working_group=gone).exists()
    gone.consultations.remove(paper.consultation)
    _, expected_groups = _expected(paper, 3)
    snapshot = report_build(paper=paper)
    shown = {g["key"]: g["in_verdict"] for g in snapshot["groups"]}
    assert shown == {g["key"]: g["in_verdict"] for g in expected_groups}
    assert shown[f"group-{gone.pk}"] is False
