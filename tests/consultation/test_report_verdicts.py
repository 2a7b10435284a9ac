"""The consensus report's verdicts on the worked cases of issue 12, through the real builder:
real groups with real current memberships, reactions through the service, the snapshot every
output is rendered from."""

import csv
import io

import pytest

from consultation.comments.services import comment_create
from consultation.proposals.selectors import paper_support_context, rank_proposals
from consultation.proposals.services import proposal_create
from consultation.reactions.selectors import reaction_tallies
from consultation.report.builder import report_build
from consultation.report.render import render_body, render_csv
from tests.support.contributions import react
from tests.support.factories import WorkingGroupFactory
from tests.support.people import member_of
from tests.support.reports import section_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


def tree_of(sizes, *, names=None, sections=1):
    """Invited groups of the given sizes (current members), and a paper with `sections` sections."""
    names = names or [f"Group {chr(65 + i)}" for i in range(len(sizes))]
    groups = [WorkingGroupFactory(name=name, slug=name.lower().replace(" ", "-")) for name in names]
    tree = build_site_tree(sections=sections, stage="review", groups=groups)
    tree["groups"] = groups
    tree["members"] = [
        [member_of(group) for _ in range(size)] for group, size in zip(groups, sizes, strict=True)
    ]
    return tree


def verdict(tree, index=0):
    return section_of(report_build(paper=tree["paper"]), tree["sections"][index])


NAMES = ["Costs and benefits", "Conditions for sharing", "Safeguards and oversight"]


def test_two_groups_agreeing_six_of_six_and_a_third_disagreeing_two_of_two_is_contested_and_names_it():
    tree = tree_of([6, 6, 2], names=NAMES)
    costs, conditions, safeguards = tree["members"]
    section = tree["sections"][0]
    react(costs, section, "agree")
    react(conditions, section, "agree")
    react(safeguards, section, "disagree")
    result = verdict(tree)
    assert result["classification"]["key"] == "contested"
    # Groups are named in the report's order (alphabetical), in every output alike.
    assert result["classification"]["headline"] == (
        "Conditions for sharing and Costs and benefits agree; Safeguards and oversight disagrees."
    )
    assert result["statistic"]["disagreeing"] == ["Safeguards and oversight"]
    # The headline is in every output.
    snapshot = report_build(paper=tree["paper"])
    assert "Safeguards and oversight disagrees." in render_body(snapshot)
    rows = list(csv.DictReader(io.StringIO(render_csv(snapshot))))
    assert {r["headline"] for r in rows} == {result["classification"]["headline"]}


def test_a_third_group_with_only_two_of_its_six_reacting_blocks_consensus_and_is_waited_for():
    tree = tree_of([6, 6, 6], names=NAMES)
    costs, conditions, safeguards = tree["members"]
    section = tree["sections"][0]
    react(costs, section, "agree")
    react(conditions, section, "agree")
    react(safeguards[:2], section, "disagree")
    result = verdict(tree)
    assert result["classification"]["key"] == "waiting_for_groups"
    assert result["classification"]["label"] == "Waiting for groups"
    assert result["statistic"]["waiting_for"] == ["Safeguards and oversight"]
    assert result["classification"]["headline"].endswith("waiting for Safeguards and oversight.")
    row = next(g for g in result["groups"] if g["name"] == "Safeguards and oversight")
    assert (row["seen"], row["size"], row["quorum"], row["heard"]) == (2, 6, 3, False)


def test_three_groups_of_three_all_agreeing_is_broad_consensus():
    tree = tree_of([3, 3, 3])
    for members in tree["members"]:
        react(members, tree["sections"][0], "agree")
    result = verdict(tree)
    assert result["classification"]["label"] == "Broad consensus"
    assert all(g["carries"] for g in result["groups"] if g["kind"] == "working_group")


def test_ten_agreeing_against_a_group_of_ten_neutral_is_not_contested():
    tree = tree_of([10, 10])
    agreeing, neutral = tree["members"]
    react(agreeing, tree["sections"][0], "agree")
    react(neutral, tree["sections"][0], "neutral")
    result = verdict(tree)
    assert result["classification"]["key"] != "contested"
    assert result["classification"]["key"] == "leaning_agree"
    assert result["classification"]["headline"] == "Group A agrees; Group B is undecided."


def test_eighteen_of_eighteen_disagreeing_is_broad_rejection():
    tree = tree_of([6, 6, 6])
    for members in tree["members"]:
        react(members, tree["sections"][0], "disagree")
    result = verdict(tree)
    assert result["overall"]["disagree"] == 18
    assert result["classification"]["label"] == "Broad rejection"


def test_a_member_who_left_no_longer_counts_towards_the_quorum():
    from django.utils import timezone

    from workinggroups.models import Membership

    tree = tree_of([4, 4])
    first, second = tree["members"]
    react(first, tree["sections"][0], "agree")
    react(second[:1], tree["sections"][0], "agree")
    assert verdict(tree)["classification"]["key"] == "waiting_for_groups"  # 1 of 4: quorum 2
    # Two of the second group's silent members leave: 1 of 2 current members is its quorum.
    Membership.objects.filter(user__in=second[2:]).update(left_at=timezone.now())
    result = verdict(tree)
    assert next(g for g in result["groups"] if g["name"] == "Group B")["size"] == 2
    assert result["classification"]["key"] == "broad_consensus"


def test_the_public_is_beside_the_verdict():
    from consultation.models import Reaction

    tree = tree_of([3, 3], sections=1)
    section = tree["sections"][0]
    for members in tree["members"]:
        react(members, section, "agree")
    # Thirty public reactions against (written directly: the public cannot react in review).
    from tests.support.factories import UserFactory

    Reaction.objects.bulk_create(
        Reaction(
            user=UserFactory(),
            paper=tree["paper"],
            section=section,
            target_kind="section",
            target_id=section.pk,
            choice="disagree",
            is_member=False,
            paper_version="v1",
        )
        for _ in range(30)
    )
    result = verdict(tree)
    assert result["classification"]["key"] == "broad_consensus"
    assert (
        result["classification"]["headline"]
        == "Group A and Group B agree. The public (30 reactions) disagrees."
    )
    # The working groups and the public add up to all reactions.
    assert sum(g["seen"] for g in result["groups"]) == result["overall"]["seen"] == 36
    public = next(g for g in result["groups"] if g["kind"] == "public")
    assert public["position"] == "disagrees" and not public["in_verdict"]
    participation = report_build(paper=tree["paper"])["participation"]
    assert (
        participation["members_reacting"] + participation["public_reacting"]
        == participation["people_reacting"]
    )


def test_comments_quoted_are_chosen_by_support_across_groups_not_raw_agrees():
    tree = tree_of([6, 6, 6])
    a, b, c = tree["members"]
    section = tree["sections"][0]
    react(a, section, "agree")
    react(b, section, "agree")
    react(c, section, "agree")
    favourite = comment_create(author=a[0], target=section, text="Group A's favourite.")
    shared = comment_create(author=b[0], target=section, text="Agreed across groups.")
    # 4 agree from A, 3 disagree from C: (4/6 + 0 − 3/6) / 3 = 1/18.
    react(a[1:5], favourite, "agree")
    react(c[1:4], favourite, "disagree")
    # 1 agree each from B and C: (0 + 1/6 + 1/6) / 3 = 1/9.
    react(b[1:2], shared, "agree")
    react(c[4:5], shared, "agree")
    quoted = verdict(tree)["comments"]["agree"]
    assert [(q["id"], q["agree"], q["support"]) for q in quoted] == [(shared.pk, 2, 11), (favourite.pk, 4, 6)]


def test_a_proposal_every_group_supports_outranks_one_only_one_group_loves():
    tree = tree_of([3, 3, 7])
    a, b, c = tree["members"]
    section = tree["sections"][0]
    # Both by c[0], who may not react to them.
    loved = proposal_create(
        author=c[0], section=section, kind="replacement", text="Loved by C.", rationale="C."
    )
    everyone = proposal_create(
        author=c[0], section=section, kind="replacement", text="For all.", rationale="All."
    )
    react(c[1:], loved, "agree")  # 6 agree in all, every one from group C
    react(a[:2], everyone, "agree")  # 5 agree in all, from every group
    react(b[:2], everyone, "agree")
    react(c[1:2], everyone, "agree")
    tallies = reaction_tallies(paper_id=tree["paper"].pk)
    groups, config = paper_support_context(paper=tree["paper"], tallies=tallies)
    ranked = rank_proposals([loved, everyone], tallies=tallies, groups=groups, config=config)
    assert [p.pk for p in ranked] == [everyone.pk, loved.pk]
    # (2/3 + 2/3 + 1/7) / 3 = 31/63 → 49 %; (0 + 0 + 6/7) / 3 = 2/7 → 29 %.
    assert (everyone.score, loved.score) == (49, 29)
    listed = verdict(tree)["proposals"]
    assert [(p["id"], p["rank"]) for p in listed] == [(everyone.pk, 1), (loved.pk, 2)]


def test_a_group_uninvited_after_reacting_is_shown_outside_the_verdict():
    tree = tree_of([3, 3, 3])
    a, b, c = tree["members"]
    section = tree["sections"][0]
    react(a, section, "agree")
    react(b, section, "agree")
    react(c, section, "disagree")
    consultation = tree["consultation"]
    consultation.invited_groups.remove(tree["groups"][2])
    consultation.save_revision().publish()
    result = verdict(tree)
    row = next(g for g in result["groups"] if g["name"] == "Group C")
    assert (row["in_verdict"], row["position"], row["disagree"]) == (False, "disagrees", 3)
    assert row["status"].endswith("(no longer invited: shown, not in the verdict)")
    assert result["classification"]["key"] == "broad_consensus"
    assert result["statistic"]["groups_in_verdict"] == 2


def test_the_groups_and_their_current_sizes_are_one_query(django_assert_num_queries):
    from consultation.consensus.selectors import statistic_groups

    tree = tree_of([3, 5, 2])
    react(tree["members"][0], tree["sections"][0], "agree")
    tallies = reaction_tallies(paper_id=tree["paper"].pk)
    with django_assert_num_queries(1):
        groups = statistic_groups(consultation=tree["consultation"], tallies=tallies)
    assert [(g["name"], g["size"], g["in_verdict"]) for g in groups] == [
        ("Group A", 3, True),
        ("Group B", 5, True),
        ("Group C", 2, True),
        ("Public", None, False),
    ]
