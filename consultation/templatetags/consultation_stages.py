"""Template tags for the stage process: sign-off status and stage history.

Each tag calls a selector, so a template include can show its part without
the page's own context having to know about it."""

from django import template

from consultation.models import StageChange
from consultation.signoffs.selectors import consultation_signoff_status, paper_signoff_status

register = template.Library()


@register.simple_tag
def signoff_status_for_consultation(consultation):
    return consultation_signoff_status(consultation=consultation)


@register.simple_tag
def signoff_status_for_paper(paper):
    return paper_signoff_status(paper=paper)


@register.simple_tag
def stage_history(consultation):
    return list(StageChange.objects.filter(consultation=consultation).order_by("created_at", "pk"))
