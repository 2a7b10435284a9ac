"""Template tags for the stage process: sign-off status and stage history.

Each tag calls a selector, so a template include can show its part without
the page's own context having to know about it."""

from django import template

from consultation.models import SectionPage, StageChange
from consultation.signoffs.selectors import consultation_signoff_status, paper_signoff_status

register = template.Library()


@register.simple_tag
def signoff_status_for_consultation(consultation):
    return consultation_signoff_status(consultation=consultation)


@register.simple_tag(takes_context=True)
def signoff_status_for_paper(context, paper):
    """The paper's sign-offs, each statement marked with whether this reader may
    see it: a statement may quote the text it is about, so it is withheld with
    that text (as in the report)."""
    user = context["request"].user
    status = paper_signoff_status(paper=paper)
    status["can_read_paper"] = user.has_perm("consultation.view_body", paper)
    items = [
        item for row in status["rows"] if row["signoff"] for item in row["signoff"].section_positions.all()
    ]
    # The sign-off keys sections as plain pages; the rule needs the section itself (one query).
    sections = SectionPage.objects.filter(pk__in={item.section_id for item in items}).in_bulk()
    readable = {}
    for section_id, section in sections.items():
        section._paper_cache = paper
        readable[section_id] = user.has_perm("consultation.view_body", section)
    for item in items:
        item.statement_readable = readable.get(item.section_id, False)
    return status


@register.simple_tag
def stage_history(consultation):
    return list(StageChange.objects.filter(consultation=consultation).order_by("created_at", "pk"))
