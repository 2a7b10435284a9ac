"""The moderators' queue in the Wagtail admin (registered below; imported by wagtail_hooks.py).

Flagged comments wait here until a moderator hides them or dismisses the
flags; hidden comments can be restored. Every decision needs a reason, which
is published on the page and in the moderation log.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from consultation.comments.forms import ModerationReasonForm
from consultation.comments.services import comment_hide, comment_reports_dismiss, comment_restore
from consultation.models import Comment, CommentReport
from core.converters import ID_PATTERN  # noqa: F401  (registers <id:...>)

ACTIONS = {
    "hide": (comment_hide, "The comment is hidden. Its tombstone and the reason are public."),
    "dismiss": (comment_reports_dismiss, "The flags are dismissed and the comment stays."),
    "restore": (comment_restore, "The comment is shown again."),
}


def _require_moderator(request):
    if not request.user.has_perm("consultation.moderate"):
        raise PermissionDenied("Only moderators can see the moderation queue.")


def _mark_withheld(user, comments):
    """A comment on restricted text is withheld from moderators who may not read
    that text (the page's rule): they decide on its flags without seeing it."""
    for item in comments:
        if item.section_id:
            item.section._paper_cache = item.paper  # already loaded: no query per comment
        item.withheld = not user.has_perm("consultation.view_comment", item)


def queue(request):
    """Comments with open flags (most flagged first), then recently hidden ones."""
    _require_moderator(request)
    open_reports = Q(reports__resolved_at__isnull=True)
    flagged = (
        Comment.objects.select_related("paper", "section")
        .annotate(open_reports=Count("reports", filter=open_reports))
        .filter(open_reports__gt=0)
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=CommentReport.objects.filter(resolved_at__isnull=True).order_by("created_at"),
                to_attr="open_report_list",
            )
        )
        .order_by("-open_reports", "submit_date")
    )
    hidden = list(
        Comment.objects.select_related("paper", "section")
        .filter(hidden_at__isnull=False)
        .order_by("-hidden_at")[:50]
    )
    flagged = list(flagged)
    _mark_withheld(request.user, [*flagged, *hidden])
    return render(
        request,
        "consultation/comments/admin/moderation_queue.html",
        {"flagged": flagged, "hidden": hidden, "page_title": "Comment moderation", "header_icon": "warning"},
    )


def comment(request, comment_id):
    """One comment with its flags, and the decisions open to a moderator."""
    _require_moderator(request)
    item = get_object_or_404(Comment.objects.select_related("paper", "section"), pk=comment_id)
    action = request.POST.get("action") if request.method == "POST" else None
    form = ModerationReasonForm(request.POST if action in ACTIONS else None)
    if action in ACTIONS and form.is_valid():
        service, done = ACTIONS[action]
        try:
            service(comment=item, moderator=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("consultation_moderation:queue")
    _mark_withheld(request.user, [item])
    reports = CommentReport.objects.filter(comment=item).select_related("reporter").order_by("-created_at")
    return render(
        request,
        "consultation/comments/admin/moderation_comment.html",
        {
            "item": item,
            "reports": reports,
            "open_reports": [r for r in reports if r.resolved_at is None],
            "form": form,
            "action": action,
            "page_title": f"Comment {item.pk}",
            "header_icon": "warning",
        },
        status=400 if action and form.errors else 200,
    )


urlpatterns = [
    path("", queue, name="queue"),
    path("comments/<id:comment_id>/", comment, name="comment"),
]


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("consultation.moderate")


@hooks.register("register_admin_urls")
def register_moderation_urls():
    return [
        path(
            "comment-moderation/",
            include((urlpatterns, "consultation_moderation"), namespace="consultation_moderation"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    return ModeratorMenuItem(
        "Comment moderation", reverse("consultation_moderation:queue"), icon_name="warning", order=250
    )
