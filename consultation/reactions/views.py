"""Reacting over HTTP, and tallies for clients that resync.

One view serves both the plain form (no JavaScript: redirect back to the
section with a message, the tally in the page) and the enhanced page (asks
for `application/json` and gets the fresh tally back)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from consultation.models import PolicyPaperPage
from consultation.models.reactions import TargetKind
from consultation.reactions import broadcast
from consultation.reactions.selectors import target_tally
from consultation.reactions.services import (
    live_comment_target,
    live_proposal_target,
    live_section_target,
    reaction_refusal,
    reaction_set,
    reaction_withdraw,
)
from core.limits import TOO_MANY_PAGE, limit_exceeded

WITHDRAW = "withdraw"


class ReactionForm(forms.Form):
    choice = forms.ChoiceField(error_messages={"required": "Choose how you react.", "invalid_choice": ""})

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["choice"]
        field.choices = [(c.value, c.label) for c in target.choices] + [(WITHDRAW, "Withdraw my reaction")]
        field.error_messages["invalid_choice"] = "Choose one of: {}.".format(
            ", ".join(str(c.label) for c in target.choices)
        )


def _target_or_404(kind, target_id):
    if kind == TargetKind.SECTION:
        target = live_section_target(target_id)
        if target is None:
            raise Http404
        return target
    if kind == TargetKind.COMMENT:
        target = live_comment_target(target_id)
        if target is None:
            raise Http404
        return target
    if kind == TargetKind.PROPOSAL:
        target = live_proposal_target(target_id)
        if target is None:
            raise Http404
        return target
    raise Http404


def _describe(target):
    if target.kind == TargetKind.SECTION:
        return f"section “{target.section.title}”"
    if target.kind == TargetKind.PROPOSAL:
        return f"proposal {target.id} by {target.obj.author_name}"
    return f"the comment by {target.obj.author_name}"


def _back_url(request, target):
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    if target.kind == TargetKind.SECTION:
        return f"{target.paper.url}#{target.section.anchor}"
    return target.obj.get_absolute_url()


def _wants_json(request):
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _fresh_tally(target):
    # Version first, then the read: see consultation/reactions/broadcast.py.
    epoch, version = broadcast.clock().current(target.paper.pk)
    tally = target_tally(
        paper_id=target.paper.pk,
        target_key=target.key,
        version_label=target.paper.version_label,
        wording=target.wording,
    )
    return {"epoch": epoch, "version": version, "tally": tally}


@require_POST
def react(request, kind, target_id):
    """Set or withdraw the signed-in person's reaction to a section, comment or proposal."""
    target = _target_or_404(kind, target_id)
    # The way back is only for the plain form: working out a page's URL costs
    # more than the rest of a JSON answer's Python (Wagtail's site lookups).
    wants_json = _wants_json(request)

    if not request.user.is_authenticated:
        if wants_json:
            return JsonResponse({"error": "Sign in to react."}, status=401)
        return redirect_to_login(_back_url(request, target))
    if limit_exceeded(request, "reaction"):
        if wants_json:
            return JsonResponse({"error": TOO_MANY_PAGE}, status=429)
        context = {
            "message": f"Your reaction was not recorded. {TOO_MANY_PAGE}",
            "back_url": _back_url(request, target),
        }
        return render(request, "429.html", context, status=429)

    form = ReactionForm(request.POST, target=target)
    error = None
    if form.is_valid():
        choice = form.cleaned_data["choice"]
        try:
            if choice == WITHDRAW:
                reaction_withdraw(user=request.user, target=target)
                choice = None
            else:
                reaction_set(user=request.user, target=target, choice=choice)
        except PermissionDenied as refusal:
            status, error = 403, str(refusal) or reaction_refusal(user=request.user, target=target).message
        except ValidationError as invalid:
            status, error = 400, " ".join(invalid.messages)
    else:
        status, error = 400, " ".join(form.errors["choice"])

    if error:
        if wants_json:
            return JsonResponse({"error": error}, status=status)
        messages.error(request, f"Your reaction was not recorded. {error}")
        return HttpResponseRedirect(_back_url(request, target), status=303)

    label = dict(form.fields["choice"].choices)[choice] if choice else None
    message = (
        f"Your reaction to {_describe(target)}: {label}."
        if choice
        else f"Your reaction to {_describe(target)} has been withdrawn."
    )
    if wants_json:
        return JsonResponse(
            {"target": target.key, "choice": choice, "message": message, **_fresh_tally(target)}
        )
    messages.success(request, message)
    return HttpResponseRedirect(_back_url(request, target), status=303)


@require_GET
@never_cache
def paper_tallies(request, paper_id):
    """Every tally of a paper as JSON: what the websocket sends on connect, for resyncs."""
    paper = get_object_or_404(PolicyPaperPage.objects.live(), pk=paper_id)
    if not request.user.has_perm("consultation.view_tallies", paper):
        return JsonResponse({"error": "This paper is restricted."}, status=403)
    return JsonResponse(broadcast.tally_snapshot(paper=paper))
