"""The statistics behind the consensus report. Pure functions: no database, no Django.

The method is published with every report (docs/report.md and the report's
own "Method" section); change them together.

For one section and one group g (a working group, or the public):

* seen_g = agree_g + disagree_g + neutral_g
* p_g = (agree_g + 1) / (seen_g + 2): the Laplace-smoothed agreement Pol.is uses
  in its group-aware consensus. A neutral reaction counts as seen but not agreed.
* Wilson score interval for agree_g / seen_g at confidence level z.

A group is *counted* when seen_g >= the minimum number of reactions. Groups
below it are still shown, labelled "too few reactions", and left out of the
product below.

* group-aware consensus = the product of p_g over counted groups, and its
  geometric mean (product ** (1 / number of counted groups)), so that papers
  with different numbers of groups compare.

Classification, first rule that applies:

1. no counted group → too little participation to say;
2. every counted group's Wilson lower bound >= threshold → broad consensus;
3. some counted group's interval lies wholly above 0.5 (lower bound > 0.5) and
   another's wholly below (upper bound < 0.5) → contested;
4. the group-aware balance, the mean over counted groups of
   (agree_g - disagree_g) / (seen_g + 2) (that is, smoothed agreement minus
   smoothed disagreement, each group weighing the same): > 0 → leaning agree,
   < 0 → leaning disagree, exactly 0 → evenly balanced.

Rule 4 compares agreement with disagreement rather than p_g with 0.5 because
p_g counts neutral reactions against agreement: two agrees and eight neutrals
(nobody disagreeing) would otherwise "lean disagree". The balance is computed
in exact fractions so a tie is a tie.
"""

import math
from dataclasses import dataclass, field
from fractions import Fraction
from statistics import NormalDist

DEFAULT_CONFIDENCE = 0.95
DEFAULT_THRESHOLD = 0.6
DEFAULT_MIN_REACTIONS = 3


def z_for_confidence(confidence=DEFAULT_CONFIDENCE):
    """The two-sided normal quantile: 0.95 → 1.959963984540054."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


Z_95 = z_for_confidence(0.95)


class Classification:
    BROAD_CONSENSUS = "broad_consensus"
    LEANING_AGREE = "leaning_agree"
    CONTESTED = "contested"
    LEANING_DISAGREE = "leaning_disagree"
    EVENLY_BALANCED = "evenly_balanced"
    TOO_LITTLE = "too_little_participation"

    LABELS = {
        BROAD_CONSENSUS: "Broad consensus",
        LEANING_AGREE: "Leaning agree",
        CONTESTED: "Contested",
        LEANING_DISAGREE: "Leaning disagree",
        EVENLY_BALANCED: "Evenly balanced",
        TOO_LITTLE: "Too little participation to say",
    }
    # The order a reader scans a summary in: agreement first, then disagreement.
    ORDER = [BROAD_CONSENSUS, LEANING_AGREE, EVENLY_BALANCED, CONTESTED, LEANING_DISAGREE, TOO_LITTLE]


TOO_FEW_LABEL = "Too few reactions"


def smoothed_agreement(agree, seen):
    """p = (agree + 1) / (seen + 2)."""
    _check_counts(agree, seen)
    return (agree + 1) / (seen + 2)


def wilson_interval(successes, trials, z=Z_95):
    """The Wilson score interval for successes / trials; (0, 1) when nothing was seen."""
    _check_counts(successes, trials)
    if trials == 0:
        return 0.0, 1.0
    n = trials
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At 0 and at n the bounds are exactly 0 and 1; floating point would give 1e-17.
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == trials else min(1.0, centre + half_width)
    return low, high


def consensus_product(probabilities):
    """The product of p_g over counted groups; None when no group is counted."""
    probabilities = list(probabilities)
    if not probabilities:
        return None
    return math.prod(probabilities)


def geometric_mean(probabilities):
    """The product's n-th root, so papers with different numbers of groups compare."""
    probabilities = list(probabilities)
    if not probabilities:
        return None
    # Through logarithms: the product of many p_g underflows long before its root does.
    return math.exp(sum(math.log(p) for p in probabilities) / len(probabilities))


def group_balance(groups):
    """Mean over groups of (agree - disagree) / (seen + 2), as an exact Fraction."""
    if not groups:
        return None
    total = sum((Fraction(g.agree - g.disagree, g.seen + 2) for g in groups), Fraction(0))
    return total / len(groups)


@dataclass(frozen=True)
class GroupCounts:
    """Reactions on one section from one group."""

    key: str
    name: str
    agree: int = 0
    disagree: int = 0
    neutral: int = 0

    @property
    def seen(self):
        return self.agree + self.disagree + self.neutral


@dataclass(frozen=True)
class GroupStatistic:
    key: str
    name: str
    agree: int
    disagree: int
    neutral: int
    seen: int
    p: float
    wilson_low: float
    wilson_high: float
    counted: bool

    @property
    def status(self):
        if not self.counted:
            return TOO_FEW_LABEL
        # Neutral reactions count as "not agreeing", so "below" is not "disagrees".
        if self.wilson_low > 0.5:
            return "Agreement above 0.5"
        if self.wilson_high < 0.5:
            return "Agreement below 0.5"
        return "Interval includes 0.5"


@dataclass(frozen=True)
class Settings:
    threshold: float = DEFAULT_THRESHOLD
    min_reactions: int = DEFAULT_MIN_REACTIONS
    confidence: float = DEFAULT_CONFIDENCE

    def __post_init__(self):
        if not 0 < self.threshold < 1:
            raise ValueError("threshold must be between 0 and 1")
        if self.min_reactions < 1:
            raise ValueError("the minimum number of reactions must be at least 1")
        z_for_confidence(self.confidence)

    @property
    def z(self):
        return z_for_confidence(self.confidence)


@dataclass(frozen=True)
class SectionStatistic:
    groups: list = field(default_factory=list)
    product: float | None = None
    geometric_mean: float | None = None
    balance: Fraction | None = None
    classification: str = Classification.TOO_LITTLE
    reason: str = ""

    @property
    def counted_groups(self):
        return [g for g in self.groups if g.counted]

    @property
    def label(self):
        return Classification.LABELS[self.classification]


def group_statistic(counts, settings):
    low, high = wilson_interval(counts.agree, counts.seen, settings.z)
    return GroupStatistic(
        key=counts.key,
        name=counts.name,
        agree=counts.agree,
        disagree=counts.disagree,
        neutral=counts.neutral,
        seen=counts.seen,
        p=smoothed_agreement(counts.agree, counts.seen),
        wilson_low=low,
        wilson_high=high,
        counted=counts.seen >= settings.min_reactions,
    )


def section_statistic(group_counts, settings=None):
    """Every group's figures, the group-aware consensus and the classification, with the reason in words."""
    settings = settings or Settings()
    groups = [group_statistic(counts, settings) for counts in group_counts]
    counted = [g for g in groups if g.counted]
    ps = [g.p for g in counted]
    classification, reason = classify(counted, settings)
    # Say who was left out, so that a reason read against the overall counts adds up.
    left_out = [f"{g.name} ({g.seen})" for g in groups if not g.counted and g.seen]
    if left_out:
        reason += f" Not counted, too few reactions: {', '.join(left_out)}."
    return SectionStatistic(
        groups=groups,
        product=consensus_product(ps),
        geometric_mean=geometric_mean(ps),
        balance=group_balance(counted),
        classification=classification,
        reason=reason,
    )


def classify(counted, settings):
    """Apply the rules in order to the counted groups' statistics; return (key, reason)."""
    if not counted:
        return (
            Classification.TOO_LITTLE,
            f"No group has {settings.min_reactions} or more reactions on this section.",
        )
    threshold = settings.threshold
    if all(g.wilson_low >= threshold for g in counted):
        return (
            Classification.BROAD_CONSENSUS,
            f"Every counted group's lower bound is at or above {threshold:g}.",
        )
    above = [g for g in counted if g.wilson_low > 0.5]
    below = [g for g in counted if g.wilson_high < 0.5]
    if above and below:
        return (
            Classification.CONTESTED,
            f"{_names(above)}: interval wholly above 0.5; {_names(below)}: wholly below.",
        )
    balance = group_balance(counted)
    short = [g for g in counted if g.wilson_low < threshold]
    why_not = f"not broad consensus: lower bound below {threshold:g} for {_names(short)}"
    if balance > 0:
        return Classification.LEANING_AGREE, f"Agreement outweighs disagreement across groups; {why_not}."
    if balance < 0:
        return Classification.LEANING_DISAGREE, f"Disagreement outweighs agreement across groups; {why_not}."
    return Classification.EVENLY_BALANCED, f"Agreement and disagreement balance exactly; {why_not}."


def _names(groups):
    return ", ".join(g.name for g in groups)


def _check_counts(part, whole):
    if part < 0 or whole < 0 or part > whole:
        raise ValueError(f"counts must satisfy 0 <= {part} <= {whole}")
