"""Competing proposals on the public site: proposing, a proposal's own page, withdrawing.

Reactions go through the reactions view (`/consultation/reactions/proposal/<id>/`)
and comments through the comments view, both with the proposal as target.
Every write asks the named rule first; the services ask again.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from consultation.explain import explain
from consultation.models import ProposalKind, SectionPage
from consultation.models.pages import paper_sections
from consultation.models.proposals import proposal_get
from consultation.proposals.forms import ProposalForm
from consultation.proposals.selectors import (
    ordering_rule,
    paper_support_context,
    proposal_comment_threads,
    proposal_diff,
    section_wording,
    sibling_proposals,
    support_of,
)
from consultation.proposals.services import proposal_create, proposal_withdraw
from consultation.reactions.selectors import reaction_tallies
from core.limits import TOO_MANY, limit_exceeded


def _numbered(section):
    """The section, numbered as the paper numbers it (one query)."""
    for other in paper_sections(paper=section.paper):
        if other.pk == section.pk:
            section.number = other.number
    return section


def _form_context(section, form, current_text):
    paper = section.paper
    return {
        "section": section,
        "paper": paper,
        "consultation": paper.consultation,
        "form": form,
        "current_paragraphs": current_text.split("\n") if current_text else [],
    }


def proposal_new(request, section_id):
    """Propose a replacement wording or an added paragraph for a section.

    Without JavaScript: the form, then the new proposal's page; errors come
    back beside their fields with everything typed kept."""
    section = get_object_or_404(SectionPage.objects.live(), pk=section_id)
    _numbered(section)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("consultation.propose_section", section):
        reason = explain(request.user, "consultation.propose_section", section).message
        context = {"section": section, "paper": section.paper, "reason": reason}
        return render(request, "consultation/proposals/refused.html", context, status=403)

    current_text = section_wording(section)
    if request.method != "POST":
        kind = request.GET.get("kind")
        kind = kind if kind in ProposalKind.values else ProposalKind.REPLACEMENT
        prefill = "\n\n".join(current_text.split("\n")) if kind == ProposalKind.REPLACEMENT else ""
        form = ProposalForm(initial={"kind": kind, "text": prefill})
        return render(request, "consultation/proposals/form.html", _form_context(section, form, current_text))

    form = ProposalForm(request.POST)
    if limit_exceeded(request, "proposal"):
        form.add_error(None, TOO_MANY)
        context = _form_context(section, form, current_text)
        return render(request, "consultation/proposals/form.html", context, status=429)
    if form.is_valid():
        try:
            proposal = proposal_create(
                author=request.user,
                section=section,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                rationale=form.cleaned_data["rationale"],
            )
        except PermissionDenied:
            reason = explain(request.user, "consultation.propose_section", section).message
            context = {"section": section, "paper": section.paper, "reason": reason}
            return render(request, "consultation/proposals/refused.html", context, status=403)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, "Your proposal has been published. People can now react to it and discuss it."
            )
            return redirect(proposal.get_absolute_url())
    context = _form_context(section, form, current_text)
    return render(request, "consultation/proposals/form.html", context, status=400)


def _visible_proposal(proposal_id):
    proposal = proposal_get(proposal_id=proposal_id)
    if proposal is None or not proposal.section.live or not proposal.paper.live:
        raise Http404("No such proposal.")
    return proposal


def proposal_detail(request, proposal_id):
    """A proposal's own page: its wording compared, its support by group, reactions and discussion."""
    proposal = _visible_proposal(proposal_id)
    section, paper, user = proposal.section, proposal.paper, request.user
    _numbered(section)
    can_view = user.has_perm("consultation.view_proposal", proposal)
    context = {
        "proposal": proposal,
        "section": section,
        "paper": paper,
        "consultation": paper.consultation,
        "can_view": can_view,
        "can_withdraw": user.has_perm("consultation.withdraw_proposal", proposal),
        "can_decide": user.has_perm("consultation.decide_proposal", proposal),
    }
    if can_view:
        tallies = reaction_tallies(paper_id=paper.pk)
        groups, config = paper_support_context(paper=paper, tallies=tallies)
        support_of(proposal, tallies=tallies, groups=groups, config=config)
        current_text = section_wording(section)
        # Undecided: against today's wording. Decided or withdrawn: against the wording it answered.
        compared_with_current = proposal.is_undecided
        base = current_text if compared_with_current else proposal.base_text
        rank, competing = sibling_proposals(proposal=proposal, tallies=tallies, groups=groups, config=config)
        context.update(
            {
                "diff": proposal_diff(proposal, base),
                "compared_with_current": compared_with_current,
                "section_changed": compared_with_current and proposal.base_text != current_text,
                "rank": rank if proposal.is_undecided else None,
                "competing": competing,
                "ordering_rule": ordering_rule(config),
                "threads": proposal_comment_threads(proposal=proposal),
                "can_comment": user.has_perm("consultation.comment_proposal", proposal),
                "can_moderate": user.has_perm("consultation.moderate"),
                "comment_max_level": settings.COMMENTS_XTD_MAX_THREAD_LEVEL,
            }
        )
        context["comment_count"] = _count_visible(context["threads"])
    if context["can_decide"]:
        context["decide_url"] = reverse("consultation_proposals:decide", args=[proposal.pk])
    return render(request, "consultation/proposals/detail.html", context)


def _count_visible(threads):
    count = 0
    for comment in threads:
        count += (not comment.is_hidden) + _count_visible(comment.replies)
    return count


def proposal_withdraw_view(request, proposal_id):
    """The author withdraws their proposal: a GET asks, a POST withdraws."""
    proposal = _visible_proposal(proposal_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("consultation.withdraw_proposal", proposal):
        raise PermissionDenied("Only the author can withdraw an open proposal.")
    if request.method == "POST":
        try:
            proposal_withdraw(proposal=proposal, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Your proposal has been withdrawn. It stays in the record, marked withdrawn."
            )
        return redirect(proposal.get_absolute_url())
    _numbered(proposal.section)
    return render(
        request, "consultation/proposals/withdraw.html", {"proposal": proposal, "paper": proposal.paper}
    )
