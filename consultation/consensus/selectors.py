"""The consensus statistic applied to tallies: the groups it is taken over,
its parameters from settings, and the figures for any target (a section, a
competing proposal). Below both the report and proposals, which rank by it."""

from dataclasses import dataclass

from django.conf import settings

from consultation.consensus import statistics
from consultation.consensus.statistics import GroupCounts
from consultation.models.reactions import ReactionChoice
from consultation.reactions import selectors

# How many comments to show on each side of a section.
DEFAULT_TOP_COMMENTS = 3

PUBLIC_KEY = "public"
PUBLIC_NAME = "Public"


@dataclass(frozen=True)
class ReportSettings:
    statistic: statistics.Settings
    public_as_group: bool
    top_comments: int


def report_settings():
    """The method's parameters, from Django settings (see docs/report.md)."""
    return ReportSettings(
        statistic=statistics.Settings(
            threshold=getattr(settings, "REPORT_CONSENSUS_THRESHOLD", statistics.DEFAULT_THRESHOLD),
            min_reactions=getattr(
                settings, "REPORT_MIN_REACTIONS_PER_GROUP", statistics.DEFAULT_MIN_REACTIONS
            ),
            confidence=getattr(settings, "REPORT_CONFIDENCE", statistics.DEFAULT_CONFIDENCE),
        ),
        public_as_group=getattr(settings, "REPORT_PUBLIC_AS_GROUP", True),
        top_comments=getattr(settings, "REPORT_TOP_COMMENTS", DEFAULT_TOP_COMMENTS),
    )


def figure(value):
    """Probabilities, bounds and means: four decimal places, in every output alike."""
    return None if value is None else round(float(value), 4)


def product_figure(value):
    """The product shrinks fast with the number of groups: four significant figures."""
    return None if value is None else float(f"{value:.4g}")


# ---------------------------------------------------------------- tallies and the statistic


def report_groups(*, consultation, tallies, config=None):
    """The groups the report's statistic is taken over (see `_groups`); one query."""
    return statistic_groups(consultation=consultation, tallies=tallies, config=config or report_settings())


def tally_statistics(*, tally, groups, config=None):
    """The report's figures for any tally: counts overall and per group, each
    group's p and interval, the group-aware consensus and the classification.

    The same numbers a section gets, for other targets (competing proposals
    are ranked by this `statistic.geometric_mean`)."""
    result = {}
    add_statistics(result, tally=tally, groups=groups, config=config or report_settings())
    return result


def statistic_groups(*, consultation, tallies, config):
    """Invited working groups (and any that reacted before being uninvited), then the public."""
    groups = [
        {
            "key": f"group-{g.pk}",
            "id": g.pk,
            "name": g.name,
            "kind": "working_group",
            "counts_in_statistic": True,
        }
        for g in selectors.tally_groups(consultation=consultation, tallies=tallies)
    ]
    groups.append(
        {
            "key": PUBLIC_KEY,
            "id": None,
            "name": PUBLIC_NAME,
            "kind": "public",
            "counts_in_statistic": config.public_as_group,
        }
    )
    return groups


def _counts(raw):
    raw = raw or {}
    agree = raw.get(ReactionChoice.AGREE, 0)
    disagree = raw.get(ReactionChoice.DISAGREE, 0)
    neutral = raw.get(ReactionChoice.NEUTRAL, 0)
    return {"agree": agree, "disagree": disagree, "neutral": neutral, "seen": agree + disagree + neutral}


def add_statistics(section, *, tally, groups, config):
    section["overall"] = _counts(tally["counts"])
    section["members"] = _counts(tally["members"])
    section["public"] = _counts(tally["public"])
    per_group = []
    for group in groups:
        raw = tally["public"] if group["kind"] == "public" else tally["by_group"].get(str(group["id"]))
        per_group.append((group, _counts(raw)))
    in_statistic = [
        GroupCounts(g["key"], g["name"], c["agree"], c["disagree"], c["neutral"])
        for g, c in per_group
        if g["counts_in_statistic"]
    ]
    stat = statistics.section_statistic(in_statistic, config.statistic)
    by_key = {g.key: g for g in stat.groups}
    rows = []
    for group, counts in per_group:
        computed = by_key.get(group["key"])
        if computed is None:
            # Shown for information, outside the statistic (the public, when so configured).
            computed = statistics.group_statistic(
                GroupCounts(
                    group["key"], group["name"], **{k: counts[k] for k in ("agree", "disagree", "neutral")}
                ),
                config.statistic,
            )
        rows.append(
            {
                "key": group["key"],
                "name": group["name"],
                "kind": group["kind"],
                **counts,
                "p": figure(computed.p),
                "wilson_low": figure(computed.wilson_low),
                "wilson_high": figure(computed.wilson_high),
                "counted": group["counts_in_statistic"] and computed.counted,
                "in_statistic": group["counts_in_statistic"],
                "status": computed.status if group["counts_in_statistic"] else "Shown for information",
            }
        )
    section["groups"] = rows
    section["statistic"] = {
        "product": product_figure(stat.product),
        "geometric_mean": figure(stat.geometric_mean),
        "balance": figure(stat.balance),
        "counted_groups": len(stat.counted_groups),
    }
    section["classification"] = {"key": stat.classification, "label": stat.label, "reason": stat.reason}
