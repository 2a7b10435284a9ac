"""What the consultation, paper and section pages show, each in a fixed number of queries.

The top of the feature order: it brings together the comments and permissions
of the features below it for the Wagtail pages' `get_context`."""

from consultation.comments.selectors import paper_comments, section_comments
from consultation.models import ConsultationPage, PolicyPaperPage, SectionPage
from consultation.models.pages import paper_section_outlines, paper_sections_for
from consultation.pages.cache import scoped_tallies, section_fragment_keys, store_section_facts
from consultation.participation.services import voice_of
from consultation.stages.selectors import stage_timeline
from consultation.versions.selectors import wording_marks


def consultations_live():
    return ConsultationPage.objects.live().public().order_by("-first_published_at")


# What a reader can do now, in the order the home page lists it. Drafting is last and
# never called open: nobody outside the policy team can take part yet.
READER_GROUPS = [
    ("comment", "Open for comment by working groups", ("review", "signoff")),
    ("scrutiny", "In public scrutiny: anyone can comment", ("scrutiny",)),
    ("finished", "Finished", ("final",)),
    ("drafting", "Being drafted: not open yet", ("drafting",)),
]


def consultations_by_what_readers_can_do():
    """Live consultations grouped by what a reader can do now, each with its current stage's
    dates (`current_dates`); in tree order within a group, so editors choose which comes first.
    Groups with no consultation are left out."""
    consultations = list(consultations_live().order_by("path").prefetch_related("stage_dates"))
    for consultation in consultations:
        consultation.current_dates = next(
            (row for row in consultation.stage_dates.all() if row.stage == consultation.current_stage), None
        )
    groups = []
    for key, heading, stages in READER_GROUPS:
        members = [c for c in consultations if c.current_stage in stages]
        if members:
            groups.append({"key": key, "heading": heading, "consultations": members})
    return groups


def consultation_detail(*, consultation):
    return {
        "timeline": stage_timeline(consultation=consultation),
        "papers": PolicyPaperPage.objects.live().child_of(consultation).order_by("path"),
    }


def paper_detail(*, paper, user):
    # Sections whose shared rendering is stored (anonymous readers) are not read again: they
    # stay outlines (plain values), and only the others (`section.fragment` None) are loaded
    # as pages and get their comments, marks and permissions.
    outlines = paper_section_outlines(paper=paper)
    shared_keys = section_fragment_keys(paper=paper, sections=outlines, user=user)
    sections = paper_sections_for(paper=paper, outlines=outlines, whole=lambda s: s.fragment is None)
    rendered = [section for section in sections if section.fragment is None]
    for section in rendered:
        section.can_read_body = user.has_perm("consultation.view_body", section)
    wording_marks(paper=paper, sections=rendered, user=user)
    # Anonymous readers: what stored sections show is not read again (pages/cache.py).
    scoped = shared_keys["signoffs"] is not None
    tallies, read = scoped_tallies(paper=paper, sections=sections) if scoped else (None, None)
    stored_counts = {
        section.pk: section.facts["comments"] for section in sections if section.fragment is not None
    }
    comments = paper_comments(
        paper=paper,
        sections=sections,
        rendered=rendered,
        user=user,
        stored_counts=stored_counts,
        paper_own=shared_keys["comments_html"] is None,
    )
    if scoped:
        store_section_facts(sections=rendered, seen_by_section=tallies.seen_by_section)
    last_updated = max(
        filter(None, [paper.last_published_at, *(s.last_published_at for s in sections)]),
        default=None,
    )
    return {
        "consultation": paper.consultation,
        "sections": sections,
        "can_read_paper": user.has_perm("consultation.view_body", paper),
        "last_updated": last_updated,
        "voice": voice_of(user=user, consultation=paper.consultation),
        "shared_keys": shared_keys,
        "paper_tallies": (paper.pk, tallies, read) if scoped else None,
        **comments,
    }


def section_detail(*, section, user, page_number=1):
    paper = section.paper
    siblings = list(
        SectionPage.objects.live().child_of(paper).order_by("path").only("id", "title", "url_path")
    )
    ids = [s.pk for s in siblings]
    index = ids.index(section.pk) if section.pk in ids else 0
    section.number = index + 1
    section._paper_cache = paper
    wording_marks(paper=paper, sections=[section], user=user)
    return {
        "paper": paper,
        "consultation": paper.consultation,
        "can_read_body": user.has_perm("consultation.view_body", section),
        "previous_section": siblings[index - 1] if index > 0 else None,
        "next_section": siblings[index + 1] if index + 1 < len(siblings) else None,
        "section_count": len(siblings),
        **section_comments(section=section, user=user, page_number=page_number),
    }


# What each Wagtail page adds to its template context (named by the page
# models' `context_selector`, see consultation/models/routes.py).


def index_context(*, page, user, query):
    return {"consultations": consultations_live()}


def consultation_context(*, page, user, query):
    return consultation_detail(consultation=page)


def paper_context(*, page, user, query):
    return paper_detail(paper=page, user=user)


def section_context(*, page, user, query):
    return section_detail(section=page, user=user, page_number=query.get("page", 1))
