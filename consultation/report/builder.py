"""Build the consensus report's snapshot: everything every output shows, read once.

`report_build(paper=..., version=...)` returns a `ReportSnapshot`, a plain dict
of JSON types (the schema is in docs/report.md). HTML, PDF, CSV and JSON are
all rendered from it, and a frozen report stores it, so every output says the
same thing.

The number of queries does not depend on the number of sections, reactions or
comments: tallies come from the reactions' one aggregate query
(`consultation.reactions.selectors.reaction_tallies`, the same numbers the paper page
shows live), and every other read is one query for the whole paper.

The snapshot is what the public may see. A restricted section keeps its
heading, its restriction reason and its numbers; no text written about it
(comments, responses, sign-off statements, proposals) is included, because
such text may quote what is withheld.
"""

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from consultation.consensus.selectors import (
    add_statistics,
    counts_of,
    group_counts,
    report_settings,
    statistic_groups,
)
from consultation.consensus.statistics import Classification, group_support, support_percent
from consultation.models import Comment, PaperVersion, Response, SectionVersion
from consultation.models.pages import paper_sections
from consultation.models.proposals import proposal_content_type_id
from consultation.models.reactions import ReactionChoice, TargetKind
from consultation.models.reports import ReportSnapshot
from consultation.proposals.selectors import report_proposals
from consultation.reactions.selectors import counted_section_reactions, empty_tally, reaction_tallies
from consultation.versions.diff import Status, paper_diff
from consultation.versions.selectors import attach_live_sections
from workinggroups.selectors import signoffs_current

SCHEMA = "open-policy/consensus-report"
# 2: the statistic by group sizes, quorums and positions (no intervals); see docs/report.md.
SCHEMA_VERSION = 2
# A comment quoted in the report is cut at this many characters; the link leads to the whole.
COMMENT_EXCERPT_CHARS = 600


def report_build(*, paper, version=None):
    """The report for `paper` at `version` (a PaperVersion), or at its current text when None.

    Reads only; a constant number of queries whatever the size of the paper.
    """
    config = report_settings()
    consultation = paper.consultation
    label = version.label if version is not None else paper.version_label
    paper_url = paper.get_url() or ""
    sections = _sections(paper=paper, version=version, paper_url=paper_url)
    section_ids = [s["id"] for s in sections]

    # The same selector, and so the same numbers, as the live tallies on the paper page.
    tallies = reaction_tallies(paper_id=paper.pk, section_ids=section_ids, version_label=label)
    groups = statistic_groups(consultation=consultation, tallies=tallies, config=config)

    comments = _top_comments(
        paper=paper, label=label, tallies=tallies, sections=sections, groups=groups, config=config
    )
    responses = _responses(paper=paper)
    signoffs, section_positions = _signoffs(paper=paper, label=label)
    changes, section_changes = _changes(paper=paper, label=label, sections=sections, paper_url=paper_url)
    proposals = _proposals(paper=paper, label=label, tallies=tallies, groups=groups, config=config)

    for section in sections:
        tally = tallies.get(f"section:{section['id']}") or empty_tally(f"section:{section['id']}")
        add_statistics(section, tally=tally, groups=groups, config=config)
        withheld = section["restricted"]
        section["text_withheld"] = withheld
        section["comments"] = (
            {"agree": [], "disagree": []}
            if withheld
            else comments.get(section["id"], {"agree": [], "disagree": []})
        )
        section["proposals"] = [] if withheld else proposals.get(section["id"], [])
        section["responses"] = [] if withheld else responses.get(section["id"], [])
        section["sign_offs"] = [
            {**position, "statement": "" if withheld else position["statement"]}
            for position in section_positions.get(section["id"], [])
        ]
        section["changes"] = section_changes.get(section["id"])

    snapshot = ReportSnapshot(
        schema=SCHEMA,
        schema_version=SCHEMA_VERSION,
        generated_at=timezone.now().isoformat(timespec="seconds"),
        paper=_paper(paper, label=label, paper_url=paper_url),
        consultation={
            "id": consultation.pk,
            "title": consultation.title,
            "url": consultation.get_url() or "",
            "stage": consultation.current_stage,
            "stage_label": consultation.get_current_stage_display(),
        },
        version=_version(paper=paper, label=label, version=version, changes=changes),
        method=_method(config),
        groups=[{k: g[k] for k in ("key", "id", "name", "kind", "size", "in_verdict")} for g in groups],
        sections=sections,
        sign_offs=signoffs,
        changes=changes,
    )
    snapshot["participation"] = _participation(
        paper=paper, label=label, sections=sections, groups=groups, signoffs=signoffs
    )
    snapshot["summary"] = _summary(sections)
    return snapshot


# ---------------------------------------------------------------- sections


def _restriction(obj):
    if not obj.restricted:
        return None
    review_on = obj.restriction_review_on if hasattr(obj, "restriction_review_on") else None
    return {
        "category": obj.restriction_category,
        "category_label": obj.get_restriction_category_display(),
        "reason": obj.restriction_reason,
        "review_on": review_on.isoformat() if review_on else None,
    }


def _sections(*, paper, version, paper_url):
    """The sections in order: the live pages, or the sections as a published version froze them.

    The restriction always comes from the live page when there is one: a
    section restricted since a version was published stays withheld."""
    live = paper_sections(paper=paper)
    paper_restricted = paper.restricted
    rows = []
    if version is None:
        for section in live:
            restricted = paper_restricted or section.restricted
            rows.append(
                _section_row(
                    section_id=section.pk,
                    number=section.number,
                    title=section.title,
                    url=f"{paper_url}{section.slug}/" if paper_url else "",
                    restricted=restricted,
                    restriction=_restriction(section) or (_restriction(paper) if paper_restricted else None),
                )
            )
        return rows
    live_by_id = {s.pk: s for s in live}
    for snap in version.sections.order_by("position"):
        page = live_by_id.get(snap.section_id)
        source = page if page is not None else snap
        restricted = paper_restricted or source.restricted or snap.restricted
        restriction = (
            _restriction(source) or _restriction(snap) or (_restriction(paper) if paper_restricted else None)
        )
        rows.append(
            _section_row(
                section_id=snap.section_id,
                number=snap.position,
                title=snap.heading,
                url=f"{paper_url}{page.slug}/" if page is not None and paper_url else "",
                restricted=restricted,
                restriction=restriction,
            )
        )
    return rows


def _section_row(*, section_id, number, title, url, restricted, restriction):
    return {
        "id": section_id,
        "number": number,
        "title": title,
        "anchor": f"report-section-{section_id}",
        "url": url,
        "permalink": _permalink(section_id),
        "restricted": restricted,
        "restriction": restriction,
    }


def _paper(paper, *, label, paper_url):
    return {
        "id": paper.pk,
        "title": paper.title,
        "url": paper_url,
        "version_label": label,
        "status": paper.status,
        "status_label": paper.get_status_display(),
        "restricted": paper.restricted,
        "restriction": _restriction(paper),
    }


def _method(config):
    stat = config.statistic
    return {
        "threshold_percent": stat.threshold,
        "quorum": f"{stat.quorum.numerator}/{stat.quorum.denominator}",
        "quorum_percent": support_percent(stat.quorum),
        "public_min_reactions": stat.public_min_reactions,
        "public_in_verdict": False,
        "top_comments": config.top_comments,
    }


# ---------------------------------------------------------------- comments


def _visible_comments(paper):
    return Comment.objects.filter(
        paper=paper, section__isnull=False, is_public=True, is_removed=False, hidden_at__isnull=True
    )


def _comment_support(tally, groups):
    """A comment's support across the invited working groups, as the section's
    (`group_support`: each group's (agree − disagree) ÷ its size, averaged), so
    that one big group's favourites do not crowd out the others'."""
    tally = tally or {"by_group": {}}
    counts = [
        group_counts(g, counts_of(tally["by_group"].get(str(g["id"])))) for g in groups if g["in_verdict"]
    ]
    return group_support(counts)


def _top_comments(*, paper, label, tallies, sections, groups, config):
    """The most-agreed comments on each side of every section.

    A comment's side is its author's own reaction to the section: comments by
    people who agreed with the section, and by people who disagreed. Within a
    side, comments rank by support across the working groups (the same
    group-aware support proposals are ranked by), then by agree reactions,
    then fewest disagree reactions, then the earliest. Two queries: the sides
    of all comments (ids only), then the text of the few shown."""
    # Comments on every version, each labelled with its version. The author's
    # reaction to the section *wording the comment was made on*, joined through
    # the author (one join: the conditions sit in one filter() call). At most
    # one row per comment, as a person has one reaction per section wording.
    sides = (
        _visible_comments(paper)
        # Discussion of a competing proposal is not a comment on the section's text.
        .exclude(content_type_id=proposal_content_type_id())
        .filter(
            # Made before fingerprints were kept, a reaction is matched by version.
            Q(user__reactions__text_hash="", user__reactions__paper_version=F("version_label"))
            | (~Q(text_hash="") & Q(user__reactions__text_hash=F("text_hash"))),
            user__reactions__target_kind=TargetKind.SECTION,
            user__reactions__target_id=F("section_id"),
            user__reactions__choice__in=[ReactionChoice.AGREE, ReactionChoice.DISAGREE],
        )
        .order_by()  # comments-xtd's default thread ordering would sort every row for nothing
        .values_list("pk", "section_id", "user__reactions__choice")
    )
    wanted = {s["id"] for s in sections if not s["restricted"]}
    ranked = {}
    seen = set()
    for pk, section_id, side in sides:
        if section_id not in wanted or pk in seen:
            continue
        seen.add(pk)
        tally = tallies.get(f"comment:{pk}")
        counts = (tally or {}).get("counts", {})
        support = _comment_support(tally, groups) or 0
        key = (-support, -counts.get(ReactionChoice.AGREE, 0), counts.get(ReactionChoice.DISAGREE, 0), pk)
        ranked.setdefault(section_id, {}).setdefault(side, []).append(key)
    chosen = {}
    for section_id, by_side in ranked.items():
        for side, keys in by_side.items():
            chosen[(section_id, side)] = [key[-1] for key in sorted(keys)[: config.top_comments]]
    ids = [pk for pks in chosen.values() for pk in pks]
    details = {
        c.pk: c
        for c in Comment.objects.filter(pk__in=ids)
        .select_related(None)
        .only(
            "pk",
            "comment",
            "author_name",
            "organisation_name",
            "working_group_name",
            "submit_date",
            "section_id",
            "version_label",
        )
    }
    result = {}
    for (section_id, side), pks in chosen.items():
        entries = result.setdefault(section_id, {"agree": [], "disagree": []})
        for pk in pks:
            comment = details[pk]
            tally = tallies.get(f"comment:{pk}")
            counts = (tally or {}).get("counts", {})
            entries[side].append(
                {
                    "id": pk,
                    "author": comment.author_name,
                    "organisation": comment.organisation_name,
                    "group": comment.working_group_name,
                    "submitted_at": comment.submit_date.isoformat(timespec="seconds"),
                    "version": comment.version_label,
                    "text": _excerpt(comment.comment),
                    "permalink": f"{_permalink(section_id)}#comment-{pk}",
                    "agree": counts.get(ReactionChoice.AGREE, 0),
                    "disagree": counts.get(ReactionChoice.DISAGREE, 0),
                    "support": support_percent(_comment_support(tally, groups)),
                }
            )
    return result


def _permalink(section_id):
    return reverse("consultation:section_permalink", kwargs={"section_id": section_id})


def _excerpt(text):
    """Comments are stored as plain text (rendered and escaped on output)."""
    text = (text or "").strip()
    if len(text) <= COMMENT_EXCERPT_CHARS:
        return text
    return text[:COMMENT_EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"


# ---------------------------------------------------------------- competing proposals


def _proposals(*, paper, label, tallies, groups, config):
    """Competing proposals per section id, ranked as the paper page ranks them (one query)."""
    return report_proposals(paper=paper, label=label, tallies=tallies, groups=groups, config=config)


# ---------------------------------------------------------------- responses, sign-offs, versions


def _responses(*, paper):
    result = {}
    rows = (
        Response.objects.filter(paper=paper, section__isnull=False)
        .select_related("changed_in")
        .order_by("created_at", "pk")
    )
    for response in rows:
        result.setdefault(response.section_id, []).append(
            {
                "id": response.pk,
                "outcome": response.outcome,
                "outcome_label": response.get_outcome_display(),
                "reason": response.reason,
                "about": response.target_label,
                "comment_id": response.comment_id,
                "changed_in": response.changed_in.label if response.changed_in_id else None,
                "by": response.responded_by_name,
                "created_at": response.created_at.isoformat(timespec="seconds"),
            }
        )
    return result


def _signoffs(*, paper, label):
    """Each group's current position on this version, and any positions it took on single sections."""
    papers = [paper.page_ptr] if hasattr(paper, "page_ptr") else [paper]
    positions = []
    by_section = {}
    for signoff in signoffs_current(papers=papers):
        if signoff.version_label != label:
            continue
        positions.append(
            {
                "group_id": signoff.group_id,
                "group": signoff.group.name,
                "position": signoff.position,
                "position_label": signoff.get_position_display(),
                "statement": signoff.statement,
                "recorded_at": signoff.recorded_at.isoformat(timespec="seconds"),
            }
        )
        for item in signoff.section_positions.all():
            by_section.setdefault(item.section_id, []).append(
                {
                    "group_id": signoff.group_id,
                    "group": signoff.group.name,
                    "position": item.position,
                    "position_label": item.get_position_display(),
                    "statement": item.statement,
                }
            )
    return positions, by_section


def _version(*, paper, label, version, changes):
    return {
        "label": label,
        "number": version.number if version is not None else None,
        "published_at": version.published_at.isoformat(timespec="seconds") if version is not None else None,
        "is_published_version": version is not None,
        "previous_label": changes["previous_label"] if changes else None,
    }


def _changes(*, paper, label, sections, paper_url):
    """What changed between the previous published version and this one, counted in words.

    Compared only when this label is itself a published version (a draft has
    no frozen text to compare). The comparison is the versions' own
    (`consultation.versions.diff.paper_diff`, as on the public diff pages), under the
    same rule: where either side's text is restricted, not even whether it
    changed is told. Three queries."""
    versions = list(PaperVersion.objects.filter(paper=paper).order_by("number"))
    current = next((v for v in versions if v.label == label), None)
    earlier = [v for v in versions if current is not None and v.number < current.number]
    if not earlier:
        return None, {}
    previous = earlier[-1]
    snapshots = list(SectionVersion.objects.filter(version__in=[previous, current]).order_by("position"))
    for snapshot in snapshots:
        snapshot.version = current if snapshot.version_id == current.pk else previous
        snapshot.version.paper = paper
    attach_live_sections(paper, snapshots)
    diff = paper_diff(
        [s for s in snapshots if s.version is previous],
        [s for s in snapshots if s.version is current],
        is_public=lambda snapshot: snapshot.text_public,
    )
    per_section = {}
    for change in diff.changes:
        if change.status == Status.REMOVED:
            continue
        withheld = change.text_withheld
        per_section[change.section_id] = {
            "status": change.status,
            "words_added": None if withheld else change.body.added,
            "words_removed": None if withheld else change.body.removed,
            "heading_changed": change.heading_changed,
        }
    summary = {
        "previous_label": previous.label,
        "sections_changed": diff.changed,
        "sections_added": diff.added,
        "sections_withheld": diff.withheld,
        "sections_removed": [
            {"id": c.section_id, "title": c.old.heading} for c in diff.changes if c.status == Status.REMOVED
        ],
        "diff_url": f"{paper_url}versions/compare/?from={previous.number}&to={current.number}"
        if paper_url
        else "",
    }
    return summary, per_section


# ---------------------------------------------------------------- participation and summary


def _version_order(label):
    """v2 before v10; anything else (an empty label) last."""
    digits = (label or "").lstrip("v")
    return (0, int(digits), label) if digits.isdigit() else (1, 0, label or "")


def _participation(*, paper, label, sections, groups, signoffs):
    # The reactions the tallies count (carried over from earlier versions where
    # a section's wording did not change), so the people add up to the reactions.
    section_reactions = counted_section_reactions(paper_id=paper.pk, version_label=label)
    people = section_reactions.aggregate(
        people=Count("user", distinct=True),
        members=Count("user", distinct=True, filter=Q(is_member=True)),
    )
    by_group_people = {
        row["working_group_id"]: row["people"]
        for row in section_reactions.filter(working_group__isnull=False)
        .values("working_group_id")
        .annotate(people=Count("user", distinct=True))
        .order_by()
    }
    # Every comment on the paper's sections, whichever version it was made on
    # (the paper page shows them all), with how many were made on each version.
    on_sections = Comment.objects.filter(paper=paper, section__isnull=False)
    comments = on_sections.aggregate(
        total=Count("pk"),
        shown=Count("pk", filter=Q(is_public=True, is_removed=False, hidden_at__isnull=True)),
        people=Count("user", distinct=True),
        organisations=Count("organisation_name", distinct=True, filter=~Q(organisation_name="")),
    )
    by_version = sorted(
        on_sections.values("version_label")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("version_label", "n"),
        key=lambda row: _version_order(row[0]),
    )
    reactions_by_group = {g["key"]: 0 for g in groups}
    for section in sections:
        for row in section["groups"]:
            reactions_by_group[row["key"]] += row["seen"]
    positioned = {s["group_id"] for s in signoffs}
    # Counted once each, so the two add up to the people reacting: whoever reacted
    # as a working-group member at least once is counted with the members.
    public_only = people["people"] - people["members"]
    working_groups = [g for g in groups if g["kind"] == "working_group"]
    return {
        "sections": len(sections),
        "reactions": sum(s["overall"]["seen"] for s in sections),
        "people_reacting": people["people"],
        "members_reacting": people["members"],
        "public_reacting": public_only,
        "comments": comments["total"],
        "comments_by_version": [{"version": version or "", "comments": n} for version, n in by_version],
        "comments_shown": comments["shown"],
        "people_commenting": comments["people"],
        "organisations_commenting": comments["organisations"],
        "groups": len(working_groups),
        "groups_with_position": len(positioned),
        "groups_without_position": [g["name"] for g in working_groups if g["id"] not in positioned],
        "by_group": [
            {
                "key": g["key"],
                "name": g["name"],
                "reactions": reactions_by_group[g["key"]],
                "people": public_only if g["kind"] == "public" else by_group_people.get(g["id"], 0),
            }
            for g in groups
        ],
    }


def _summary(sections):
    counts = dict.fromkeys(Classification.ORDER, 0)
    for section in sections:
        counts[section["classification"]["key"]] += 1
    return {
        "by_classification": [
            {"key": key, "label": Classification.LABELS[key], "sections": counts[key]}
            for key in Classification.ORDER
        ]
    }
