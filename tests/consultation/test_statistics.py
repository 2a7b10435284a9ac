"""Worked examples of the report's statistic, computed by hand with the arithmetic shown.

z for 95 % is 1.959964 (z² = 3.841459). Wilson interval for k agrees out of n seen:
    centre = (k/n + z²/2n) / (1 + z²/n)
    half   = z · √( (k/n)(1 − k/n)/n + z²/4n² ) / (1 + z²/n)
    interval = centre ± half
"""

from fractions import Fraction

import pytest

from consultation.consensus.statistics import (
    TOO_FEW_LABEL,
    Z_95,
    Classification,
    GroupCounts,
    Settings,
    consensus_product,
    geometric_mean,
    section_statistic,
    smoothed_agreement,
    wilson_interval,
    z_for_confidence,
)

approx = pytest.approx


def by_key(statistic):
    return {g.key: g for g in statistic.groups}


# ---------------------------------------------------------------- the pieces


def test_z_for_95_and_90_percent():
    assert approx(1.959964, abs=1e-6) == Z_95
    assert z_for_confidence(0.90) == approx(1.644854, abs=1e-6)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.2])
def test_confidence_outside_0_1_is_refused(bad):
    with pytest.raises(ValueError):
        z_for_confidence(bad)


def test_smoothed_agreement_worked():
    # 8 agree of 10 seen: (8 + 1) / (10 + 2) = 9/12 = 0.75
    assert smoothed_agreement(8, 10) == 0.75
    # nothing seen: (0 + 1) / (0 + 2) = 0.5, the uninformed prior
    assert smoothed_agreement(0, 0) == 0.5
    # 2 agree of 10 (8 neutral): 3/12 = 0.25
    assert smoothed_agreement(2, 10) == 0.25


def test_wilson_8_of_10_worked():
    # p̂ = 0.8, z²/n = 0.384146, denominator = 1.384146
    # centre = (0.8 + 0.192073) / 1.384146 = 0.716744
    # half   = 1.959964 × √(0.016 + 0.009604) / 1.384146 = 1.959964 × 0.160011 / 1.384146 = 0.226582
    low, high = wilson_interval(8, 10)
    assert low == approx(0.716744 - 0.226582, abs=1e-5)  # 0.490162
    assert high == approx(0.716744 + 0.226582, abs=1e-5)  # 0.943326


def test_wilson_1_of_10_worked():
    # p̂ = 0.1; centre = (0.1 + 0.192073) / 1.384146 = 0.211012
    # half = 1.959964 × √(0.009 + 0.009604) / 1.384146 = 1.959964 × 0.136395 / 1.384146 = 0.193137
    low, high = wilson_interval(1, 10)
    assert low == approx(0.017875, abs=1e-5)
    assert high == approx(0.404149, abs=1e-5)


def test_wilson_20_of_20_worked_and_exact_at_the_ends():
    # p̂ = 1, z²/n = 0.192073, denominator = 1.192073
    # centre = (1 + 0.096036) / 1.192073 = 0.919445
    # half = 1.959964 × √(3.841459 / 1600) / 1.192073 = 1.959964 × 0.048999 / 1.192073 = 0.080565
    low, high = wilson_interval(20, 20)
    assert low == approx(0.838880, abs=1e-5)
    assert high == 1.0
    assert wilson_interval(0, 10)[0] == 0.0
    # Nothing seen: nothing known.
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize("agree,seen", [(-1, 3), (4, 3), (0, -1)])
def test_impossible_counts_are_refused(agree, seen):
    with pytest.raises(ValueError):
        smoothed_agreement(agree, seen)
    with pytest.raises(ValueError):
        wilson_interval(agree, seen)


def test_product_and_geometric_mean_worked():
    # 0.75 × 0.25 = 0.1875; √0.1875 = 0.433013
    assert consensus_product([0.75, 0.25]) == 0.1875
    assert geometric_mean([0.75, 0.25]) == approx(0.433013, abs=1e-6)
    assert consensus_product([]) is None
    assert geometric_mean([]) is None


def test_geometric_mean_of_many_groups_does_not_underflow():
    # 0.01 ** 400 underflows to 0.0 as a product; its 400th root is still 0.01.
    assert geometric_mean([0.01] * 400) == approx(0.01)


# ---------------------------------------------------------------- classification


def test_majority_agrees_but_one_group_disagrees_is_contested_not_consensus():
    # A: 20 agree of 20, B: 20 agree of 20, C: 1 agree, 9 disagree.
    # Overall 41 of 50 agree (82 %): a plain majority vote would call this agreement.
    stat = section_statistic(
        [GroupCounts("a", "A", agree=20), GroupCounts("b", "B", agree=20), GroupCounts("c", "C", 1, 9)]
    )
    groups = by_key(stat)
    # p_A = p_B = 21/22 = 0.954545; p_C = 2/12 = 0.166667
    assert groups["a"].p == approx(0.954545, abs=1e-6)
    assert groups["c"].p == approx(0.166667, abs=1e-6)
    # Wilson: A and B (0.838880, 1); C (0.017875, 0.404149)
    assert groups["a"].wilson_low == approx(0.838880, abs=1e-5)
    assert groups["c"].wilson_high == approx(0.404149, abs=1e-5)
    # C's lower bound 0.017875 < 0.6 → not broad consensus;
    # A's interval is wholly above 0.5 and C's wholly below → contested.
    assert stat.classification == Classification.CONTESTED
    # product = 0.954545 × 0.954545 × 0.166667 = 0.151860; cube root = 0.533516
    assert stat.product == approx(0.151860, abs=1e-6)
    assert stat.geometric_mean == approx(0.533516, abs=1e-6)
    assert "C" in stat.reason and "wholly below" in stat.reason


def test_majority_agrees_but_one_group_disagrees_without_separated_intervals_leans_agree():
    # As above, but C: 2 agree, 8 disagree → Wilson (0.056682, 0.509838): upper bound above 0.5,
    # so the intervals do not separate: not contested. Still not broad consensus (0.056682 < 0.6).
    stat = section_statistic(
        [GroupCounts("a", "A", agree=20), GroupCounts("b", "B", agree=20), GroupCounts("c", "C", 2, 8)]
    )
    assert by_key(stat)["c"].wilson_high == approx(0.509838, abs=1e-5)
    # balance = mean of (agree − disagree)/(seen + 2) = (20/22 + 20/22 − 6/12) / 3 = (29/22) / 3 = 29/66
    assert stat.balance == Fraction(29, 66)
    assert stat.classification == Classification.LEANING_AGREE
    assert "lower bound below 0.6 for C" in stat.reason


def test_broad_consensus_worked_and_groups_below_the_minimum_are_labelled_not_counted():
    # A 20/20 → low 0.838880; B 19 agree + 1 neutral → low 0.763869; C 10/10 → low 0.722467.
    # D has 2 reactions (< 3): shown as "too few reactions", left out of the product.
    stat = section_statistic(
        [
            GroupCounts("a", "A", agree=20),
            GroupCounts("b", "B", agree=19, neutral=1),
            GroupCounts("c", "C", agree=10),
            GroupCounts("d", "D", agree=2),
        ]
    )
    groups = by_key(stat)
    assert groups["b"].wilson_low == approx(0.763869, abs=1e-5)
    assert groups["c"].wilson_low == approx(0.722467, abs=1e-5)
    assert stat.classification == Classification.BROAD_CONSENSUS
    assert not groups["d"].counted and groups["d"].status == TOO_FEW_LABEL
    assert [g.key for g in stat.counted_groups] == ["a", "b", "c"]
    assert stat.reason.endswith("Not counted, too few reactions: D (2).")
    # product = 21/22 × 20/22 × 11/12 = 0.795455 (D's 3/4 is not in it); cube root = 0.926556
    assert stat.product == approx(0.795455, abs=1e-6)
    assert stat.geometric_mean == approx(0.926556, abs=1e-6)


def test_nine_of_ten_is_just_short_of_the_default_threshold_and_meets_a_lower_one():
    # 9/10: centre = (0.9 + 0.192073)/1.384146 = 0.788987; half = 1.959964 × 0.136395/1.384146 = 0.193137
    # low = 0.595850 < 0.6 → leaning agree; with threshold 0.55 → broad consensus.
    groups = [GroupCounts("a", "A", agree=9, neutral=1)]
    stat = section_statistic(groups)
    assert stat.groups[0].wilson_low == approx(0.595850, abs=1e-5)
    assert stat.classification == Classification.LEANING_AGREE
    assert (
        section_statistic(groups, Settings(threshold=0.55)).classification == Classification.BROAD_CONSENSUS
    )


def test_a_lower_confidence_level_narrows_the_interval():
    # z = 1.644854 for 90 %: 9/10 → low 0.652281 ≥ 0.6 → broad consensus
    stat = section_statistic([GroupCounts("a", "A", agree=9, neutral=1)], Settings(confidence=0.90))
    assert stat.groups[0].wilson_low == approx(0.652281, abs=1e-5)
    assert stat.classification == Classification.BROAD_CONSENSUS


def test_no_group_with_enough_reactions_is_too_little_participation():
    stat = section_statistic([GroupCounts("a", "A", agree=2), GroupCounts("b", "B", disagree=1)])
    assert stat.classification == Classification.TOO_LITTLE
    assert stat.label == "Too little participation to say"
    assert stat.reason == (
        "No group has 3 or more reactions on this section. Not counted, too few reactions: A (2), B (1)."
    )
    assert stat.product is None and stat.geometric_mean is None
    # Still shown, each labelled.
    assert [g.status for g in stat.groups] == [TOO_FEW_LABEL, TOO_FEW_LABEL]


def test_a_higher_minimum_excludes_more_groups():
    groups = [GroupCounts("a", "A", agree=20), GroupCounts("c", "C", 1, 9)]
    assert section_statistic(groups).classification == Classification.CONTESTED
    # With a minimum of 11, C (10 reactions) is not counted: A alone → broad consensus.
    stat = section_statistic(groups, Settings(min_reactions=11))
    assert stat.classification == Classification.BROAD_CONSENSUS
    assert [g.key for g in stat.counted_groups] == ["a"]


def test_neutral_reactions_do_not_make_a_section_lean_disagree():
    # 2 agree, 0 disagree, 8 neutral: p = 3/12 = 0.25 (< 0.5), but nobody disagreed.
    # balance = (2 − 0)/12 = 1/6 > 0 → leaning agree.
    stat = section_statistic([GroupCounts("a", "A", agree=2, neutral=8)])
    assert stat.groups[0].p == 0.25
    assert stat.balance == Fraction(1, 6)
    assert stat.classification == Classification.LEANING_AGREE


def test_leaning_disagree_worked():
    # A: 3 agree, 5 disagree → (3 − 5)/10 = −1/5; B: 2 agree, 4 disagree → (2 − 4)/8 = −1/4
    # balance = (−1/5 − 1/4)/2 = −9/40 < 0; Wilson A (0.136844, 0.694258), B (0.096771, 0.700007):
    # both include 0.5 → not contested.
    stat = section_statistic([GroupCounts("a", "A", 3, 5), GroupCounts("b", "B", 2, 4)])
    assert stat.balance == Fraction(-9, 40)
    assert stat.classification == Classification.LEANING_DISAGREE
    # product = 4/10 × 3/8 = 0.15; √0.15 = 0.387298
    assert stat.product == approx(0.15)
    assert stat.geometric_mean == approx(0.387298, abs=1e-6)


def test_an_exact_tie_is_evenly_balanced():
    # A: 5 neutral → 0/7; B: 2 agree, 2 disagree → 0/6; balance exactly 0.
    stat = section_statistic([GroupCounts("a", "A", neutral=5), GroupCounts("b", "B", 2, 2)])
    assert stat.balance == 0
    assert stat.classification == Classification.EVENLY_BALANCED


def test_each_group_weighs_the_same_in_the_balance_whatever_its_size():
    # A large group mildly against (45 agree, 55 disagree: −10/102 = −0.098; Wilson (0.355, 0.548))
    # and two small groups for (3 agree of 3: 3/5 = 0.6 each; Wilson (0.438, 1)): the raw count is
    # 51 v 55 against, the group-aware balance (−0.098 + 0.6 + 0.6)/3 = 0.367 is for.
    stat = section_statistic(
        [GroupCounts("a", "A", 45, 55), GroupCounts("b", "B", agree=3), GroupCounts("c", "C", agree=3)]
    )
    assert stat.balance == (Fraction(-10, 102) + Fraction(3, 5) * 2) / 3
    assert stat.classification == Classification.LEANING_AGREE


@pytest.mark.parametrize(
    "kwargs", [{"threshold": 0}, {"threshold": 1}, {"min_reactions": 0}, {"confidence": 1}]
)
def test_nonsense_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        Settings(**kwargs)
