"""Template helpers for comments: safe text, the comment form, and why a form is not offered."""

from django import template

from consultation.comments.forms import CommentForm
from consultation.comments.sanitise import render_comment_text
from consultation.models.pages import Stage

register = template.Library()


@register.filter
def comment_html(text):
    """A comment's text as safe HTML: paragraphs, line breaks and links only."""
    return render_comment_text(text)


@register.simple_tag
def comment_form_for(target, user, parent=None):
    """A fresh comment form for a section or paper (a reply form if `parent`)."""
    return CommentForm(target, user=user, parent=parent)


@register.simple_tag
def commenting_closed_reason(target, user):
    """Why this person is not offered a comment form, in plain words.

    The decision itself is the named rule's; this only explains it."""
    stage = target.consultation.current_stage
    if getattr(target, "comments_closed_reason", ""):
        return target.comments_closed_reason
    if getattr(target, "restricted", False) or getattr(getattr(target, "paper", None), "restricted", False):
        return "Comments are closed while this text is restricted."
    if stage == Stage.DRAFTING:
        return "Comments open when the working-group review begins."
    if stage == Stage.FINAL:
        return "Comments are closed: this consultation is final."
    if stage in (Stage.REVIEW, Stage.SIGNOFF):
        return (
            f"During {Stage(stage).label.lower()} only members of the invited working groups can comment. "
            "Everyone can read the discussion; public comments open at the public scrutiny stage."
        )
    if not user.is_authenticated:
        return "sign-in"
    if not getattr(user, "email_verified", False):
        return "verify-email"
    return "Comments are not open to you on this page."
