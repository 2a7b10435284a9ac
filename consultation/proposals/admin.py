"""Wagtail admin: editors decide on competing proposals (imported by wagtail_hooks.py).

An editor who may publish a section (`consultation.decide_proposal`) either
incorporates a proposal — which saves the section with the proposed wording
as a draft revision and takes the editor to it for review; nothing is
published — or does not take it forward, with a reason that is published.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from consultation.models import PolicyPaperPage, Proposal, SectionPage
from consultation.models.proposals import UNDECIDED_STATES, proposal_get
from consultation.proposals.forms import DeclineForm, IncorporateForm
from consultation.proposals.selectors import (
    paper_support_context,
    proposal_diff,
    section_wording,
    sibling_proposals,
    support_of,
)
from consultation.proposals.services import proposal_decline, proposal_incorporate
from consultation.reactions.selectors import reaction_tallies
from core.converters import parse_id  # importing it also registers <id:...>

STATE_FILTERS = {
    "undecided": ("Waiting for a decision", Q(state__in=UNDECIDED_STATES)),
    "decided": ("Decided or withdrawn", ~Q(state__in=UNDECIDED_STATES)),
    "all": ("All", Q()),
}


PROPOSALS_PER_PAGE = 50


def _sections_user_may_publish(user, sections):
    """Section ids the user may publish, asking Wagtail once per section."""
    return {section.pk for section in sections if user.has_perm("consultation.manage_proposals", section)}


def proposal_index(request):
    """Proposals on sections the editor may publish, newest first, filtered by state and page."""
    state = request.GET.get("state") if request.GET.get("state") in STATE_FILTERS else "undecided"
    rows = Proposal.objects.filter(STATE_FILTERS[state][1]).select_related("section", "paper")
    page_id = parse_id(request.GET.get("page"))
    if page_id is not None:
        rows = rows.filter(Q(section_id=page_id) | Q(paper_id=page_id))
    # Ask the rule once per section that has proposals, then page the rows of
    # the allowed sections: paging first would hide an editor's proposals behind
    # other consultations' newer ones.
    sections = SectionPage.objects.filter(pk__in=rows.values("section_id"))
    allowed = _sections_user_may_publish(request.user, sections)
    rows = rows.filter(section_id__in=allowed).order_by("-created_at", "-pk")
    page = Paginator(rows, PROPOSALS_PER_PAGE).get_page(request.GET.get("p"))
    context = {
        "proposals": page.object_list,
        "items": page,
        "elided_page_range": page.paginator.get_elided_page_range(page.number),
        "state": state,
        "filters": [(key, label) for key, (label, _q) in STATE_FILTERS.items()],
        "page_id": page_id or "",
        "page_title": "Proposals",
        "header_icon": "edit",
    }
    return render(request, "consultation/proposals/admin/index.html", context)


def proposal_decide(request, proposal_id):
    """One proposal, compared with the section's published wording, with its
    support by group; the editor incorporates it (as a draft) or declines it."""
    proposal = proposal_get(proposal_id=proposal_id)
    if proposal is None:
        raise Http404("No such proposal.")
    can_decide = request.user.has_perm("consultation.decide_proposal", proposal)
    if not can_decide and not request.user.has_perm("consultation.manage_proposals", proposal.section):
        raise PermissionDenied("Only editors who may publish this section can decide on its proposals.")
    incorporate_form = IncorporateForm(request.POST if request.POST.get("action") == "incorporate" else None)
    decline_form = DeclineForm(request.POST if request.POST.get("action") == "decline" else None)

    if request.method == "POST" and can_decide:
        if request.POST.get("action") == "incorporate" and incorporate_form.is_valid():
            try:
                proposal_incorporate(
                    proposal=proposal, editor=request.user, note=incorporate_form.cleaned_data["note"]
                )
            except ValidationError as error:
                incorporate_form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"A draft of “{proposal.section.title}” with proposal {proposal.pk}'s wording is saved "
                    "for review. It is not published: check it, then publish it. The proposal is marked "
                    "incorporated when the next version of the paper is published.",
                )
                return redirect("wagtailadmin_pages:edit", proposal.section_id)
        elif request.POST.get("action") == "decline" and decline_form.is_valid():
            try:
                proposal_decline(
                    proposal=proposal, editor=request.user, reason=decline_form.cleaned_data["reason"]
                )
            except ValidationError as error:
                decline_form.add_error(None, error)
            else:
                messages.success(
                    request, f"Proposal {proposal.pk} is marked not taken forward. The reason is public."
                )
                return redirect(reverse("consultation_proposals:index") + f"?page={proposal.paper_id}")

    tallies = reaction_tallies(paper_id=proposal.paper_id)
    groups, config = paper_support_context(paper=proposal.paper, tallies=tallies)
    support_of(proposal, tallies=tallies, groups=groups, config=config)
    rank, competing = sibling_proposals(proposal=proposal, tallies=tallies, groups=groups, config=config)
    current_text = section_wording(proposal.section)
    others_accepted = Proposal.objects.filter(section_id=proposal.section_id, state="accepted").exclude(
        pk=proposal.pk
    )
    context = {
        "proposal": proposal,
        "section": proposal.section,
        "paper": proposal.paper,
        "can_decide": can_decide,
        "diff": proposal_diff(proposal, current_text if proposal.is_undecided else proposal.base_text),
        "rank": rank if proposal.is_undecided else None,
        "competing": competing,
        "others_accepted": list(others_accepted.values_list("pk", flat=True)),
        "has_unpublished_changes": proposal.section.has_unpublished_changes,
        "incorporate_form": incorporate_form,
        "decline_form": decline_form,
        "page_title": f"Proposal {proposal.pk}",
        "page_subtitle": proposal.section.title,
        "header_icon": "edit",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "consultation/proposals/admin/decide.html", context, status=status)


@hooks.register("register_admin_urls")
def register_proposal_urls():
    urls = [
        path("", proposal_index, name="index"),
        path("<id:proposal_id>/", proposal_decide, name="decide"),
    ]
    return [path("consultation-proposals/", include((urls, "consultation_proposals")))]


class ProposalsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtailadmin.access_admin")


@hooks.register("register_admin_menu_item")
def register_proposals_menu_item():
    return ProposalsMenuItem(
        "Proposals", reverse("consultation_proposals:index"), icon_name="edit", order=260
    )


def _proposal_button(page, user):
    specific = page.specific_deferred
    if not isinstance(specific, SectionPage | PolicyPaperPage):
        return None
    if not user.has_perm("consultation.manage_proposals", page):
        return None
    field = "section" if isinstance(specific, SectionPage) else "paper"
    waiting = Proposal.objects.filter(**{field: page.pk}).aggregate(
        n=Count("pk", filter=Q(state__in=UNDECIDED_STATES))
    )["n"]
    return Button(
        f"Proposals ({waiting} waiting)",
        reverse("consultation_proposals:index") + f"?page={page.pk}",
        icon_name="edit",
        priority=14,
    )


@hooks.register("register_page_header_buttons")
def proposal_header_button(page, user, view_name=None, next_url=None):
    button = _proposal_button(page, user)
    if button is not None:
        yield button
