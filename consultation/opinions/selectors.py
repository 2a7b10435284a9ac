"""Reads for the opinion groups and the per-vote exports: the votes of a paper
version (or of a whole consultation) as a participants × statements set, the
declared groups as they may be published, and the inferred opinion groups with
their cross-tabulation against the declared ones.

Which votes: the section reactions the report counts for that version
(`counted_section_reactions`, so every figure read back from an export equals
the report's), on sections whose text the public may read. A restricted
section is not a statement at all: its heading, its votes and its voters' ties
to it stay out (docs/exports.md). A fixed number of queries per paper.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.crypto import salted_hmac

from consultation.consensus import statistics
from consultation.consensus.selectors import report_settings
from consultation.models import Comment, PaperVersion, Proposal, Reaction, SectionPage
from consultation.models.pages import paper_sections
from consultation.models.proposals import ProposalState, proposal_content_type_id
from consultation.models.reactions import ReactionChoice
from consultation.opinions import method
from consultation.reactions.selectors import counted_section_reactions
from consultation.versions.diff import html_to_text
from workinggroups.models import WorkingGroup

VALUES = {
    ReactionChoice.AGREE: method.AGREE,
    ReactionChoice.DISAGREE: method.DISAGREE,
    ReactionChoice.NEUTRAL: 0,
}
PUBLIC_LABEL = "Public"
OTHER_LABEL = "Other"
# The public asks the rules: exports and inferred groups are public outputs,
# the same for everyone (editors read restricted text in the admin, not here).
PUBLIC = AnonymousUser()


def min_group_size():
    return int(getattr(settings, "EXPORT_MIN_GROUP_SIZE", 5))


@dataclass
class Statement:
    id: int  # the section's page id (its stable identity), or a comment's or proposal's id
    paper_id: int
    number: int  # the section's number (for a comment or proposal: its section's)
    heading: str  # the section's heading (for a comment or proposal: its section's)
    text: str
    published_at: object  # datetime or None
    kind: str = "section"
    section_id: int | None = None

    @property
    def key(self):
        """How votes name it: a section by its id, anything else by (kind, id)."""
        return self.id if self.kind == "section" else (self.kind, self.id)


@dataclass
class Vote:
    user_id: int
    statement: object  # (kind, id) for comments and proposals; the section id for sections
    value: int  # 1 agree, -1 disagree, 0 neutral
    at: object  # when the person last set it
    group_id: int | None  # the working group they reacted for; None for the public


@dataclass
class VoteSet:
    consultation_id: int
    statements: list = field(default_factory=list)
    votes: list = field(default_factory=list)
    group_names: dict = field(default_factory=dict)  # working group id → name
    commenters: int = 0

    def matrix(self, *, sections_only=False):
        """{user id: {statement key: value}}."""
        rows = {}
        for vote in self.votes:
            if sections_only and not isinstance(vote.statement, int):
                continue
            rows.setdefault(vote.user_id, {})[vote.statement] = vote.value
        return rows

    def sections(self):
        return [s for s in self.statements if s.kind == "section"]

    def participants(self):
        return sorted({vote.user_id for vote in self.votes})


# ---------------------------------------------------------------- votes


def _public_statements(*, paper, version):
    """The sections of `paper` at `version` (None: its current text) whose text is public."""
    if paper.restricted or not PUBLIC.has_perm("consultation.view_report", paper):
        return []
    if version is None:
        return [
            Statement(
                id=section.pk,
                paper_id=paper.pk,
                number=section.number,
                heading=section.title,
                text=html_to_text(section.render_body()),
                published_at=section.first_published_at,
            )
            for section in paper_sections(paper=paper)
            if PUBLIC.has_perm("consultation.view_body", section)
        ]
    snapshots = list(version.sections.select_related("section").order_by("position"))
    for snapshot in snapshots:
        snapshot.version = version
        version.paper = paper
    return [
        Statement(
            id=snapshot.section_id,
            paper_id=paper.pk,
            number=snapshot.position,
            heading=snapshot.heading,
            text=snapshot.body_text,
            published_at=version.published_at,
        )
        for snapshot in snapshots
        if PUBLIC.has_perm("consultation.view_version_text", snapshot)
    ]


def paper_votes(*, paper, version=None, into=None, everything=False):
    """The public votes on `paper` at `version` (a PaperVersion; None: the current text); with
    `everything`, the published comments and the proposals on its public sections as statements too."""
    voteset = into or VoteSet(consultation_id=paper.consultation.pk)
    statements = _public_statements(paper=paper, version=version)
    label = version.label if version is not None else paper.version_label
    ids = [s.id for s in statements]
    rows = (
        counted_section_reactions(paper_id=paper.pk, version_label=label)
        .filter(section_id__in=ids)
        .order_by("updated_at", "pk")
        .values_list("user_id", "section_id", "choice", "updated_at", "working_group_id")
    )
    voteset.statements.extend(statements)
    for user_id, section_id, choice, at, group_id in rows:
        if choice in VALUES:
            voteset.votes.append(Vote(user_id, section_id, VALUES[choice], at, group_id))
    if everything:
        _comments_and_proposals(voteset, paper=paper, label=label, sections={s.id: s for s in statements})
    return voteset


def _comments_and_proposals(voteset, *, paper, label, sections):
    """Published comments on the public sections made on this version, and proposals for them
    made on it (withdrawn ones aside), with their reactions: four queries. The authors are not
    named or linked to a voter id: comments and proposals are signed on the site, so linking them
    would tie a named person to every vote they cast."""
    comments = (
        Comment.objects.filter(
            paper=paper,
            section_id__in=list(sections),
            version_label=label,
            is_public=True,
            is_removed=False,
            hidden_at__isnull=True,
        )
        .exclude(content_type_id=proposal_content_type_id())
        .order_by("submit_date", "pk")
        .values_list("pk", "section_id", "comment", "submit_date")
    )
    proposals = (
        Proposal.objects.filter(paper=paper, section_id__in=list(sections), version_label=label)
        .exclude(state=ProposalState.WITHDRAWN)
        .order_by("created_at", "pk")
        .values_list("pk", "section_id", "text", "created_at")
    )
    for kind, rows in (("comment", comments), ("proposal", proposals)):
        for pk, section_id, text, at in rows:
            section = sections[section_id]
            voteset.statements.append(
                Statement(
                    id=pk,
                    paper_id=paper.pk,
                    number=section.number,
                    heading=section.heading,
                    text=text,
                    published_at=at,
                    kind=kind,
                    section_id=section_id,
                )
            )
    wanted = {(s.kind, s.id) for s in voteset.statements if s.kind != "section"}
    by_kind = {}
    for kind, pk in wanted:
        by_kind.setdefault(kind, []).append(pk)
    for kind, ids in by_kind.items():
        reactions = Reaction.objects.filter(paper=paper, target_kind=kind, target_id__in=ids)
        if kind == "proposal":
            reactions = reactions.filter(paper_version=label)
        for user_id, target_id, choice, at, group_id in reactions.order_by("updated_at", "pk").values_list(
            "user_id", "target_id", "choice", "updated_at", "working_group_id"
        ):
            if choice in VALUES:
                voteset.votes.append(Vote(user_id, (kind, target_id), VALUES[choice], at, group_id))


def _finish(voteset):
    group_ids = {v.group_id for v in voteset.votes if v.group_id is not None}
    voteset.group_names = dict(WorkingGroup.objects.filter(pk__in=group_ids).values_list("pk", "name"))
    shown = Comment.objects.filter(
        section_id__in=[s.id for s in voteset.sections()],
        is_public=True,
        is_removed=False,
        hidden_at__isnull=True,
    )
    voteset.commenters = shown.aggregate(n=Count("user", distinct=True))["n"] or 0
    return voteset


def version_votes(*, paper, version=None, everything=False):
    """The vote set of one paper version (None: the current text)."""
    return _finish(paper_votes(paper=paper, version=version, everything=everything))


def consultation_votes(*, consultation, papers, everything=False):
    """The vote set of a whole consultation: each of `papers` at its current text."""
    voteset = VoteSet(consultation_id=consultation.pk)
    for paper in papers:
        paper_votes(paper=paper, into=voteset, everything=everything)
    return _finish(voteset)


def paper_version(*, paper, number):
    """The published version `number` of `paper`, or None."""
    return PaperVersion.objects.filter(paper=paper, number=number).first()


# ---------------------------------------------------------------- who is who, as published


def voter_id(*, consultation_id, user_id):
    """A participant's pseudonymous id, stable within a consultation and unrelated across them:
    an HMAC of the user id, keyed by SECRET_KEY and the consultation. An integer, as Pol.is
    tools expect (52 bits: exact in a JavaScript number)."""
    digest = salted_hmac(
        f"consultation.exports.voter:{consultation_id}", str(user_id), algorithm="sha256"
    ).hexdigest()
    return int(digest[:13], 16)


def published_groups(voteset, *, minimum=None):
    """The group label each declared group is published under: {group id or None: label}.

    A declared group (a working group, or the public) with fewer than `minimum`
    participants in this export is published as "Other". While "Other" itself
    has participants but fewer than `minimum`, the smallest remaining group is
    folded into it too (ties: by name). So every published label covers at least
    `minimum` people, unless the whole export has fewer than that, when every
    vote is "Other"."""
    minimum = min_group_size() if minimum is None else minimum
    people = {}
    for vote in voteset.votes:
        people.setdefault(vote.group_id, set()).add(vote.user_id)

    def name(group_id):
        return PUBLIC_LABEL if group_id is None else voteset.group_names.get(group_id, f"Group {group_id}")

    labels = {g: name(g) for g in people}
    other = set()
    for group_id, members in people.items():
        if len(members) < minimum:
            labels[group_id] = OTHER_LABEL
            other |= members
    while other and len(other) < minimum:
        remaining = sorted(
            (g for g in people if labels[g] != OTHER_LABEL), key=lambda g: (len(people[g]), name(g))
        )
        if not remaining:
            break
        labels[remaining[0]] = OTHER_LABEL
        other |= people[remaining[0]]
    return labels


def participant_groups(voteset, labels):
    """Each participant's published group: that of their latest vote in the export."""
    latest = {}
    for vote in sorted(voteset.votes, key=lambda v: (v.at, v.statement)):
        latest[vote.user_id] = labels[vote.group_id]
    return latest


# ---------------------------------------------------------------- inferred opinion groups


def group_letter(number):
    """Pol.is names opinion groups A, B, C…"""
    return chr(ord("A") + number)


def opinion_settings():
    return {
        "min_votes": int(getattr(settings, "OPINION_GROUPS_MIN_VOTES", 7)),
        "min_participants": int(getattr(settings, "OPINION_GROUPS_MIN_PARTICIPANTS", 10)),
    }


def infer_groups(voteset):
    """The inferred opinion groups of a vote set (method.infer with the settings)."""
    return method.infer(
        voteset.matrix(sections_only=True),
        statements=[s.id for s in voteset.sections()],
        min_group=min_group_size(),
        **opinion_settings(),
    )


def votes_stamp(paper, version):
    """Moves with every reaction set, changed or withdrawn, every publication of the paper or a
    section (a restriction, say) and every version: two small queries."""
    reactions = Reaction.objects.filter(paper=paper).aggregate(n=Count("pk"), last=Max("updated_at"))
    sections = SectionPage.objects.child_of(paper).aggregate(n=Count("pk"), last=Max("last_published_at"))
    parts = [
        paper.pk,
        version.pk if version is not None else "current",
        paper.version_label,
        paper.last_published_at,
        reactions["n"],
        reactions["last"],
        sections["n"],
        sections["last"],
        min_group_size(),
        *opinion_settings().values(),
    ]
    return ":".join(str(p.timestamp() if hasattr(p, "timestamp") else p) for p in parts)


def opinion_groups(*, paper, version=None):
    """The opinion groups of `paper` at `version`, cached until its reactions or text change.

    Computing them reads every vote of the paper (about 2 s for 40,000 votes), so
    each state of the votes is computed once, and a paper that keeps receiving
    votes is recomputed at most once per OPINION_GROUPS_REFRESH_SECONDS: until
    then, and while another request is computing, the latest groups are shown,
    saying when they were computed. A change of text (a section restricted,
    say) is never served from an earlier computation."""
    stamp = votes_stamp(paper, version)
    key = f"opinions:{stamp}"
    seconds = int(getattr(settings, "OPINION_GROUPS_CACHE_SECONDS", 3600))
    if not seconds:
        return _computed(paper, version)
    result = cache.get(key)
    if result is not None:
        return result
    latest_key = f"opinions:latest:{paper.pk}:{version.pk if version is not None else 'current'}"
    refresh = int(getattr(settings, "OPINION_GROUPS_REFRESH_SECONDS", 60))
    latest = cache.get(latest_key)
    usable = latest is not None and latest[0] == _text_part(stamp)
    if usable and time.time() - latest[1] < refresh:
        return latest[2]
    locked = cache.add(f"{key}:lock", 1, timeout=60)
    if usable and not locked:
        return latest[2]
    try:
        result = _computed(paper, version)
        cache.set(key, result, seconds)
        cache.set(latest_key, (_text_part(stamp), time.time(), result), seconds)
    finally:
        if locked:
            cache.delete(f"{key}:lock")
    return result


def _computed(paper, version):
    return {**opinion_view(version_votes(paper=paper, version=version)), "computed_at": timezone.now()}


def _text_part(stamp):
    """The part of the stamp that moves with the text and the settings, not with the votes."""
    parts = stamp.split(":")
    return ":".join(parts[:4] + parts[6:])


def with_declared_verdicts(opinions, verdicts):
    """A copy of `opinions` whose consensus rows carry the declared groups' verdict
    (`verdicts`: {section id: label}, from the report), to show the two side by side."""
    return {
        **opinions,
        "consensus": [
            {**row, "declared": verdicts.get(row["statement"], "")} for row in opinions["consensus"]
        ],
    }


def opinion_view(voteset):
    """Everything the report shows about the inferred groups, as plain data."""
    inference = infer_groups(voteset)
    labels = published_groups(voteset)
    declared = participant_groups(voteset, labels)
    matrix = voteset.matrix(sections_only=True)
    statements = {s.id: s for s in voteset.sections()}
    result = {
        "enough": inference.enough,
        "reason": inference.reason,
        "participants": len(matrix),
        "left_out": len(inference.left_out),
        "grouped": len(inference.groups),
        "min_group_size": min_group_size(),
        "min_votes": method.min_votes_for(len(voteset.sections()), opinion_settings()["min_votes"]),
        "k": inference.k,
        "silhouette": inference.silhouette,
        "groups": [],
        "crosstab": None,
        "consensus": [],
    }
    if not inference.enough:
        return result
    numbers = sorted(set(inference.groups.values()))
    columns = sorted(set(declared.values()), key=lambda label: (label in (PUBLIC_LABEL, OTHER_LABEL), label))
    cells = {(g, c): 0 for g in numbers for c in columns}
    for user_id, number in inference.groups.items():
        cells[(number, declared[user_id])] += 1
    result["crosstab"] = {
        "columns": columns,
        "rows": [
            {
                "group": group_letter(g),
                "cells": [cells[(g, c)] for c in columns],
                "total": sum(cells[(g, c)] for c in columns),
            }
            for g in numbers
        ],
        "totals": [sum(cells[(g, c)] for g in numbers) for c in columns],
    }
    for g in numbers:
        members = [u for u, n in inference.groups.items() if n == g]
        result["groups"].append(
            {
                "letter": group_letter(g),
                "size": len(members),
                "distinguishing": [
                    {
                        "statement": d.statement,
                        "number": statements[d.statement].number,
                        "heading": statements[d.statement].heading,
                        "side": d.side,
                        "in_percent": round(d.in_rate * 100),
                        "out_percent": round(d.out_rate * 100),
                        "in_votes": d.in_votes,
                        "out_votes": d.out_votes,
                    }
                    for d in inference.distinguishing.get(g, [])
                ],
            }
        )
    result["consensus"] = inferred_consensus(voteset, inference)
    return result


def inferred_consensus(voteset, inference):
    """The report's statistic taken over the inferred groups instead of the declared ones:
    each group's size is its number of members, so the quorum and threshold read the same."""
    config = report_settings()
    numbers = sorted(set(inference.groups.values()))
    sizes = {g: sum(1 for n in inference.groups.values() if n == g) for g in numbers}
    # One pass over the votes, whatever the number of sections.
    by_statement = {
        s.id: {g: {method.AGREE: 0, method.DISAGREE: 0, 0: 0} for g in numbers} for s in voteset.sections()
    }
    for vote in voteset.votes:
        group = inference.groups.get(vote.user_id)
        if group is not None and vote.statement in by_statement:
            by_statement[vote.statement][group][vote.value] += 1
    rows = []
    for statement in voteset.sections():
        counts = by_statement[statement.id]
        groups = [
            statistics.GroupCounts(
                f"opinion-{group_letter(g)}",
                f"Opinion group {group_letter(g)}",
                counts[g][method.AGREE],
                counts[g][method.DISAGREE],
                counts[g][0],
                size=sizes[g],
            )
            for g in numbers
        ]
        stat = statistics.section_statistic(groups, config.statistic)
        rows.append(
            {
                "statement": statement.id,
                "number": statement.number,
                "heading": statement.heading,
                "classification": stat.classification,
                "label": stat.label,
                "headline": stat.headline,
            }
        )
    return rows
