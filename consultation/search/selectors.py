"""The public search: consultations, papers, section text, comments and proposals.

On Wagtail's search (the database backend: SQLite's full-text search here,
PostgreSQL's in production, chosen by the backend itself). Restricted text is
never in the index (the models' `search_*` methods and `search.services`), and
every hit is asked again, at query time, the rule of the page it belongs to —
so a stale index entry still reveals nothing.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from wagtail.search.backends import get_search_backend

from consultation.models import Comment, ConsultationPage, PolicyPaperPage, Proposal, SectionPage
from consultation.models.pages import Stage

KINDS = {
    "consultation": "Consultations",
    "paper": "Papers",
    "section": "Sections",
    "comment": "Comments",
    "proposal": "Proposals",
}
# Hits read from the index per kind before the rules and filters sift them.
CANDIDATES = 200
MAX_QUERY = 200
EXCERPT = 240


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    excerpt: str
    # Where the hit is: (label, url) from the consultation down.
    trail: list = field(default_factory=list)

    @property
    def kind_label(self):
        return KINDS[self.kind][:-1]


def excerpt(text, query, length=EXCERPT):
    """A stretch of `text` around the first word of `query` it contains."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= length:
        return text
    words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 2] or [query.lower()]
    lower = text.lower()
    found = min((i for i in (lower.find(w) for w in words) if i >= 0), default=0)
    start = max(0, found - length // 3)
    end = min(len(text), start + length)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _consultations(consultation_id, stage):
    found = ConsultationPage.objects.live().public()
    if consultation_id:
        found = found.filter(pk=consultation_id)
    if stage:
        found = found.filter(current_stage=stage)
    return {c.pk: c for c in found}


def _paper_of(page, papers):
    paper = papers.get(page.path[: page.steplen * (page.depth - 1)])
    if paper is not None:
        page._paper_cache = paper
    return paper


def _trail(consultation, paper=None, section=None):
    trail = [(consultation.title, consultation.url)]
    if paper is not None:
        trail.append((paper.title, paper.url))
    if section is not None:
        trail.append((section.title, section.get_permalink()))
    return trail


def search(*, user, query, consultation_id=None, stage=None, kind=None, per_kind=20):
    """Hits for `query` that `user` may read, in the index's order of relevance, grouped by kind.

    Returns {kind: [Hit, …]} for the kinds asked for (all of KINDS when `kind` is None)."""
    query = (query or "").strip()[:MAX_QUERY]
    kinds = [kind] if kind in KINDS else list(KINDS)
    results = {k: [] for k in kinds}
    if not query:
        return results
    consultations = _consultations(consultation_id, stage)
    if not consultations:
        return results
    by_path = {c.path: c for c in consultations.values()}
    papers = {
        p.path: p
        for p in PolicyPaperPage.objects.live()
        .public()
        .filter(Q(*[Q(path__startswith=path) for path in by_path], _connector=Q.OR))
    }
    for paper in papers.values():
        paper._consultation_cache = by_path.get(paper.path[: paper.steplen * (paper.depth - 1)])
    readable_papers = {p.pk: p for p in papers.values() if user.has_perm("consultation.view_body", p)}

    def keep(items, limit=per_kind):
        return items[:limit]

    if "consultation" in results:
        hits = ConsultationPage.objects.live().public().filter(pk__in=list(consultations)).search(query)
        results["consultation"] = keep(
            [
                Hit("consultation", c.title, c.url, excerpt(_text(c.summary), query), [])
                for c in hits[:CANDIDATES]
            ]
        )
    if "paper" in results:
        hits = PolicyPaperPage.objects.live().public().filter(pk__in=list(readable_papers)).search(query)
        results["paper"] = keep(
            [
                Hit("paper", p.title, p.url, excerpt(p.search_summary(), query), _trail(p.consultation))
                for p in hits[:CANDIDATES]
                if p.pk in readable_papers
            ]
        )
    if "section" in results:
        hits = SectionPage.objects.live().public().search(query)
        found = []
        for section in hits[:CANDIDATES]:
            paper = _paper_of(section, papers)
            if paper is None or paper.pk not in readable_papers:
                continue
            if not user.has_perm("consultation.view_body", section):
                continue
            found.append(
                Hit(
                    "section",
                    section.title,
                    section.get_permalink(),
                    excerpt(section.search_body(), query),
                    _trail(paper.consultation, paper),
                )
            )
        results["section"] = keep(found)
    if "comment" in results:
        results["comment"] = keep(_comment_hits(user, query, readable_papers))
    if "proposal" in results:
        results["proposal"] = keep(_proposal_hits(user, query, readable_papers))
    return results


def _text(html):
    return re.sub(r"<[^>]+>", " ", str(html or ""))


def _comment_hits(user, query, papers):
    hits = get_search_backend().search(
        query,
        Comment.objects.select_related(None).filter(
            paper__in=list(papers), hidden_at__isnull=True, is_public=True, is_removed=False
        ),
    )
    comments = list(hits[:CANDIDATES])
    sections = SectionPage.objects.in_bulk({c.section_id for c in comments if c.section_id})
    found = []
    for comment in comments:
        paper = papers[comment.paper_id]
        section = sections.get(comment.section_id)
        comment._state.fields_cache["paper"] = paper
        if section is not None:
            section._paper_cache = paper
            comment._state.fields_cache["section"] = section
        if not user.has_perm("consultation.view_comment", comment):
            continue
        title = f"Comment by {comment.author_name}"
        if comment.organisation_name:
            title += f" ({comment.organisation_name})"
        found.append(
            Hit(
                "comment",
                title,
                f"/consultation/comments/{comment.pk}/",
                excerpt(comment.comment, query),
                _trail(paper.consultation, paper, section),
            )
        )
    return found


def _proposal_hits(user, query, papers):
    hits = get_search_backend().search(query, Proposal.objects.filter(paper__in=list(papers)))
    proposals = list(hits[:CANDIDATES])
    sections = SectionPage.objects.in_bulk({p.section_id for p in proposals})
    found = []
    for proposal in proposals:
        paper = papers[proposal.paper_id]
        section = sections.get(proposal.section_id)
        if section is None:
            continue
        section._paper_cache = paper
        proposal._state.fields_cache["paper"] = paper
        proposal._state.fields_cache["section"] = section
        if not user.has_perm("consultation.view_proposal", proposal):
            continue
        found.append(
            Hit(
                "proposal",
                f"Proposal by {proposal.author_name} ({proposal.get_state_display().lower()})",
                proposal.get_absolute_url(),
                excerpt(f"{proposal.text} {proposal.rationale}", query),
                _trail(paper.consultation, paper, section),
            )
        )
    return found


def search_filters():
    """The choices of the search form's filters."""
    return {
        "consultations": list(
            ConsultationPage.objects.live().public().order_by("title").values_list("pk", "title")
        ),
        "stages": Stage.choices,
        "kinds": list(KINDS.items()),
    }
