"""The consensus statistic applied to tallies: the groups it is taken over (with
their current sizes), its parameters from settings, and the figures for any
target (a section, a competing proposal, a comment). Below both the report
and proposals, which rank by it."""

from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from consultation.consensus import statistics
from consultation.consensus.statistics import GroupCounts
from consultation.models.reactions import ReactionChoice
from consultation.reactions.selectors import groups_seen
from workinggroups.models import Membership, WorkingGroup

# How many comments to show on each side of a section.
DEFAULT_TOP_COMMENTS = 3

PUBLIC_KEY = "public"
PUBLIC_NAME = "Public"


@dataclass(frozen=True)
class ReportSettings:
    statistic: statistics.Settings
    top_comments: int


def report_settings():
    """The method's parameters, from Django settings (see docs/report.md)."""
    quorum = getattr(settings, "REPORT_QUORUM", statistics.DEFAULT_QUORUM)
    return ReportSettings(
        statistic=statistics.Settings(
            threshold=int(getattr(settings, "REPORT_SUPPORT_THRESHOLD", statistics.DEFAULT_THRESHOLD)),
            quorum=Fraction(str(quorum)).limit_denominator(1000),
            public_min_reactions=int(
                getattr(settings, "REPORT_PUBLIC_MIN_REACTIONS", statistics.DEFAULT_PUBLIC_MIN_REACTIONS)
            ),
        ),
        top_comments=getattr(settings, "REPORT_TOP_COMMENTS", DEFAULT_TOP_COMMENTS),
    )


# ---------------------------------------------------------------- tallies and the statistic


def report_groups(*, consultation, tallies, config=None):
    """The groups the report's statistic is taken over (see `statistic_groups`); one query."""
    return statistic_groups(consultation=consultation, tallies=tallies, config=config or report_settings())


def tally_statistics(*, tally, groups, config=None):
    """The report's figures for any tally: counts overall and per group, each
    group's size, quorum, percentages and position, the label and its headline,
    and the group-aware support (competing proposals are ranked by
    `statistic.support`)."""
    result = {}
    add_statistics(result, tally=tally, groups=groups, config=config or report_settings())
    return result


def statistic_groups(*, consultation, tallies, config=None, also_seen=()):
    """Invited working groups, any that reacted before being uninvited (shown,
    outside the verdict), then the public. Each with its current member count
    (`size`): one query, the counts as a correlated aggregate.

    `also_seen` adds groups known to have reacted to targets not in `tallies`
    (the report reads comments' tallies only for the comments it quotes)."""
    seen = set(groups_seen(tallies))
    seen.update(int(group_id) for group_id in also_seen)
    current_members = (
        Membership.objects.current()
        .filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(n=Count("user", distinct=True))
        .values("n")
    )
    invited = WorkingGroup.objects.filter(pk=OuterRef("pk"), consultations=consultation)
    rows = (
        WorkingGroup.objects.filter(Q(consultations=consultation) | Q(pk__in=seen))
        .distinct()
        .annotate(
            size=Coalesce(Subquery(current_members, output_field=IntegerField()), Value(0)),
            invited=Exists(invited),
        )
        .order_by("name")
    )
    groups = [
        {
            "key": f"group-{g.pk}",
            "id": g.pk,
            "name": g.name,
            "kind": "working_group",
            "size": g.size,
            "in_verdict": g.invited,
        }
        for g in rows
    ]
    groups.append(
        {
            "key": PUBLIC_KEY,
            "id": None,
            "name": PUBLIC_NAME,
            "kind": "public",
            "size": None,
            "in_verdict": False,
        }
    )
    return groups


def counts_of(raw):
    raw = raw or {}
    agree = raw.get(ReactionChoice.AGREE, 0)
    disagree = raw.get(ReactionChoice.DISAGREE, 0)
    neutral = raw.get(ReactionChoice.NEUTRAL, 0)
    return {"agree": agree, "disagree": disagree, "neutral": neutral, "seen": agree + disagree + neutral}


def group_counts(group, counts):
    return GroupCounts(
        group["key"],
        group["name"],
        counts["agree"],
        counts["disagree"],
        counts["neutral"],
        size=group["size"],
    )


def _status(group, computed):
    if group["kind"] == "working_group" and not group["in_verdict"]:
        return f"{computed.status} (no longer invited: shown, not in the verdict)"
    return computed.status


def add_statistics(section, *, tally, groups, config):
    """Add the statistic's figures to `section` (a dict): every figure that decides its label."""
    section["overall"] = counts_of(tally["counts"])
    section["members"] = counts_of(tally["members"])
    section["public"] = counts_of(tally["public"])
    per_group = []
    for group in groups:
        raw = tally["public"] if group["kind"] == "public" else tally["by_group"].get(str(group["id"]))
        per_group.append((group, counts_of(raw)))
    in_verdict = [group_counts(g, c) for g, c in per_group if g["in_verdict"]]
    public = next((group_counts(g, c) for g, c in per_group if g["kind"] == "public"), None)
    stat = statistics.section_statistic(in_verdict, config.statistic, public=public)
    by_key = {g.key: g for g in stat.groups}
    if stat.public is not None:
        by_key[stat.public.key] = stat.public
    rows = []
    for group, counts in per_group:
        computed = by_key.get(group["key"])
        if computed is None:
            # A group uninvited after it reacted: shown, outside the verdict.
            computed = statistics.group_statistic(group_counts(group, counts), config.statistic)
        rows.append(
            {
                "key": group["key"],
                "name": group["name"],
                "kind": group["kind"],
                **counts,
                "size": computed.size,
                "quorum": computed.quorum,
                "agree_percent": computed.agree_percent,
                "disagree_percent": computed.disagree_percent,
                "heard": computed.heard,
                "position": computed.position,
                "position_label": computed.position_label,
                "carries": computed.carries,
                "rejects": computed.rejects,
                "in_verdict": group["in_verdict"],
                "status": _status(group, computed),
            }
        )
    section["groups"] = rows
    support = statistics.group_support(in_verdict)
    section["statistic"] = {
        "groups_in_verdict": len(stat.groups),
        "groups_heard": len(stat.heard_groups),
        "waiting_for": [g.name for g in stat.waiting_groups],
        "agreeing": [g.name for g in stat.with_position(statistics.Position.AGREES)],
        "disagreeing": [g.name for g in stat.with_position(statistics.Position.DISAGREES)],
        "support": statistics.support_percent(support),
    }
    section["classification"] = {
        "key": stat.classification,
        "label": stat.label,
        "reason": stat.reason,
        "headline": stat.headline,
    }
    section["previous"] = _previous(tally, groups=groups, config=config)


def _previous(tally, *, groups, config):
    """The figures of a reworded section's previous wording ("on v2: …"), or None.

    Decided by the same statistic, so the reader can compare like with like."""
    previous = tally.get("previous")
    if not previous:
        return None
    prior = {}
    add_statistics(prior, tally={**previous, "previous": None}, groups=groups, config=config)
    return {
        "label": previous["label"],
        "overall": prior["overall"],
        "classification": prior["classification"],
        "groups": [
            {k: row[k] for k in ("key", "name", "agree", "disagree", "neutral", "seen", "position_label")}
            for row in prior["groups"]
        ],
    }


# ---------------------------------------------------------------- the section × group heat-map

# A mark and a word for each position, so nothing depends on colour.
HEATMAP_MARKS = {
    statistics.Position.AGREES: "✓",
    statistics.Position.DISAGREES: "✗",
    statistics.Position.SPLIT: "±",
    statistics.Position.UNDECIDED: "?",
    statistics.Position.WAITING: "…",
    statistics.Position.TOO_FEW: "…",
}


def heatmap(sections):
    """The section × group grid of positions, for the report and the paper page.

    `sections` are dicts with `number`, `title`, `anchor`, `classification` and
    `groups` (as `add_statistics` fills them). Each cell says the group's
    position in words, with the counts behind it in plain whole numbers."""
    columns = []
    if sections:
        columns = [
            {"key": g["key"], "name": g["name"], "kind": g["kind"], "in_verdict": g["in_verdict"]}
            for g in sections[0]["groups"]
        ]
    rows = []
    for section in sections:
        by_key = {g["key"]: g for g in section["groups"]}
        cells = []
        for column in columns:
            group = by_key.get(column["key"])
            if group is None:
                cells.append(None)
                continue
            position = group["position"]
            if position in (statistics.Position.WAITING, statistics.Position.TOO_FEW):
                figures = f"{group['seen']} reacted" + (f" of {group['size']}" if group.get("size") else "")
            else:
                figures = f"{group['agree']} agree, {group['disagree']} disagree"
                if group["neutral"]:
                    figures += f", {group['neutral']} neutral"
            cells.append(
                {
                    "position": position,
                    "label": group["position_label"],
                    "mark": HEATMAP_MARKS.get(position, ""),
                    "figures": figures,
                }
            )
        rows.append(
            {
                "number": section.get("number"),
                "title": section.get("title"),
                "anchor": section.get("anchor"),
                "classification": section["classification"]["label"],
                "restricted": section.get("restricted", False),
                "cells": cells,
            }
        )
    return {"columns": columns, "rows": rows}
