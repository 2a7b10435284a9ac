"""Comment pages: posting and replying (with or without JavaScript), flagging,
following a paper, and the public moderation log.

Every write asks the named rule first, so a refused request stores nothing;
the services ask again, for callers other than these views.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_comments_xtd import views as xtd_views

from consultation.comments import services as comment_services
from consultation.comments.forms import CommentEditForm, CommentForm, FlagForm
from consultation.comments.selectors import (
    comment_counts,
    comment_location,
    paper_thread_comments,
    proposal_comment_counts,
)
from consultation.comments.services import (
    comment_create,
    comment_rule_for,
    paper_follow,
    paper_unfollow,
    paper_unfollow_token_load,
    section_follow,
    section_unfollow,
    section_unfollow_token_load,
)
from consultation.explain import explain
from consultation.models import Comment, ConsultationPage, PolicyPaperPage, RecordEntry, SectionPage
from consultation.models.proposals import proposal_get
from core.converters import parse_id
from core.limits import TOO_MANY, limit_exceeded

COMMENTABLE = {
    "consultation.sectionpage": SectionPage,
    "consultation.policypaperpage": PolicyPaperPage,
}


def _is_fetch(request):
    # Set by static/js/comments.js; comments-xtd uses the same convention.
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def _safe_next(request, value, fallback):
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value.split("#", 1)[0]
    return fallback


def _target_from_post(data):
    model = COMMENTABLE.get((data.get("content_type") or "").lower())
    object_pk = parse_id(data.get("object_pk"))
    if object_pk is None:
        return None
    if (data.get("content_type") or "").lower() == "consultation.proposal":
        # A proposal's discussion: the proposal must sit on a published section.
        proposal = proposal_get(proposal_id=object_pk)
        return proposal if proposal is not None and proposal.section.live else None
    if model is None:
        return None
    return model.objects.live().filter(pk=object_pk).first()


def _visible_comment(comment_id):
    comment = (
        Comment.objects.select_related("paper", "section")
        .filter(pk=comment_id, is_public=True, is_removed=False)
        .first()
    )
    if comment is None or not comment.paper.live or (comment.section_id and not comment.section.live):
        raise Http404("No such comment.")
    return comment


def _withheld(request, comment):
    """A comment on restricted text is withheld with it: the page names the
    restriction, never the comment. The reason is the explainer's."""
    verdict = explain(request.user, "consultation.view_comment", comment)
    section = comment.section if comment.section_id else None
    restricted, what = (
        (section, "section") if section is not None and section.restricted else (comment.paper, "paper")
    )
    context = {"verdict": verdict, "page": restricted, "what": what}
    return render(request, "comments/withheld.html", context, status=403)


def _comment_context(request, target, **extra):
    return {
        "target": target,
        "paper": target if isinstance(target, PolicyPaperPage) else target.paper,
        "can_comment": request.user.has_perm(comment_rule_for(target), target),
        "can_moderate": request.user.has_perm("consultation.moderate"),
        "comment_max_level": settings.COMMENTS_XTD_MAX_THREAD_LEVEL,
        **extra,
    }


def _refused(request, target):
    return render(request, "comments/refused.html", _comment_context(request, target), status=403)


def _form_errors(request, target, form, next_url, status=400):
    context = _comment_context(request, target, form=form, next=next_url, parent=form.parent)
    if _is_fetch(request):
        return render(request, "comments/form.html", context, status=status)
    return render(request, "comments/preview.html", context, status=status)


@require_POST
def comment_post(request):
    """Post a comment or a reply. Without JavaScript: redirect to the new
    comment's anchor, or show the form again with the text and the errors.
    From comments.js: the new comment's HTML (201), or the form with errors (400)."""
    target = _target_from_post(request.POST)
    if target is None:
        return HttpResponseBadRequest("Comments can only be posted on a published section or paper.")
    if not request.user.has_perm(comment_rule_for(target), target):
        return _refused(request, target)

    next_url = _safe_next(request, request.POST.get("next"), target.url)
    form = CommentForm(target, data=request.POST, user=request.user)
    security = form.security_errors()
    if security:
        if set(security) != {"timestamp"}:
            return HttpResponseBadRequest("The comment form failed its security check.")
        # The form was open for hours: keep the text, renew the form.
        fresh = CommentForm(
            target,
            user=request.user,
            initial={"comment": request.POST.get("comment", ""), "reply_to": request.POST.get("reply_to", 0)},
        )
        fresh.parent = form.parent
        fresh.expired = True
        return _form_errors(request, target, fresh, next_url)
    if not form.is_valid():
        return _form_errors(request, target, form, next_url)
    if limit_exceeded(request, "comment"):
        form.add_error(None, TOO_MANY)
        return _form_errors(request, target, form, next_url, status=429)

    try:
        comment = comment_create(
            author=request.user,
            target=target,
            text=form.cleaned_data["comment"],
            parent=form.parent,
            followup=form.cleaned_data["followup"],
        )
    except PermissionDenied:
        return _refused(request, target)
    except ValidationError as error:
        form.add_error(None, error)
        return _form_errors(request, target, form, next_url)

    if _is_fetch(request):
        comment.replies = []
        if comment.is_on_proposal:
            count = proposal_comment_counts(paper=comment.paper).get(target.pk, 0)
        else:
            count = comment_counts(paper=comment.paper).get(comment.section_id, 0)
        # comment_next: where the reply link returns to, rather than this endpoint.
        response = render(
            request,
            "django_comments_xtd/comment.html",
            _comment_context(request, target, comment=comment, comment_next=next_url),
            status=201,
        )
        response["X-Comment-Id"] = str(comment.pk)
        response["X-Comment-Count"] = str(count)
        return response
    messages.success(request, "Your comment has been posted.")
    location = comment_location(comment=comment)
    if next_url == location.split("?", 1)[0].split("#", 1)[0]:
        # Back to the page that lists the thread in full, at the page of threads it is on.
        return redirect(location)
    return redirect(f"{next_url}#{comment.anchor}")


def comment_permalink(request, comment_id):
    """A comment's permanent address: wherever its section or paper now lives, on the
    page of threads it is on."""
    return redirect(comment_location(comment=_visible_comment(comment_id)))


def paper_comments_page(request, paper):
    """Every comment on a paper as a whole, threads paged newest first (the paper page
    shows only the most recent). Restricted text withholds its comments here too."""
    context = {
        "page": paper,
        "self": paper,
        "consultation": paper.consultation,
        **paper_thread_comments(paper=paper, user=request.user, page_number=request.GET.get("page")),
    }
    return render(request, "consultation/comments/paper_comments_page.html", context)


def comment_reply(request, comment_id):
    """The reply form on a page of its own, for browsers without JavaScript."""
    parent = _visible_comment(comment_id)
    if not request.user.has_perm("consultation.view_comment", parent):
        return _withheld(request, parent)
    target = parent.target
    next_url = _safe_next(request, request.GET.get("next"), target.url)
    context = _comment_context(request, target, parent=parent, next=next_url)
    if (
        context["can_comment"]
        and not parent.is_hidden
        and parent.level < settings.COMMENTS_XTD_MAX_THREAD_LEVEL
    ):
        context["form"] = CommentForm(target, user=request.user, parent=parent)
    return render(request, "django_comments_xtd/reply.html", context)


@login_required
def comment_flag(request, comment_id):
    comment = _visible_comment(comment_id)
    if not request.user.has_perm("consultation.view_comment", comment):
        return _withheld(request, comment)
    if not request.user.has_perm("consultation.flag_comment", comment):
        raise PermissionDenied("This comment cannot be flagged.")
    form = FlagForm(request.POST or None)
    if request.method == "POST" and limit_exceeded(request, "flag"):
        form.add_error(None, TOO_MANY)
        return render(request, "comments/flag.html", {"comment": comment, "form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        comment_services.comment_flag(
            comment=comment,
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        messages.success(request, "Thank you. A moderator will look at this comment.")
        return redirect(comment.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "comments/flag.html", {"comment": comment, "form": form}, status=status)


def _own_comment_refused(request, comment, perm):
    verdict = explain(request.user, perm, comment)
    context = {"comment": comment, "verdict": verdict, "perm": perm}
    return render(request, "comments/own_refused.html", context, status=403)


@login_required
def comment_edit(request, comment_id):
    """Edit one's own comment shortly after posting it: a page of its own (no
    JavaScript needed), the form prefilled; errors keep the new text."""
    comment = _visible_comment(comment_id)
    if not request.user.has_perm("consultation.view_comment", comment):
        return _withheld(request, comment)
    if not request.user.has_perm("consultation.edit_comment", comment):
        return _own_comment_refused(request, comment, "consultation.edit_comment")
    form = CommentEditForm(request.POST or None, initial={"comment": comment.comment})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                comment_services.comment_edit(
                    comment=comment, author=request.user, text=form.cleaned_data["comment"]
                )
            except PermissionDenied:
                return _own_comment_refused(request, comment, "consultation.edit_comment")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your comment has been updated.")
                return redirect(comment_location(comment=comment))
    context = {"comment": comment, "form": form, "edit_minutes": settings.COMMENT_EDIT_MINUTES}
    return render(request, "comments/edit.html", context, status=status)


@login_required
def comment_withdraw(request, comment_id):
    """Withdraw one's own comment: GET asks for confirmation, POST withdraws."""
    comment = _visible_comment(comment_id)
    if not request.user.has_perm("consultation.view_comment", comment):
        return _withheld(request, comment)
    if not request.user.has_perm("consultation.withdraw_comment", comment):
        return _own_comment_refused(request, comment, "consultation.withdraw_comment")
    if request.method == "POST":
        try:
            comment_services.comment_withdraw(comment=comment, author=request.user)
        except PermissionDenied:
            return _own_comment_refused(request, comment, "consultation.withdraw_comment")
        except ValidationError:
            pass  # Withdrawn meanwhile (a second click): the outcome is the same.
        messages.success(request, "Your comment has been withdrawn.")
        return redirect(comment_location(comment=comment))
    return render(request, "comments/withdraw.html", {"comment": comment})


@require_POST
@login_required
def paper_follow_toggle(request, paper_id):
    paper = get_object_or_404(PolicyPaperPage.objects.live(), pk=paper_id)
    if request.POST.get("action") == "unfollow":
        paper_unfollow(paper=paper, user=request.user)
        messages.success(request, f"You will no longer get emails about new comments on “{paper.title}”.")
    else:
        try:
            paper_follow(paper=paper, user=request.user)
        except PermissionDenied:
            messages.error(request, "Confirm your email address before following a paper.")
            return redirect(reverse("profile"))
        messages.success(request, f"You will get an email when someone comments on “{paper.title}”.")
    return redirect(f"{paper.url}#follow")


def paper_unfollow_link(request, token):
    """The unfollow link in every follow email: works without signing in; a
    GET only asks, so link checkers in mail systems cannot unfollow anyone."""
    return _unfollow_link(
        request,
        paper_unfollow_token_load(token),
        model=PolicyPaperPage,
        kind="paper",
        unfollow=paper_unfollow,
    )


def _unfollow_link(request, ids, *, model, kind, unfollow):
    """One unfollow page for papers and sections: a GET asks, a POST unfollows."""
    if ids is None:
        raise Http404("This link is not valid.")
    target = get_object_or_404(model, pk=ids[0])
    user = get_object_or_404(get_user_model(), pk=ids[1])
    done = False
    if request.method == "POST":
        unfollow(**{kind: target, "user": user})
        done = True
    return render(
        request, "consultation/comments/unfollow.html", {"target": target, "kind": kind, "done": done}
    )


def comment_mute(request, key):
    """comments-xtd's mute link, made safe for mail scanners: GET asks, POST mutes."""
    if request.method == "POST":
        return xtd_views.mute(request, key)
    return render(request, "django_comments_xtd/mute_confirm.html", {"key": key})


def moderation_log(request, consultation_id):
    """Every moderation decision in a consultation, newest first, with its public reason."""
    consultation = get_object_or_404(ConsultationPage.objects.live(), pk=consultation_id)
    entries = RecordEntry.objects.filter(consultation=consultation, kind="moderation").order_by("-sequence")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request, "consultation/comments/moderation_log.html", {"consultation": consultation, "entries": page}
    )


@require_POST
@login_required
def section_follow_toggle(request, section_id):
    """Follow or stop following one section: a plain form post, no JavaScript needed."""
    section = get_object_or_404(SectionPage.objects.live(), pk=section_id)
    if request.POST.get("action") == "unfollow":
        section_unfollow(section=section, user=request.user)
        messages.success(request, f"You will no longer get emails about new comments on “{section.title}”.")
    else:
        try:
            section_follow(section=section, user=request.user)
        except PermissionDenied:
            messages.error(request, "Confirm your email address before following a section.")
            return redirect(reverse("profile"))
        messages.success(request, f"You will get an email when someone comments on “{section.title}”.")
    return redirect(f"{section.url}#follow-section")


def section_unfollow_link(request, token):
    """The unfollow link in a section's follow emails: a GET asks, a POST unfollows."""
    return _unfollow_link(
        request,
        section_unfollow_token_load(token),
        model=SectionPage,
        kind="section",
        unfollow=section_unfollow,
    )
