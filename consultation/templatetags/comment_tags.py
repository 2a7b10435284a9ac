"""Template helpers for comments: safe text, the comment form, and why a form is not offered."""

from django import template

from consultation.comments.forms import CommentForm
from consultation.comments.sanitise import render_comment_text
from consultation.comments.services import comment_rule_for
from consultation.explain import explain
from consultation.models import SectionFollow

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
    """Why this person is not offered a comment form: the explainer's `Verdict`
    (templates switch on `.code`, e.g. "sign_in", and show `.message`)."""
    return explain(user, comment_rule_for(target), target)


@register.simple_tag
def is_following_section(section, user):
    """Whether `user` follows `section` (one query, asked on the section's own page only)."""
    if not user.is_authenticated:
        return False
    return SectionFollow.objects.filter(section=section, user=user).exists()
