"""Reads. Each function returns what a page needs in a fixed number of queries."""

from .models import ConsultationPage, PolicyPaperPage, SectionPage
from .models.pages import Stage


def consultations_live():
    return ConsultationPage.objects.live().public().order_by("-first_published_at")


def stage_timeline(*, consultation):
    """Every stage in order, with its published dates and where the process is now."""
    dates = {row.stage: row for row in consultation.stage_dates.all()}
    stages = list(Stage)
    current_index = stages.index(consultation.stage)
    return [
        {
            "key": stage.value,
            "label": stage.label,
            "starts_on": getattr(dates.get(stage.value), "starts_on", None),
            "ends_on": getattr(dates.get(stage.value), "ends_on", None),
            "is_current": index == current_index,
            "is_past": index < current_index,
        }
        for index, stage in enumerate(stages)
    ]


def consultation_detail(*, consultation):
    return {
        "timeline": stage_timeline(consultation=consultation),
        "papers": PolicyPaperPage.objects.live().child_of(consultation).order_by("path"),
    }


def paper_sections(*, paper):
    """The paper's live sections in order, numbered, each knowing its paper."""
    sections = list(SectionPage.objects.live().child_of(paper).order_by("path"))
    for number, section in enumerate(sections, start=1):
        section.number = number
        section._paper_cache = paper
    return sections


def paper_detail(*, paper, user):
    sections = paper_sections(paper=paper)
    for section in sections:
        section.can_read_body = user.has_perm("consultation.view_body", section)
    last_updated = max(
        filter(None, [paper.last_published_at, *(s.last_published_at for s in sections)]),
        default=None,
    )
    return {
        "consultation": paper.consultation,
        "sections": sections,
        "can_read_paper": user.has_perm("consultation.view_body", paper),
        "last_updated": last_updated,
    }


def section_detail(*, section, user):
    paper = section.paper
    siblings = list(
        SectionPage.objects.live().child_of(paper).order_by("path").only("id", "title", "url_path")
    )
    ids = [s.pk for s in siblings]
    index = ids.index(section.pk) if section.pk in ids else 0
    section.number = index + 1
    return {
        "paper": paper,
        "consultation": paper.consultation,
        "can_read_body": user.has_perm("consultation.view_body", section),
        "previous_section": siblings[index - 1] if index > 0 else None,
        "next_section": siblings[index + 1] if index + 1 < len(siblings) else None,
    }
