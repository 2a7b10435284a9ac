"""Reads for named versions, diffs and a section's history.

Every function here returns what one public page needs in a fixed number of
queries, whatever the number of versions, sections or responses. What may be
shown of a version's text is decided by the rule `consultation.view_version_text`
(the same for everyone: these are public outputs).
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.http import Http404
from django.utils.functional import cached_property
from wagtail.rich_text import expand_db_html

from consultation.models import PaperVersion, RecordEntry, Response, SectionPage, SectionVersion
from consultation.models.pages import wording_hash
from consultation.reactions.selectors import reaction_tallies
from consultation.versions.diff import Status, html_to_text, paper_diff, word_diff

PUBLIC = AnonymousUser()

# The current published text, compared as if it were a version.
CURRENT = "current"


def text_is_public(snapshot):
    return PUBLIC.has_perm("consultation.view_version_text", snapshot)


def render_section_body(section):
    """A section's body as HTML, block by block, as the section page shows it."""
    return section.render_body()


def paper_snapshot(*, paper):
    """The paper's current published text as an unsaved version and its sections.

    Used to publish a version and to compare a version with the current text.
    Only live sections count: a draft section is not yet part of the paper.
    """
    version = PaperVersion(
        paper=paper,
        title=paper.title,
        summary_html=expand_db_html(paper.summary or ""),
        restricted=paper.restricted,
        restriction_category=paper.restriction_category if paper.restricted else "",
        restriction_reason=paper.restriction_reason if paper.restricted else "",
    )
    snapshots = []
    sections = SectionPage.objects.live().child_of(paper).order_by("path")
    for position, section in enumerate(sections, start=1):
        section._paper_cache = paper
        body_html = render_section_body(section)
        snapshots.append(
            SectionVersion(
                version=version,
                section=section,
                position=position,
                heading=section.title,
                body_html=body_html,
                body_text=html_to_text(body_html),
                wording_hash=wording_hash(body_html),
                restricted=section.restricted,
                restriction_category=section.restriction_category if section.restricted else "",
                restriction_reason=section.restriction_reason if section.restricted else "",
            )
        )
    return version, snapshots


def _fingerprint(version, snapshots):
    return (
        version.title,
        version.summary_html,
        version.restricted,
        version.restriction_reason,
        [
            (s.section_id, s.position, s.heading, s.body_html, s.restricted, s.restriction_reason)
            for s in snapshots
        ],
    )


def snapshot_matches(version_a, sections_a, version_b, sections_b):
    """Whether two snapshots hold the same text, headings, order and restrictions."""
    return _fingerprint(version_a, sections_a) == _fingerprint(version_b, sections_b)


# ---------------------------------------------------------------- loading versions


def attach_live_sections(paper, snapshots):
    """Give each snapshot its live section (or None if the page is gone) in one query,
    so the text rule can look at today's restriction without a query per section."""
    ids = {s.section_id for s in snapshots}
    live = {p.pk: p for p in SectionPage.objects.filter(pk__in=ids)}
    for snapshot in snapshots:
        page = live.get(snapshot.section_id)
        if page is not None:
            page._paper_cache = paper
        snapshot._state.fields_cache["section"] = page
        snapshot.text_public = text_is_public(snapshot)


def paper_versions(*, paper):
    """Every published version of the paper, oldest first, with its section count."""
    return list(
        PaperVersion.objects.filter(paper=paper)
        .annotate(section_count=Count("sections"))
        .select_related(None)
        .order_by("number")
    )


def version_get(*, paper, number):
    try:
        version = PaperVersion.objects.get(paper=paper, number=number)
    except PaperVersion.DoesNotExist as missing:
        raise Http404(f"There is no version {number} of this paper.") from missing
    version.paper = paper
    return version


def version_sections(*, version):
    """The version's sections in order, each marked `text_public`."""
    snapshots = list(SectionVersion.objects.filter(version=version).order_by("position"))
    for snapshot in snapshots:
        snapshot.version = version
    attach_live_sections(version.paper, snapshots)
    return snapshots


def current_text(*, paper):
    """The current published text as a pseudo-version labelled “current text”."""
    version, snapshots = paper_snapshot(paper=paper)
    version.label = "the current text"
    version.number = None
    for snapshot in snapshots:
        snapshot.text_public = text_is_public(snapshot)
    return version, snapshots


@dataclass
class VersionView:
    """One side of a comparison: a published version or the current text."""

    version: PaperVersion
    sections: list
    is_current: bool = False

    @property
    def label(self):
        return self.version.label

    @cached_property
    def summary_public(self):
        return PUBLIC.has_perm("consultation.view_version_text", self.version)


def version_view(*, paper, number):
    if number == CURRENT:
        version, sections = current_text(paper=paper)
        return VersionView(version=version, sections=sections, is_current=True)
    version = version_get(paper=paper, number=number)
    return VersionView(version=version, sections=version_sections(version=version))


def version_detail(*, paper, number):
    """A published version to read in full, where it stands among the others, and its tallies."""
    version = version_get(paper=paper, number=number)
    sections = version_sections(version=version)
    latest_number = (
        PaperVersion.objects.filter(paper=paper).order_by("-number").values_list("number", flat=True).first()
    )
    is_latest = version.number == latest_number
    return {
        "version": version,
        "version_sections": sections,
        "summary_public": PUBLIC.has_perm("consultation.view_version_text", version),
        "is_latest": is_latest,
        "latest_number": latest_number,
        **version_tallies(paper=paper, version=version, sections=sections, is_latest=is_latest),
    }


def version_tallies(*, paper, version, sections, is_latest):
    """Each section's reactions to this version's wording (one query).

    The latest version's tallies are live. An earlier version's are final:
    they were kept in the record entry of the version that replaced it."""
    if paper.restricted:
        return {"tallies_final": False, "tallies_entry": None}
    entry = None
    if is_latest:
        public_ids = [s.section_id for s in sections if s.text_public]
        tallies = reaction_tallies(paper_id=paper.pk, section_ids=public_ids, version_label=version.label)
        by_section = {str(pk): tallies[f"section:{pk}"] for pk in public_ids}
    else:
        entry = (
            RecordEntry.objects.filter(
                kind="version_published", data__paper=paper.pk, data__version=version.number + 1
            )
            .only("sequence", "data")
            .first()
        )
        closing = (entry.data.get("closing_tallies") or {}) if entry is not None else {}
        by_section = closing.get("sections") or {}
    for snapshot in sections:
        tally = by_section.get(str(snapshot.section_id)) if snapshot.text_public else None
        snapshot.tally = tally["counts"] if tally else None
    return {"tallies_final": not is_latest, "tallies_entry": entry}


def version_section_detail(*, paper, number, section_id):
    version = version_get(paper=paper, number=number)
    snapshot = SectionVersion.objects.filter(version=version, section_id=section_id).first()
    if snapshot is None:
        raise Http404(f"Section {section_id} is not in {version.label}.")
    snapshot.version = version
    attach_live_sections(paper, [snapshot])
    live = snapshot._state.fields_cache.get("section")
    responses_public = feedback_is_public(paper=paper, live_section=live)
    return {
        "version": version,
        "snapshot": snapshot,
        "live_section": live if live is not None and live.live else None,
        "responses_withheld": not responses_public,
        "responses": list(
            Response.objects.filter(section_id=section_id, changed_in=version)
            .select_related("comment")
            .order_by("created_at", "pk")
        )
        if responses_public
        else [],
    }


def feedback_is_public(*, paper, live_section):
    """Whether the feedback on a section, and the responses to it, may be shown publicly.

    Comments are withheld with a restricted text (they may quote it), and so are
    the responses to them: the same rule as the section's text, today."""
    if live_section is None:
        return not paper.restricted
    live_section._paper_cache = paper
    return PUBLIC.has_perm("consultation.view_body", live_section)


# ---------------------------------------------------------------- comparing


def compare(*, paper, old, new, section_id=None):
    """The differences between two versions (numbers, or CURRENT for the current text).

    With `section_id`, only that section is compared.
    """
    old_view = version_view(paper=paper, number=old)
    new_view = version_view(paper=paper, number=new)
    old_sections, new_sections = old_view.sections, new_view.sections
    if section_id is not None:
        old_sections = [s for s in old_sections if s.section_id == section_id]
        new_sections = [s for s in new_sections if s.section_id == section_id]
        if not old_sections and not new_sections:
            raise Http404("That section is in neither version.")
    diff = paper_diff(old_sections, new_sections, is_public=lambda s: s.text_public)
    summary = None
    if section_id is None and old_view.summary_public and new_view.summary_public:
        summary = word_diff(
            html_to_text(old_view.version.summary_html), html_to_text(new_view.version.summary_html)
        )
    return {
        "old": old_view,
        "new": new_view,
        "title_diff": word_diff(old_view.version.title, new_view.version.title),
        "summary_diff": summary,
        "diff": diff,
        "section_id": section_id,
        "statuses": Status,
    }


def current_matches_version(*, version, current):
    """Whether the current text (a VersionView) is exactly `version`: nothing edited since."""
    sections = list(SectionVersion.objects.filter(version=version).order_by("position"))
    return snapshot_matches(version, sections, current.version, current.sections)


# ---------------------------------------------------------------- a section's history


def section_history(*, paper, section_id):
    """Every version of one section, what changed in each, and the responses to its feedback."""
    snapshots = list(
        SectionVersion.objects.filter(version__paper=paper, section_id=section_id)
        .select_related("version")
        .order_by("version__number")
    )
    live = SectionPage.objects.filter(pk=section_id).child_of(paper).first()
    if not snapshots and live is None:
        raise Http404("No such section in this paper.")
    for snapshot in snapshots:
        snapshot.version.paper = paper
    attach_live_sections(paper, snapshots)
    entries = []
    previous = None
    for snapshot in snapshots:
        diff = paper_diff(
            [previous] if previous is not None else [],
            [snapshot],
            is_public=lambda s: s.text_public,
        )
        entries.append({"snapshot": snapshot, "change": diff.changes[0], "previous": previous})
        previous = snapshot
    responses_public = feedback_is_public(paper=paper, live_section=live)
    responses = []
    if responses_public:
        responses = list(
            Response.objects.filter(paper=paper, section_id=section_id)
            .select_related("changed_in", "comment__section", "comment__paper")
            .order_by("created_at", "pk")
        )
    heading = live.title if live is not None else snapshots[-1].heading
    return {
        "section_id": section_id,
        "heading": heading,
        "live_section": live if live is not None and live.live else None,
        "entries": entries,
        "responses": responses,
        "responses_withheld": not responses_public,
    }


# ---------------------------------------------------------------- the live text against its label


def wording_marks(*, paper, sections, user):
    """Mark each live section whose text is not the text of the version the
    paper is labelled with (one query).

    Edits published in Wagtail after vN go live at once (editors fix typos and
    links without a new version), so the page never shows them silently under
    the vN label: each such section gets `wording_mark` = {"status": "changed"
    or "new", "label", "number", "diff"}; `diff` (a word diff against vN) is
    given only where this person may read both texts. Reactions and comments
    are tied to the exact wording shown (its fingerprint), not to the label.
    Before any version is published, nothing is marked."""
    if not sections:
        return sections
    for section in sections:
        section.wording_mark = None
    rows = SectionVersion.objects.filter(
        version__paper=paper, version__label=paper.version_label
    ).values_list(
        "section_id",
        "wording_hash",
        "body_text",
        "restricted",
        "version__number",
        "heading",
        "version__restricted",
    )
    published = {row[0]: row[1:] for row in rows}
    if not published:
        return sections
    number = next(iter(published.values()))[3]
    for section in sections:
        entry = published.get(section.pk)
        mark = {"label": paper.version_label, "number": number, "diff": None}
        if entry is None:
            section.wording_mark = {**mark, "status": "new"}
            continue
        fingerprint, text, restricted, _, heading, version_restricted = entry
        if fingerprint == section.wording_hash and heading == section.title:
            continue
        # The diff shows vN's text: withheld as `consultation.view_version_text`
        # withholds it (restricted then or now, for everyone, editors included).
        withheld = restricted or version_restricted or paper.restricted or section.restricted
        readable = not withheld and user.has_perm("consultation.view_body", section)
        diff = None
        if readable and fingerprint != section.wording_hash:
            diff = word_diff(text, html_to_text(section.render_body()))
        section.wording_mark = {
            **mark,
            "status": "changed",
            "diff": diff,
            "old_heading": heading if heading != section.title else None,
        }
    return sections
