"""The report's statistic: worked examples computed by hand, then its stated properties,
checked with Hypothesis over every mix of group sizes and reactions.

Defaults: quorum ½ of a group's current members (⌈m/2⌉, at least 1); a group agrees
(disagrees) when at least 67 % of those taking a side agreed (disagreed), the percentage
rounded half up as printed; the public is heard from 10 reactions and never in the verdict.
"""

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from consultation.consensus.statistics import (
    Classification,
    GroupCounts,
    Position,
    Settings,
    group_statistic,
    group_support,
    headline,
    net_support,
    percent,
    quorum_for,
    section_statistic,
    support_percent,
    support_text,
)

C = Classification


def group(name, agree=0, disagree=0, neutral=0, *, size):
    return GroupCounts(name.lower(), name, agree, disagree, neutral, size=size)


def label(*groups, public=None, **kwargs):
    return section_statistic(groups, Settings(**kwargs) if kwargs else None, public=public).classification


# ---------------------------------------------------------------- the pieces


def test_percent_is_rounded_half_up_in_whole_numbers():
    assert percent(2, 3) == 67  # 66.67
    assert percent(1, 3) == 33
    assert percent(1, 8) == 13  # 12.5 → 13, not banker's 12
    assert percent(133, 200) == 67  # 66.5 → 67: the label is decided on the 67 % printed
    assert percent(0, 5) == 0 and percent(5, 5) == 100
    assert percent(0, 0) is None


@pytest.mark.parametrize("part,whole", [(-1, 3), (4, 3), (0, -1)])
def test_impossible_counts_are_refused(part, whole):
    with pytest.raises(ValueError):
        percent(part, whole)


def test_quorum_is_half_the_members_rounded_up_and_at_least_one():
    assert [quorum_for(m) for m in (0, 1, 2, 3, 6, 7, 18)] == [1, 1, 1, 2, 3, 4, 9]
    assert quorum_for(6, Fraction(1, 3)) == 2
    with pytest.raises(ValueError):
        quorum_for(-1)


def test_agree_and_disagree_percentages_add_up_to_100_as_printed():
    # 1 agree, 7 disagree: 12.5 % and 87.5 % would each round up to 13 + 88 = 101.
    g = group_statistic(group("A", 1, 7, size=8))
    assert (g.agree_percent, g.disagree_percent) == (13, 87)


def test_positions_worked():
    # A group of 6: quorum 3.
    assert group_statistic(group("A", 2, size=6)).position == Position.WAITING  # 2 of 6 reacted
    assert group_statistic(group("A", 4, 2, size=6)).position == Position.AGREES  # 67 %
    assert group_statistic(group("A", 3, 2, size=6)).position == Position.SPLIT  # 60 %
    assert group_statistic(group("A", 1, 2, size=6)).position == Position.DISAGREES  # 67 % disagree
    assert group_statistic(group("A", 0, 3, size=6)).position == Position.DISAGREES
    # Neutral is the most common reaction → undecided; 3 neutral, 3 agree → not (a tie is not a plurality).
    assert group_statistic(group("A", 1, 0, 4, size=6)).position == Position.UNDECIDED
    assert group_statistic(group("A", 3, 0, 3, size=6)).position == Position.AGREES


def test_status_says_what_decided_the_position():
    assert group_statistic(group("A", 2, size=6)).status == "Not yet heard: 2 of 6 members reacted, 3 needed"
    assert group_statistic(group("A", 5, 1, size=6)).status == (
        "Agrees: 83% agree, 17% disagree of those taking a side"
    )
    public = group_statistic(GroupCounts("public", "Public", 3, size=None), is_public=True)
    assert public.position == Position.TOO_FEW and public.status == "Too few reactions to say (3; 10 needed)"


@pytest.mark.parametrize(
    "kwargs",
    [{"threshold": 50}, {"threshold": 101}, {"quorum": 0}, {"quorum": 2}, {"public_min_reactions": 0}],
)
def test_nonsense_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        Settings(**kwargs)


# ---------------------------------------------------------------- worked cases from the issue


def test_two_groups_agreeing_do_not_outvote_a_third_group_that_disagrees():
    # 6/6 + 6/6 agree; the third group (of 2) both disagree: heard (quorum 1), 0 % agree.
    stat = section_statistic(
        [group("Costs", 6, size=6), group("Conditions", 6, size=6), group("Safeguards", 0, 2, size=2)]
    )
    assert stat.classification == C.CONTESTED
    assert stat.headline == "Costs and Conditions agree; Safeguards disagrees."
    assert "Safeguards disagrees" in stat.reason


def test_a_third_group_below_its_quorum_is_named_and_blocks_consensus():
    # The same, but the third group has 6 members and only its 2 disagreeing reacted: not yet heard.
    stat = section_statistic(
        [group("Costs", 6, size=6), group("Conditions", 6, size=6), group("Safeguards", 0, 2, size=6)]
    )
    assert stat.classification == C.WAITING
    assert stat.headline == "Costs and Conditions agree; waiting for Safeguards."
    assert stat.reason == "Waiting for Safeguards (Safeguards: 2 of 6 members reacted, 3 needed)."


def test_one_group_reacting_is_not_broad_consensus():
    stat = section_statistic([group("A", 6, size=6), group("B", size=6), group("C", size=6)])
    assert stat.classification == C.WAITING
    assert stat.headline == "A agrees; waiting for B and C."


def test_monotone_on_the_case_the_old_rule_got_wrong():
    # 6/6 + 6/6 + 2/2 agree is consensus; one more agree (3 of a group of 3) stays consensus.
    assert label(group("A", 6, size=6), group("B", 6, size=6), group("C", 2, size=2)) == C.BROAD_CONSENSUS
    assert label(group("A", 6, size=6), group("B", 6, size=6), group("C", 3, size=3)) == C.BROAD_CONSENSUS


def test_three_small_unanimous_groups_are_broad_consensus():
    assert label(group("A", 3, size=3), group("B", 3, size=3), group("C", 3, size=3)) == C.BROAD_CONSENSUS


def test_a_small_unanimous_group_that_disagrees_contests_the_section():
    assert label(group("A", 3, size=3), group("B", 3, size=3), group("C", 0, 3, size=3)) == C.CONTESTED


def test_unanimous_opposition_is_broad_rejection():
    stat = section_statistic([group("A", 0, 6, size=6), group("B", 0, 6, size=6), group("C", 0, 6, size=6)])
    assert stat.classification == C.BROAD_REJECTION
    assert stat.label == "Broad rejection"
    assert stat.headline == "A, B and C disagree."


def test_neutral_is_undecided_never_opposition():
    # 10 agree against a group of 10 neutral: nobody disagreed, so not contested.
    stat = section_statistic([group("A", 10, size=10), group("B", 0, 0, 10, size=10)])
    assert stat.classification == C.LEANING_AGREE
    assert stat.headline == "A agrees; B is undecided."
    # 1 agree and 17 neutral: undecided, not leaning agree.
    assert label(group("A", 1, 0, 17, size=18)) == C.UNDECIDED


def test_a_third_of_a_group_agreeing_is_not_consensus_however_unanimous():
    # 2 of 6 agree, the rest silent: heard? 2 < 3, no. With a third member neutral: heard, agrees,
    # but fewer than half the members agreed → leaning agree, and the reason says why.
    stat = section_statistic([group("A", 2, 0, 1, size=6), group("B", 6, size=6)])
    assert stat.classification == C.LEANING_AGREE
    assert "A (2 of 6 members agreed, 3 needed)" in stat.reason


def test_leaning_disagree_and_split():
    assert label(group("A", 0, 4, size=6), group("B", 2, 2, size=4)) == C.LEANING_DISAGREE
    stat = section_statistic([group("A", 3, 3, size=6), group("B", 2, 2, size=4)])
    assert stat.classification == C.CONTESTED
    assert stat.reason == "Opinion is split within A and B."


def test_nobody_heard_and_nobody_invited():
    stat = section_statistic([group("A", 1, size=6), group("B", size=6)])
    assert stat.classification == C.TOO_LITTLE
    assert stat.reason == "No working group has reached its quorum yet; waiting for A and B."
    assert label() == C.TOO_LITTLE


def test_the_public_is_reported_beside_and_cannot_flip_the_verdict():
    groups = [group("A", 3, size=3), group("B", 3, size=3)]
    many_against = GroupCounts("public", "Public", 0, 500, size=None)
    stat = section_statistic(groups, public=many_against)
    assert stat.classification == C.BROAD_CONSENSUS
    assert stat.headline == "A and B agree. The public (500 reactions) disagrees."
    few = section_statistic(groups, public=GroupCounts("public", "Public", 0, 4, size=None))
    assert few.headline == "A and B agree. The public: 4 reactions, too few to say."


def test_headline_names_every_position():
    groups = [
        group_statistic(group(name, *counts, size=6))
        for name, counts in [("A", (6,)), ("B", (0, 6)), ("C", (3, 3)), ("D", (0, 0, 4)), ("E", ())]
    ]
    assert headline(groups) == "A agrees; B disagrees; C is split; D is undecided; waiting for E."


# ---------------------------------------------------------------- group-aware support (ranking)


def test_net_support_worked():
    assert net_support(group("A", 3, size=3)) == 1
    assert net_support(group("A", size=6)) == 0  # silent: undecided
    assert net_support(group("A", 4, 1, size=6)) == Fraction(1, 2)  # (4 − 1) / 6
    # More reactions than current members (some have left): divided by the reactions.
    assert net_support(group("A", 5, 1, size=3)) == Fraction(4, 6)
    assert group_support([]) is None


def test_unanimous_everywhere_beats_one_group_loving_it():
    everyone = [group("A", 3, size=3), group("B", 3, size=3), group("C", 3, size=3)]
    one_loves = [group("A", 20, size=20), group("B", 0, 3, size=3), group("C", 0, 3, size=3)]
    one_loves_others_silent = [group("A", 20, size=20), group("B", size=3), group("C", size=3)]
    assert support_percent(group_support(everyone)) == 100
    assert support_percent(group_support(one_loves)) == -33
    assert support_percent(group_support(one_loves_others_silent)) == 33


def test_support_is_printed_signed_and_rounded_half_away_from_zero():
    assert support_percent(Fraction(1, 200)) == 1 and support_percent(Fraction(-1, 200)) == -1
    assert [support_text(v) for v in (67, 0, -33, None)] == ["+67%", "0%", "\u221233%", "–"]


# ---------------------------------------------------------------- properties (Hypothesis)

# Small numbers: the edges (a quorum just met, a threshold just reached) are where rules break.
counts = st.integers(min_value=0, max_value=9)


@st.composite
def a_group(draw, index=0):
    size = draw(st.integers(min_value=0, max_value=9))
    return GroupCounts(f"g{index}", f"Group {index}", draw(counts), draw(counts), draw(counts), size=size)


@st.composite
def groups_strategy(draw):
    n = draw(st.integers(min_value=1, max_value=4))
    return [draw(a_group(i)) for i in range(n)]


def bump(groups, index, **more):
    g = groups[index]
    changed = GroupCounts(
        g.key,
        g.name,
        g.agree + more.get("agree", 0),
        g.disagree + more.get("disagree", 0),
        g.neutral + more.get("neutral", 0),
        size=g.size,
    )
    return [*groups[:index], changed, *groups[index + 1 :]]


def verdict(groups):
    return section_statistic(groups).classification


PROPERTY = settings(max_examples=500, deadline=None)


@PROPERTY
@given(a_group())
def test_a_group_carries_more_with_each_agree_and_less_with_each_disagree(g):
    # The lemma behind the section's monotonicity: broad consensus is "every group carries".
    def stat(**more):
        return group_statistic(bump([g], 0, **more)[0])

    base = stat()
    assert stat(agree=1).carries >= base.carries
    assert stat(disagree=1).carries <= base.carries
    assert stat(disagree=1).rejects >= base.rejects
    assert stat(agree=1).rejects <= base.rejects


@PROPERTY
@given(groups_strategy(), st.data())
def test_one_more_agree_never_moves_a_section_away_from_consensus(groups, data):
    index = data.draw(st.integers(min_value=0, max_value=len(groups) - 1))
    if verdict(groups) == C.BROAD_CONSENSUS:
        assert verdict(bump(groups, index, agree=1)) == C.BROAD_CONSENSUS
    # And one more agree never creates a broad rejection.
    if verdict(groups) != C.BROAD_REJECTION:
        assert verdict(bump(groups, index, agree=1)) != C.BROAD_REJECTION


@PROPERTY
@given(groups_strategy(), st.data())
def test_one_more_disagree_never_creates_consensus(groups, data):
    index = data.draw(st.integers(min_value=0, max_value=len(groups) - 1))
    if verdict(groups) != C.BROAD_CONSENSUS:
        assert verdict(bump(groups, index, disagree=1)) != C.BROAD_CONSENSUS
    if verdict(groups) == C.BROAD_REJECTION:
        assert verdict(bump(groups, index, disagree=1)) == C.BROAD_REJECTION


@PROPERTY
@given(groups_strategy(), st.integers(min_value=2, max_value=6))
def test_scaling_every_group_by_the_same_factor_keeps_consensus(groups, factor):
    scaled = [
        GroupCounts(
            g.key, g.name, g.agree * factor, g.disagree * factor, g.neutral * factor, size=g.size * factor
        )
        for g in groups
    ]
    for kind in (C.BROAD_CONSENSUS, C.BROAD_REJECTION):
        if verdict(groups) == kind:
            assert verdict(scaled) == kind


@PROPERTY
@given(groups_strategy())
def test_no_groups_objection_is_outvoted(groups):
    # Any group whose majority disagrees (heard or not) rules out broad consensus, whatever the other sizes.
    if any(g.disagree > g.agree for g in groups):
        assert verdict(groups) != C.BROAD_CONSENSUS


@PROPERTY
@given(groups_strategy())
def test_a_group_not_yet_heard_blocks_consensus_and_is_named(groups):
    stat = section_statistic(groups)
    for g in stat.groups:
        if g.seen < g.quorum:
            assert stat.classification not in (C.BROAD_CONSENSUS, C.BROAD_REJECTION)
            assert g.name in stat.headline
            assert g in stat.waiting_groups


@PROPERTY
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=4), st.data())
def test_small_unanimous_groups_count_as_unanimous(sizes, data):
    agreeing = [group(f"G{i}", m, size=m) for i, m in enumerate(sizes)]
    assert verdict(agreeing) == C.BROAD_CONSENSUS
    rejecting = [group(f"G{i}", 0, m, size=m) for i, m in enumerate(sizes)]
    assert verdict(rejecting) == C.BROAD_REJECTION
    if len(sizes) > 1:
        index = data.draw(st.integers(min_value=0, max_value=len(sizes) - 1))
        mixed = [*agreeing[:index], rejecting[index], *agreeing[index + 1 :]]
        assert verdict(mixed) == C.CONTESTED


@PROPERTY
@given(groups_strategy(), st.integers(0, 1000), st.integers(0, 1000), st.integers(0, 1000))
def test_the_public_never_changes_the_verdict(groups, agree, disagree, neutral):
    public = GroupCounts("public", "Public", agree, disagree, neutral, size=None)
    assert section_statistic(groups, public=public).classification == verdict(groups)


@PROPERTY
@given(groups_strategy())
def test_neutral_reactions_are_never_opposition(groups):
    # With every disagree turned neutral, nothing reads as opposition: not leaning disagree,
    # not rejected, not contested (agree against neutral is never a split).
    neutralised = [
        GroupCounts(g.key, g.name, g.agree, 0, g.neutral + g.disagree, size=g.size) for g in groups
    ]
    assert verdict(neutralised) not in (C.LEANING_DISAGREE, C.BROAD_REJECTION, C.CONTESTED)


@PROPERTY
@given(groups_strategy())
def test_figures_add_up_and_positions_follow_the_printed_percentages(groups):
    for g in section_statistic(groups).groups:
        assert g.seen == g.agree + g.disagree + g.neutral
        if g.agree + g.disagree:
            assert g.agree_percent + g.disagree_percent == 100
        if g.position == Position.AGREES:
            assert g.agree_percent >= 67
        if g.position == Position.DISAGREES:
            assert g.disagree_percent >= 67
        if g.position == Position.SPLIT:
            assert 33 < g.agree_percent < 67


@PROPERTY
@given(groups_strategy(), st.data())
def test_one_more_agree_never_lowers_support(groups, data):
    index = data.draw(st.integers(min_value=0, max_value=len(groups) - 1))
    before, after = group_support(groups), group_support(bump(groups, index, agree=1))
    assert after >= before
    assert support_percent(after) >= support_percent(before)
    assert group_support(bump(groups, index, disagree=1)) <= before


@PROPERTY
@given(groups_strategy(), st.data())
def test_unanimous_everywhere_outranks_any_proposal_only_one_group_supports(groups, data):
    assume(len(groups) > 1)
    loved_by = data.draw(st.integers(min_value=0, max_value=len(groups) - 1))
    # Only one group is for it: every other group has at most as many agree as disagree.
    one_group = [
        g
        if i == loved_by
        else GroupCounts(g.key, g.name, min(g.agree, g.disagree), g.disagree, g.neutral, size=g.size)
        for i, g in enumerate(groups)
    ]
    everyone = [GroupCounts(g.key, g.name, max(g.size, 1), size=g.size) for g in groups]
    assert support_percent(group_support(everyone)) > support_percent(group_support(one_group))
