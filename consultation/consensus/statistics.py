"""The statistics behind the consensus report. Pure functions: no database, no Django.

The method is published with every report (docs/report.md and the report's
own "Method" section); change them together.

Everything is decided on whole numbers a reader can check: counts, group
sizes, quorums and whole percentages (rounded half up, as printed). No
interval, no smoothing, no floating point.

For one section and one invited working group g, with agree a, disagree d,
neutral n, seen = a + d + n and size m (its current members):

* quorum q = max(1, ⌈QUORUM × m⌉) (default QUORUM = ½: half the members);
* the group is *heard* when seen ≥ q; otherwise it is *waiting*;
* agree% = a / (a + d) as a whole percentage, disagree% = 100 − agree%:
  support and opposition are decided on agree against disagree only, so a
  neutral reaction is never counted as opposition;
* a heard group's position, first that applies: *undecided* (neutral is the
  plurality: n > a and n > d), *agrees* (agree% ≥ T), *disagrees*
  (disagree% ≥ T), *split* (T = 67 by default: two in three);
* the group *carries* the section when a ≥ q, a ≥ n and agree% ≥ T (at
  least a quorum of its members agree, and it agrees); it *rejects* the
  section when d ≥ q, d ≥ n and disagree% ≥ T.

The section's label, first that applies (W: the invited working groups):

1. no invited working group → too little participation;
2. every group in W carries the section → broad consensus;
3. every group in W rejects it → broad rejection;
4. no group heard → too little participation (waiting for all of them);
5. a heard group agrees and another disagrees → contested;
6. a group is waiting → waiting for groups (named);
7. more than half the heard groups are undecided → undecided;
8. a group agrees → leaning agree; 9. a group disagrees → leaning disagree;
10. otherwise (groups split, or split and undecided) → contested.

Properties (tested with Hypothesis in tests/consultation/test_statistics.py):
"carries" only grows with a and only shrinks with d, so one more agree never
moves a section away from broad consensus and one more disagree never creates
it; a heard group whose majority disagrees cannot carry (agree% < 50 < T), nor
can a waiting one (a < q), so no objection is outvoted and every group must be
heard; each rule compares ratios, and ⌈k·m/2⌉ ≤ k·a when ⌈m/2⌉ ≤ a, so scaling
every group by the same factor keeps a consensus; 3 of 3 carry (q = 2).

The public is reported beside the working groups with its own position (once
it has PUBLIC_MIN_REACTIONS reactions) and never enters the label: any number
of public accounts can change what is said about the public, never the
working groups' verdict.
"""

from dataclasses import dataclass, field
from fractions import Fraction

DEFAULT_QUORUM = Fraction(1, 2)
DEFAULT_THRESHOLD = 67  # percent of those taking a side
DEFAULT_PUBLIC_MIN_REACTIONS = 10


def percent(part, whole):
    """part / whole as a whole percentage, rounded half up in exact integers; None when whole is 0."""
    _check_counts(part, whole)
    if whole == 0:
        return None
    return (200 * part + whole) // (2 * whole)


def quorum_for(size, share=DEFAULT_QUORUM):
    """Reactions a group of `size` current members needs to be heard: ⌈share × size⌉, at least 1."""
    if size < 0:
        raise ValueError("a group cannot have fewer than no members")
    share = Fraction(share)
    return max(1, -(-size * share.numerator // share.denominator))


class Position:
    WAITING = "waiting"
    UNDECIDED = "undecided"
    AGREES = "agrees"
    DISAGREES = "disagrees"
    SPLIT = "split"
    TOO_FEW = "too_few"  # the public, below its minimum

    LABELS = {
        WAITING: "Not yet heard",
        UNDECIDED: "Undecided",
        AGREES: "Agrees",
        DISAGREES: "Disagrees",
        SPLIT: "Split",
        TOO_FEW: "Too few reactions to say",
    }


class Classification:
    BROAD_CONSENSUS = "broad_consensus"
    LEANING_AGREE = "leaning_agree"
    UNDECIDED = "undecided"
    CONTESTED = "contested"
    LEANING_DISAGREE = "leaning_disagree"
    BROAD_REJECTION = "broad_rejection"
    WAITING = "waiting_for_groups"
    TOO_LITTLE = "too_little_participation"

    LABELS = {
        BROAD_CONSENSUS: "Broad consensus",
        LEANING_AGREE: "Leaning agree",
        UNDECIDED: "Undecided",
        CONTESTED: "Contested",
        LEANING_DISAGREE: "Leaning disagree",
        BROAD_REJECTION: "Broad rejection",
        WAITING: "Waiting for groups",
        TOO_LITTLE: "Too little participation to say",
    }
    # The order a reader scans a summary in: agreement first, then disagreement, then the unheard.
    ORDER = [
        BROAD_CONSENSUS,
        LEANING_AGREE,
        UNDECIDED,
        CONTESTED,
        LEANING_DISAGREE,
        BROAD_REJECTION,
        WAITING,
        TOO_LITTLE,
    ]


@dataclass(frozen=True)
class Settings:
    threshold: int = DEFAULT_THRESHOLD
    quorum: Fraction = DEFAULT_QUORUM
    public_min_reactions: int = DEFAULT_PUBLIC_MIN_REACTIONS

    def __post_init__(self):
        # Above 50, "agrees" and "disagrees" cannot both hold.
        if not (isinstance(self.threshold, int) and 50 < self.threshold <= 100):
            raise ValueError("the threshold is a whole percentage above 50 and at most 100")
        if not 0 < Fraction(self.quorum) <= 1:
            raise ValueError("the quorum is a share of a group's members, above 0 and at most 1")
        if self.public_min_reactions < 1:
            raise ValueError("the public's minimum number of reactions must be at least 1")


@dataclass(frozen=True)
class GroupCounts:
    """Reactions on one target from one group; `size` its current members (None for the public)."""

    key: str
    name: str
    agree: int = 0
    disagree: int = 0
    neutral: int = 0
    size: int | None = 0

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
    size: int | None
    quorum: int
    agree_percent: int | None
    disagree_percent: int | None
    heard: bool
    position: str
    carries: bool
    rejects: bool
    is_public: bool = False

    @property
    def position_label(self):
        return Position.LABELS[self.position]

    @property
    def status(self):
        """The group's position and the figures that decide it, in words."""
        if self.position in (Position.WAITING, Position.TOO_FEW):
            if self.is_public:
                return f"Too few reactions to say ({self.seen}; {self.quorum} needed)"
            return f"Not yet heard: {self.seen} of {self.size} members reacted, {self.quorum} needed"
        if self.position == Position.UNDECIDED:
            return f"Undecided: {self.neutral} of {self.seen} neutral"
        side = f"{self.agree_percent}% agree, {self.disagree_percent}% disagree of those taking a side"
        return f"{self.position_label}: {side}"


@dataclass(frozen=True)
class SectionStatistic:
    groups: list = field(default_factory=list)
    public: GroupStatistic | None = None
    classification: str = Classification.TOO_LITTLE
    reason: str = ""
    headline: str = ""

    @property
    def label(self):
        return Classification.LABELS[self.classification]

    @property
    def heard_groups(self):
        return [g for g in self.groups if g.heard]

    @property
    def waiting_groups(self):
        return [g for g in self.groups if not g.heard]

    def with_position(self, position):
        return [g for g in self.groups if g.position == position]


def group_statistic(counts, settings=None, *, is_public=False):
    """One group's figures and position. The public is heard from `public_min_reactions`."""
    settings = settings or Settings()
    a, d, n = counts.agree, counts.disagree, counts.neutral
    for value in (a, d, n):
        _check_counts(value, value)
    quorum = settings.public_min_reactions if is_public else quorum_for(counts.size or 0, settings.quorum)
    seen = a + d + n
    agree_percent = percent(a, a + d)
    disagree_percent = None if agree_percent is None else 100 - agree_percent
    heard = seen >= quorum
    if not heard:
        position = Position.TOO_FEW if is_public else Position.WAITING
    elif n > a and n > d:
        position = Position.UNDECIDED
    elif agree_percent >= settings.threshold:
        position = Position.AGREES
    elif disagree_percent >= settings.threshold:
        position = Position.DISAGREES
    else:
        position = Position.SPLIT
    # Written with counts that only rise with agree (or only with disagree), so
    # that the properties in the module docstring follow line by line.
    carries = (
        not is_public
        and a >= quorum
        and a >= n
        and agree_percent is not None
        and agree_percent >= settings.threshold
    )
    rejects = (
        not is_public
        and d >= quorum
        and d >= n
        and disagree_percent is not None
        and disagree_percent >= settings.threshold
    )
    return GroupStatistic(
        key=counts.key,
        name=counts.name,
        agree=a,
        disagree=d,
        neutral=n,
        seen=seen,
        size=None if is_public else (counts.size or 0),
        quorum=quorum,
        agree_percent=agree_percent,
        disagree_percent=disagree_percent,
        heard=heard,
        position=position,
        carries=carries,
        rejects=rejects,
        is_public=is_public,
    )


def section_statistic(group_counts, settings=None, *, public=None):
    """The invited working groups' figures, the section's label with its reason, and a headline.

    `public` (a GroupCounts) is reported beside and never changes the label."""
    settings = settings or Settings()
    groups = [group_statistic(counts, settings) for counts in group_counts]
    public_stat = group_statistic(public, settings, is_public=True) if public is not None else None
    classification, reason = classify(groups, settings)
    return SectionStatistic(
        groups=groups,
        public=public_stat,
        classification=classification,
        reason=reason,
        headline=headline(groups, public_stat),
    )


def classify(groups, settings=None):
    """Apply the rules in order to the invited working groups' statistics; return (key, reason)."""
    settings = settings or Settings()
    t = settings.threshold
    if not groups:
        return Classification.TOO_LITTLE, "No working group is invited to react to this section."
    if all(g.carries for g in groups):
        return (
            Classification.BROAD_CONSENSUS,
            f"Every working group agrees: in each, at least half its members agreed "
            f"and at least {t}% of those taking a side agreed.",
        )
    if all(g.rejects for g in groups):
        return (
            Classification.BROAD_REJECTION,
            f"Every working group disagrees: in each, at least half its members disagreed "
            f"and at least {t}% of those taking a side disagreed.",
        )
    heard = [g for g in groups if g.heard]
    waiting = [g for g in groups if not g.heard]
    if not heard:
        return (
            Classification.TOO_LITTLE,
            f"No working group has reached its quorum yet; waiting for {names(waiting)}.",
        )
    agreeing = [g for g in heard if g.position == Position.AGREES]
    disagreeing = [g for g in heard if g.position == Position.DISAGREES]
    undecided = [g for g in heard if g.position == Position.UNDECIDED]
    split = [g for g in heard if g.position == Position.SPLIT]
    waiting_note = f" Still waiting for {names(waiting)}." if waiting else ""
    if agreeing and disagreeing:
        return (
            Classification.CONTESTED,
            f"{names(agreeing)} {_verb(agreeing, 'agrees', 'agree')}; "
            f"{names(disagreeing)} {_verb(disagreeing, 'disagrees', 'disagree')}: "
            f"an objection is never outvoted, however large the groups that agree.{waiting_note}",
        )
    if waiting:
        detail = "; ".join(
            f"{g.name}: {g.seen} of {g.size} members reacted, {g.quorum} needed" for g in waiting
        )
        return Classification.WAITING, f"Waiting for {names(waiting)} ({detail})."
    if 2 * len(undecided) > len(heard):
        return (
            Classification.UNDECIDED,
            f"Most groups are undecided (neutral is the most common reaction): {names(undecided)}.",
        )
    short = [g for g in groups if not g.carries]
    if agreeing:
        return (
            Classification.LEANING_AGREE,
            f"{names(agreeing)} {_verb(agreeing, 'agrees', 'agree')} and no group disagrees; "
            f"not broad consensus because of {_why_not(short)}.",
        )
    if disagreeing:
        return (
            Classification.LEANING_DISAGREE,
            f"{names(disagreeing)} {_verb(disagreeing, 'disagrees', 'disagree')} and no group agrees.",
        )
    return (
        Classification.CONTESTED,
        f"Opinion is split within {names(split)}"
        + (f"; {names(undecided)} {_verb(undecided, 'is', 'are')} undecided." if undecided else "."),
    )


def _why_not(groups):
    parts = []
    for g in groups:
        if g.position == Position.UNDECIDED:
            parts.append(f"{g.name} (undecided)")
        elif g.position == Position.SPLIT:
            parts.append(f"{g.name} (split, {g.agree_percent}% agree)")
        elif g.agree < g.quorum:
            parts.append(f"{g.name} ({g.agree} of {g.size} members agreed, {g.quorum} needed)")
        else:
            parts.append(f"{g.name} (more neutral than agree)")
    return "; ".join(parts)


HEADLINE_ORDER = [
    (Position.AGREES, "agrees", "agree"),
    (Position.DISAGREES, "disagrees", "disagree"),
    (Position.SPLIT, "is split", "are split"),
    (Position.UNDECIDED, "is undecided", "are undecided"),
]


def headline(groups, public=None):
    """Who agrees and who disagrees, in plain words:
    "A and B agree; C disagrees; waiting for D." The public follows in a sentence of its own."""
    parts = []
    for position, one, many in HEADLINE_ORDER:
        members = [g for g in groups if g.position == position]
        if members:
            parts.append(f"{names(members)} {one if len(members) == 1 else many}")
    waiting = [g for g in groups if g.position == Position.WAITING]
    if waiting:
        parts.append(f"waiting for {names(waiting)}")
    text = "; ".join(parts)
    text = (text[:1].upper() + text[1:] + ".") if text else "No working group is invited."
    if public is not None and public.seen:
        if public.position == Position.TOO_FEW:
            text += f" The public: {public.seen} reaction{'s' if public.seen != 1 else ''}, too few to say."
        else:
            verb = {Position.AGREES: "agrees", Position.DISAGREES: "disagrees"}.get(
                public.position, f"is {public.position_label.lower()}"
            )
            text += f" The public ({public.seen} reactions) {verb}."
    return text


def names(groups):
    """ "A", "A and B", "A, B and C"."""
    items = [g.name for g in groups]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _verb(groups, one, many):
    return one if len(groups) == 1 else many


# ---------------------------------------------------------------- group-aware support (ranking)


def net_support(counts):
    """One group's net support for a target: (agree − disagree) ÷ max(size, seen, 1), exact.

    Between −1 and 1; a silent group gives 0 (undecided, not absent). One more
    agree never lowers it: while seen < size the denominator stays; beyond,
    (a + 1 − d) / (s + 1) ≥ (a − d) / s because s ≥ a − d."""
    denominator = max(counts.size or 0, counts.seen, 1)
    return Fraction(counts.agree - counts.disagree, denominator)


def group_support(group_counts):
    """Mean net support over the invited working groups, each weighing the same; None with no group."""
    group_counts = list(group_counts)
    if not group_counts:
        return None
    return sum((net_support(c) for c in group_counts), Fraction(0)) / len(group_counts)


def support_percent(value):
    """Group-aware support as the signed whole percentage printed (−100 to 100), rounded half up."""
    if value is None:
        return None
    value = Fraction(value)
    # Half up on the absolute value, so +x and −x print as mirror images.
    magnitude = (abs(value) * 200 + 1) // 2
    return int(magnitude if value >= 0 else -magnitude)


def support_text(value):
    """A signed whole percentage as printed: "+67%", "0%", "−33%"; an en dash when missing."""
    if value is None:
        return "–"
    return f"+{value}%" if value > 0 else f"{value}%".replace("-", "\u2212")


def _check_counts(part, whole):
    if part < 0 or whole < 0 or part > whole:
        raise ValueError(f"counts must satisfy 0 <= {part} <= {whole}")
