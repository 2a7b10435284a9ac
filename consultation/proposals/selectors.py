"""Reads for competing proposals: the wording compared, the ranking, the report's part.

A section's proposals compete on cross-group support: the report's
group-aware support (for each invited working group, (agree − disagree) ÷ its
members; averaged over every invited group, a silent one counting 0;
consultation/consensus/statistics.py). Ties go to the proposal with more
reactions, then to the earlier one. The rule is
stated on every page that shows an order (`ORDERING_RULE`).

Every function here reads a whole paper's proposals in one query and takes
tallies from the reactions' one aggregate query, so pages and the report do
not slow down as proposals, reactions or comments grow.
"""

from django.db.models import Q

from consultation.consensus.selectors import report_groups, report_settings, tally_statistics
from consultation.models import Comment, Proposal
from consultation.models.proposals import (
    UNDECIDED_STATES,
    ProposalKind,
    ProposalState,
    proposal_content_type_id,
)
from consultation.reactions.selectors import empty_tally
from consultation.versions.diff import html_to_text, word_diff
from consultation.versions.selectors import render_section_body

ORDERING_RULE = (
    "Open proposals are listed by support across working groups, not by raw counts. For each invited "
    "working group we take (agree − disagree) ÷ the group’s members, so a group that has not reacted "
    "counts as undecided (0), and average over the groups, each weighing the same: the score runs from "
    "−100% to +100%. So a proposal every group supports ranks above one backed heavily by a single group, "
    "and one more agree never lowers a score. The public’s reactions are shown beside and do not change "
    "the order. Ties go to the proposal with more reactions, then to the earlier one. Reactions count on "
    "the paper’s current version."
)


def ordering_rule(config=None):
    return ORDERING_RULE


# ---------------------------------------------------------------- text


def _lines(text):
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def text_lines(text):
    """Plain text as the diff and the report read it: one paragraph or line per line."""
    return "\n".join(" ".join(line.split()) for line in _lines(text) if line.strip())


def text_paragraphs(text):
    """Blank-line-separated paragraphs, each a list of its lines (single line breaks kept)."""
    paragraphs, current = [], []
    for raw in _lines(text):
        line = " ".join(raw.split())
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def section_wording(section):
    """The section's current published wording as plain text, one paragraph per line."""
    return html_to_text(render_section_body(section))


def proposed_wording(proposal, current_text):
    """The section's whole wording if the proposal were taken: the replacement,
    or the current wording with the paragraph added at its end."""
    if proposal.kind == ProposalKind.ADDITION:
        return "\n".join(filter(None, [current_text, text_lines(proposal.text)]))
    return text_lines(proposal.text)


def proposal_diff(proposal, current_text):
    """The proposal against `current_text`, word by word (an addition shows as an insertion at the end)."""
    return word_diff(current_text, proposed_wording(proposal, current_text))


# ---------------------------------------------------------------- support and order


def proposal_tally(proposal, tallies):
    """Live while the proposal takes reactions; once decided or withdrawn, the tally it closed with."""
    if not proposal.is_open and proposal.closing_tally:
        return proposal.closing_tally
    return tallies.get(proposal.target_key) or empty_tally(proposal.target_key)


def support_of(proposal, *, tallies, groups, config):
    """Attach the proposal's tally, its support by group (the report's figures) and its score."""
    proposal.tally = proposal_tally(proposal, tallies)
    proposal.support = tally_statistics(tally=proposal.tally, groups=groups, config=config)
    for row in proposal.support["groups"]:
        # Where live-tallies.js finds this row's counts in a tally message.
        row["scope"] = "public" if row["kind"] == "public" else f"group:{row['key'].removeprefix('group-')}"
    # The published (rounded) percentage, so readers can check the order from the figures shown.
    proposal.score = proposal.support["statistic"]["support"]
    return proposal


def addition_tail(proposal, diff):
    """For an added paragraph: only the paragraphs added at the end (the rest is the unchanged section)."""
    added = len(text_lines(proposal.text).split("\n"))
    return diff.paragraphs[-added:], max(0, len(diff.paragraphs) - added)


def rank_key(proposal):
    score = proposal.score
    return (score is None, -(score or 0), -proposal.tally["total"], proposal.created_at, proposal.pk)


def rank_proposals(proposals, *, tallies, groups, config):
    """Attach each proposal's tally and support, and return them best supported first."""
    for proposal in proposals:
        support_of(proposal, tallies=tallies, groups=groups, config=config)
    ranked = sorted(proposals, key=rank_key)
    for position, proposal in enumerate(ranked, start=1):
        proposal.rank = position
    return ranked


def split_by_state(proposals, *, tallies, groups, config):
    """(competing, closed): undecided ones ranked by support; decided and withdrawn ones, latest first."""
    active = [p for p in proposals if p.state in UNDECIDED_STATES]
    closed = [p for p in proposals if p.state not in UNDECIDED_STATES]
    for proposal in closed:
        support_of(proposal, tallies=tallies, groups=groups, config=config)
    closed.sort(key=lambda p: (p.decided_at or p.updated_at, p.pk), reverse=True)
    return rank_proposals(active, tallies=tallies, groups=groups, config=config), closed


def paper_proposals(*, paper):
    """Every proposal on the paper, oldest first (one query)."""
    return list(Proposal.objects.filter(paper=paper).select_related(None).order_by("created_at", "pk"))


def proposal_comment_threads(*, proposal):
    """The proposal's threads, each comment with `.replies` (one query)."""
    comments = Comment.objects.select_related(None).filter(
        content_type_id=proposal_content_type_id(),
        object_pk=str(proposal.pk),
        is_public=True,
        is_removed=False,
    )
    threads, chain = [], []
    for comment in comments.order_by("thread_id", "order"):
        comment.replies = []
        while chain and chain[-1].level >= comment.level:
            chain.pop()
        (chain[-1].replies if chain else threads).append(comment)
        chain.append(comment)
    return threads


def sibling_proposals(*, proposal, tallies, groups, config):
    """Where `proposal` stands among its section's competing proposals: (rank, how many)."""
    siblings = Proposal.objects.filter(section_id=proposal.section_id, state__in=UNDECIDED_STATES)
    ranked = rank_proposals(
        list(siblings.select_related(None)), tallies=tallies, groups=groups, config=config
    )
    for position, other in enumerate(ranked, start=1):
        if other.pk == proposal.pk:
            return position, len(ranked)
    return None, len(ranked)


# ---------------------------------------------------------------- the report


def report_proposals(*, paper, label, tallies, groups, config):
    """The report's competing proposals, per section id, as plain data.

    Listed: every proposal made on this version, and any made earlier that is
    still undecided. Competing (open or accepted) proposals come first in the
    page's order; decided and withdrawn ones follow, oldest first. One query."""
    rows = Proposal.objects.filter(paper=paper).filter(Q(version_label=label) | Q(state__in=UNDECIDED_STATES))
    by_section = {}
    for proposal in rows.select_related(None).order_by("created_at", "pk"):
        by_section.setdefault(proposal.section_id, []).append(proposal)
    result = {}
    for section_id, proposals in by_section.items():
        active, closed = split_by_state(proposals, tallies=tallies, groups=groups, config=config)
        closed.sort(key=lambda p: (p.created_at, p.pk))
        result[section_id] = [_report_entry(p) for p in [*active, *closed]]
    return result


REPORT_GROUP_FIELDS = (
    "key",
    "name",
    "kind",
    "size",
    "agree",
    "disagree",
    "neutral",
    "seen",
    "heard",
    "agree_percent",
    "position",
    "position_label",
    "in_verdict",
)


def _report_entry(proposal):
    support = proposal.support
    declined = proposal.state == ProposalState.NOT_TAKEN_FORWARD
    return {
        "id": proposal.pk,
        "rank": getattr(proposal, "rank", None) if proposal.state in UNDECIDED_STATES else None,
        "kind": proposal.kind,
        "kind_label": proposal.get_kind_display(),
        "state": proposal.state,
        "state_label": proposal.state_text,
        "author": proposal.author_name,
        "organisation": proposal.organisation_name,
        "group": proposal.working_group_name,
        "made_on_version": proposal.version_label,
        "created_at": proposal.created_at.isoformat(timespec="seconds"),
        "text": text_lines(proposal.text),
        "rationale": proposal.rationale,
        "incorporated_in": proposal.incorporated_in_label or None,
        "decision_reason": proposal.decision_reason if declined else "",
        "permalink": proposal.get_absolute_url(),
        "overall": support["overall"],
        "groups": [{k: row[k] for k in REPORT_GROUP_FIELDS} for row in support["groups"]],
        "headline": support["classification"]["headline"],
        "statistic": {
            "support": support["statistic"]["support"],
            "groups_in_verdict": support["statistic"]["groups_in_verdict"],
            "groups_heard": support["statistic"]["groups_heard"],
        },
    }


def paper_support_context(*, paper, tallies):
    """What ranking needs besides tallies: the groups and the method's settings (one query)."""
    config = report_settings()
    groups = report_groups(consultation=paper.consultation, tallies=tallies, config=config)
    return groups, config
