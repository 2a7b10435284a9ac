"""Competing proposals beside each section, in a fixed number of queries.

The first section on a page reads the whole paper's proposals (one query),
their comment counts (one aggregate query) and the groups the support score
is taken over (one query); tallies come from the reactions tags' cache (the
paper's one aggregate query). Every later section reads from that.
"""

from django import template

from consultation.comments.selectors import proposal_comment_counts
from consultation.consensus.statistics import support_text
from consultation.explain import explain
from consultation.models import ProposalKind
from consultation.proposals.selectors import (
    addition_tail,
    ordering_rule,
    paper_proposals,
    paper_support_context,
    proposal_diff,
    section_wording,
    split_by_state,
)
from consultation.templatetags.reactions import paper_reaction_cache

register = template.Library()


def _paper_store(context, paper):
    request = context["request"]
    store = request.__dict__.setdefault("_proposals", {})
    if paper.pk not in store:
        tallies = paper_reaction_cache(context, paper)["tallies"]
        proposals = paper_proposals(paper=paper)
        by_section = {}
        for proposal in proposals:
            by_section.setdefault(proposal.section_id, []).append(proposal)
        entry = {"by_section": by_section, "tallies": tallies, "counts": {}, "groups": None, "config": None}
        if proposals:
            entry["counts"] = proposal_comment_counts(paper=paper)
            entry["groups"], entry["config"] = paper_support_context(paper=paper, tallies=tallies)
        store[paper.pk] = entry
    return store[paper.pk]


@register.simple_tag(takes_context=True)
def section_proposals(context, section):
    """Everything the proposals beside one section show."""
    user = context["request"].user
    paper = section.paper
    store = _paper_store(context, paper)
    proposals = store["by_section"].get(section.pk, [])
    for proposal in proposals:
        # The page's own section and paper objects: no query per proposal.
        proposal.section, proposal.paper = section, paper
        proposal.comment_count = store["counts"].get(proposal.pk, 0)
    can_read = getattr(section, "can_read_body", None)
    if can_read is None:
        can_read = user.has_perm("consultation.view_body", section)
    verdict = explain(user, "consultation.propose_section", section)
    can_propose = verdict.allowed
    state = {
        "count": len(proposals),
        "withheld": bool(proposals) and not can_read,
        "can_propose": can_propose,
        "closed_reason": verdict.message,
        "closed_code": verdict.code,
        "show": bool(proposals) or can_propose,
        "active": [],
        "closed": [],
    }
    if not proposals or not can_read:
        return state
    active, closed = split_by_state(
        proposals, tallies=store["tallies"], groups=store["groups"], config=store["config"]
    )
    if active:
        current_text = section_wording(section)
        for proposal in active:
            proposal.diff = proposal_diff(proposal, current_text)
            proposal.section_changed = proposal.base_text != current_text
            if proposal.kind == ProposalKind.ADDITION:
                # Beside the section, the unchanged wording is right above: show the addition only.
                proposal.diff_added, proposal.diff_unchanged = addition_tail(proposal, proposal.diff)
    state.update(
        {
            "active": active,
            "closed": closed,
            "ordering_rule": ordering_rule(store["config"]),
        }
    )
    return state


@register.filter
def score_text(value):
    """The support score as the report prints it: a signed whole percentage."""
    return support_text(value)
