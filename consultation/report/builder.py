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

import hashlib

from django.core.cache import cache
from django.db import connection, transaction
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
from consultation.models import (
    Comment,
    CommentsStamp,
    PaperVersion,
    Proposal,
    Reaction,
    ReactionCount,
    Response,
    SectionVersion,
)
from consultation.models.pages import paper_sections
from consultation.models.proposals import proposal_content_type_id
from consultation.models.reactions import ReactionChoice, TargetKind
from consultation.models.reports import ReportSnapshot
from consultation.proposals.selectors import report_proposals
from consultation.reactions.selectors import (
    counted_section_reactions,
    empty_tally,
    reaction_tallies,
    reaction_target_key,
)
from consultation.versions.diff import Status, paper_diff
from consultation.versions.selectors import attach_live_sections
from workinggroups.selectors import signoffs_current

SCHEMA = "open-policy/consensus-report"
# 2: the statistic by group sizes, quorums and positions (no intervals); see docs/report.md.
SCHEMA_VERSION = 2
# A comment quoted in the report is cut at this many characters; the link leads to the whole.
COMMENT_EXCERPT_CHARS = 600
# PostgreSQL's memory for the report's sorts and hashes (see report_build).
REPORT_WORK_MEM = "64MB"


def report_build(*, paper, version=None):
    """The report for `paper` at `version` (a PaperVersion), or at its current text when None.

    Reads only; a constant number of queries whatever the size of the paper.
    """
    if connection.vendor != "postgresql":
        return _build(paper=paper, version=version)
    # No savepoint: the build only reads, so there is nothing to roll back to. Inside an
    # outer transaction (a request's, a job's) the settings last until it ends.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # For this transaction only (measured at full size): PostgreSQL compiled the
        # comment ranking and the participation counts with LLVM (`jit`), about 3 s of
        # compiling for queries that then run in less; and with the default 4 MB of
        # `work_mem` it sorted the 400,000 section reactions for the tallies on disk
        # instead of hashing them (1.1 s against 0.7 s). The tallies are now read from
        # the kept counts; at 4 MB the comment ranking's aggregate and sort still spill to
        # disk (about 10 % slower, measured with the authors' sides kept), and with `jit` on
        # the participation counts took 0.29 s instead of 0.12 s.
        cursor.execute(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)", [REPORT_WORK_MEM]
        )
        return _build(paper=paper, version=version)


def _build(*, paper, version):
    config = report_settings()
    consultation = paper.consultation
    label = version.label if version is not None else paper.version_label
    paper_url = paper.get_url() or ""
    sections = _sections(paper=paper, version=version, paper_url=paper_url)
    section_ids = [s["id"] for s in sections]

    # The same selector, and so the same numbers, as the live tallies on the paper page:
    # for the sections and proposals only. Comments are ranked in SQL (`_top_comments`),
    # and only the few quoted read their tallies.
    targets = [
        *(reaction_target_key(TargetKind.SECTION, pk) for pk in section_ids),
        *(
            reaction_target_key(TargetKind.PROPOSAL, pk)
            for pk in Proposal.objects.filter(paper=paper).values_list("pk", flat=True)
        ),
    ]
    tallies = reaction_tallies(paper_id=paper.pk, targets=targets, version_label=label)
    groups = statistic_groups(consultation=consultation, tallies=tallies, config=config)

    # What is read from comments is kept in the cache under these: the sections' stamps
    # (their quoted comments) and the paper's (its comment figures).
    stamps = _comment_stamps([*section_ids, paper.pk])
    comments, groups = _top_comments(
        paper=paper,
        label=label,
        sections=sections,
        groups=groups,
        tallies=tallies,
        config=config,
        stamps=stamps,
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
        paper=paper, label=label, sections=sections, groups=groups, signoffs=signoffs, stamps=stamps
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


# Comments whose approximate score (a float, in SQL) is this close to the last
# one shown are ranked again with exact fractions; floats of these few terms
# are off by ~1e-15, so the exact ranking cannot differ from the one shown.
SCORE_MARGIN = 1e-9
# Each section's ranked comments and the paper's comment figures are kept in the cache
# (`_top_comments`, `_comment_figures`). Change the version with the way either is made,
# so that a new release reads none of the old.
COMMENTS_CACHE_VERSION = 1
# Stamps keep the kept rankings right; the time only lets the cache forget papers nobody reads.
COMMENTS_CACHE_SECONDS = 24 * 60 * 60


def _sides(*, paper, wanted):
    """Each visible comment on a section in `wanted` whose author took a side on the
    section, with that side (as a queryset: `cid`, `sid`, `side`)."""
    # The author's reaction to the section *wording the comment was made on*, kept per
    # comment by database triggers (`CommentAuthorSide`): looked up here per comment, it
    # was 50,000 index probes into the section reactions at full size.
    return (
        _visible_comments(paper)
        # Discussion of a competing proposal is not a comment on the section's text.
        .exclude(content_type_id=proposal_content_type_id())
        .filter(section_id__in=wanted, author_side__isnull=False)
        .order_by()  # comments-xtd's default thread ordering would sort every row for nothing
        .values(cid=F("pk"), sid=F("section_id"), side=F("author_side__side"))
    )


def _candidates(*, paper, wanted, groups, top, every_reaction):
    """The comments that may be among the `top` of each (section, side) of the sections
    `wanted`, ranked in one SQL query: {(section id, side): [comment id, …]}.

    The database aggregates the comment reactions per comment and group and
    scores each comment with the support across working groups as a float
    (`group_support` without its constant divisor: the same order). A window
    function numbers each (section, side)'s comments by that score, then agrees,
    fewest disagrees, the earliest; every comment whose score is within
    SCORE_MARGIN of the last one shown comes back, to be ranked exactly in Python.

    With `every_reaction`, all the paper's comment reactions are read in one pass;
    otherwise only those to the comments ranked, one index probe per comment. Measured
    on PostgreSQL at full size (500 comments a section): probing took 13 ms for one
    section, 58 ms for 10, 125 ms for 25 and 468 ms for all 100; one pass 126, 150, 179
    and 290 ms."""
    invited = [g for g in groups if g["in_verdict"]]
    sides_sql, sides_params = _sides(paper=paper, wanted=wanted).query.sql_with_params()
    reaction = Reaction._meta.db_table
    # The net support of each invited group, (agree − disagree) ÷ max(members, seen, 1)
    # as in `statistics.net_support` (a comment offers no neutral: seen = agree + disagree).
    terms = " ".join(
        "WHEN %s THEN CAST(a - d AS DOUBLE PRECISION) / (CASE WHEN a + d > %s THEN a + d ELSE %s END)"
        for _ in invited
    )
    term_params = [v for g in invited for v in (g["id"], max(g["size"] or 0, 1), max(g["size"] or 0, 1))]
    net = f"SUM(CASE gid {terms} ELSE 0 END)" if invited else "0"
    # Interpolated: the compiled subquery, a table name and placeholders; every value is a parameter.
    # The counts are cast to INTEGER: PostgreSQL sums a BIGINT SUM into NUMERIC, which
    # `scored` and the ranking's sort then carry for every comment.
    only_ranked = "" if every_reaction else "AND target_id IN (SELECT cid FROM sides)"
    sql = f"""
        WITH sides AS (
            {sides_sql}
        ),
        votes AS (
            SELECT target_id AS cid, working_group_id AS gid,
                   CAST(SUM(CASE WHEN choice = %s THEN 1 ELSE 0 END) AS INTEGER) AS a,
                   CAST(SUM(CASE WHEN choice = %s THEN 1 ELSE 0 END) AS INTEGER) AS d
            FROM {reaction}
            WHERE paper_id = %s AND target_kind = %s AND choice IN (%s, %s)
                  {only_ranked}
            GROUP BY target_id, working_group_id
        ),
        scored AS (
            SELECT cid, SUM(a) AS agree, SUM(d) AS disagree, {net} AS score FROM votes GROUP BY cid
        ),
        ranked AS (
            SELECT sides.cid, sides.sid, sides.side, COALESCE(scored.score, 0) AS score,
                   ROW_NUMBER() OVER (
                       PARTITION BY sides.sid, sides.side
                       ORDER BY COALESCE(scored.score, 0) DESC, COALESCE(scored.agree, 0) DESC,
                                COALESCE(scored.disagree, 0), sides.cid
                   ) AS rn
            FROM sides LEFT JOIN scored ON scored.cid = sides.cid
            WHERE sides.side IS NOT NULL
        ),
        cut AS (
            SELECT cid, sid, side, score,
                   MIN(CASE WHEN rn <= %s THEN score END) OVER (PARTITION BY sid, side) AS last_shown
            FROM ranked
        )
        SELECT cid, sid, side FROM cut WHERE score >= last_shown - %s
    """  # noqa: S608
    agree, disagree = ReactionChoice.AGREE.value, ReactionChoice.DISAGREE.value
    params = [
        *sides_params,
        agree,
        disagree,
        paper.pk,
        TargetKind.COMMENT.value,
        agree,
        disagree,
        *term_params,
        top,
        SCORE_MARGIN,
    ]
    candidates = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, section_id, side in cursor.fetchall():
            candidates.setdefault((section_id, side), []).append(pk)
    return candidates


def _comment_groups(paper):
    """The working groups that reacted to any comment of the paper (restricted sections and
    paper-level comments too), from the kept counts: the index on (paper, kind, group) is
    read group by group, a probe per group, not a row per count."""
    counts = ReactionCount._meta.db_table
    sql = f"""
        WITH RECURSIVE seen (gid) AS (
            SELECT MIN(working_group_id) FROM {counts} WHERE paper_id = %s AND target_kind = %s
            UNION ALL
            SELECT (
                SELECT MIN(working_group_id) FROM {counts}
                WHERE paper_id = %s AND target_kind = %s AND working_group_id > seen.gid
            )
            FROM seen WHERE seen.gid IS NOT NULL
        )
        SELECT gid FROM seen WHERE gid IS NOT NULL
    """  # noqa: S608
    kind = TargetKind.COMMENT.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [paper.pk, kind, paper.pk, kind])
        return {gid for (gid,) in cursor.fetchall()}


def _comment_stamps(page_ids):
    """{page id: its comments stamp} (`CommentsStamp`), which triggers move with anything
    written about the page's comments; "" for a page with no row (no comment on it when the
    stamps were first kept, nor written since)."""
    stamps = dict(CommentsStamp.objects.filter(page_id__in=page_ids).values_list("page_id", "stamp"))
    return {page_id: stamps.get(page_id, "") for page_id in page_ids}


def _ranking_keys(*, paper, wanted, groups, label, top, stamps):
    """{section id: the cache key of its ranked comments}: its stamp (moved by triggers with
    anything the ranking reads from the database) and what else the ranking depends on —
    the invited groups with their sizes, the version, how many comments are quoted."""
    invited = sorted((g["id"], g["size"] or 0) for g in groups if g["in_verdict"])
    inputs = hashlib.sha256(repr((invited, label, top)).encode()).hexdigest()[:24]
    prefix = f"report-ranking:{COMMENTS_CACHE_VERSION}:{paper.pk}"
    return {section_id: f"{prefix}:{section_id}:{stamps[section_id]}:{inputs}" for section_id in wanted}


def _rank(*, paper, label, wanted, groups, top, every_reaction):
    """The `top` comments on each side of each section in `wanted`, ranked exactly:
    {section id: {side: [(comment id, agree, disagree, support percent), …]}}.

    Two queries: the candidates (ranked in SQL, `_candidates`) and their tallies (the
    paper page's selector); their text is read by the caller."""
    candidates = _candidates(
        paper=paper, wanted=wanted, groups=groups, top=top, every_reaction=every_reaction
    )
    ids = [pk for pks in candidates.values() for pk in pks]
    comment_tallies = (
        reaction_tallies(
            paper_id=paper.pk,
            targets=[reaction_target_key(TargetKind.COMMENT, pk) for pk in ids],
            version_label=label,
        )
        if ids
        else {}
    )
    ranked = {section_id: {"agree": [], "disagree": []} for section_id in wanted}
    for (section_id, side), pks in candidates.items():
        keys = []
        for pk in pks:
            tally = comment_tallies.get(reaction_target_key(TargetKind.COMMENT, pk))
            counts = (tally or {}).get("counts", {})
            support = _comment_support(tally, groups)
            agree, disagree = counts.get(ReactionChoice.AGREE, 0), counts.get(ReactionChoice.DISAGREE, 0)
            keys.append(
                ((-(support or 0), -agree, disagree, pk), (pk, agree, disagree, support_percent(support)))
            )
        ranked[section_id][side] = [entry for _, entry in sorted(keys)[:top]]
    return ranked


def _top_comments(*, paper, label, sections, groups, tallies, config, stamps):
    """The most-agreed comments on each side of every section, and the groups
    (with any that reacted only to comments).

    A comment's side is its author's own reaction to the section: comments by
    people who agreed with the section, and by people who disagreed. Within a
    side, comments rank by support across the working groups (the same
    group-aware support proposals are ranked by), then by agree reactions,
    then fewest disagree reactions, then the earliest.

    Each section's ranking is kept in the cache under its stamp (`_ranking_keys`):
    only sections whose comments, their reactions or their authors' sides changed
    since are ranked again (`_rank`). The text of the comments shown is always read
    afresh (an edit does not move a ranking)."""
    wanted = [s["id"] for s in sections if not s["restricted"]]
    seen_groups = _comment_groups(paper)
    if seen_groups - {g["id"] for g in groups}:
        # A group uninvited after reacting, to comments only: shown as before (one more query).
        groups = statistic_groups(
            consultation=paper.consultation, tallies=tallies, config=config, also_seen=seen_groups
        )
    top = config.top_comments
    keys = (
        _ranking_keys(paper=paper, wanted=wanted, groups=groups, label=label, top=top, stamps=stamps)
        if wanted
        else {}
    )
    kept = cache.get_many(list(keys.values())) if keys else {}
    ranked = {section_id: kept[key] for section_id, key in keys.items() if key in kept}
    stale = [section_id for section_id in wanted if section_id not in ranked]
    if stale:
        # Reading every comment reaction pays once about two fifths of the sections are
        # ranked again (the measurements in `_candidates`).
        every_reaction = len(stale) * 5 >= len(wanted) * 2
        fresh = _rank(
            paper=paper, label=label, wanted=stale, groups=groups, top=top, every_reaction=every_reaction
        )
        cache.set_many({keys[section_id]: fresh[section_id] for section_id in stale}, COMMENTS_CACHE_SECONDS)
        ranked.update(fresh)
    ids = [entry[0] for sides in ranked.values() for entries in sides.values() for entry in entries]
    details = (
        {
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
        if ids
        else {}
    )
    result = {}
    permalinks = {section["id"]: section["permalink"] for section in sections}
    for section_id in wanted:
        entries = result.setdefault(section_id, {"agree": [], "disagree": []})
        for side, shown in ranked[section_id].items():
            for pk, agree, disagree, support in shown:
                comment = details[pk]
                entries[side].append(
                    {
                        "id": pk,
                        "author": comment.author_name,
                        "organisation": comment.organisation_name,
                        "group": comment.working_group_name,
                        "submitted_at": comment.submit_date.isoformat(timespec="seconds"),
                        "version": comment.version_label,
                        "text": _excerpt(comment.comment),
                        "permalink": f"{permalinks[section_id]}#comment-{pk}",
                        "agree": agree,
                        "disagree": disagree,
                        "support": support,
                    }
                )
    return result, groups


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


def _participation(*, paper, label, sections, groups, signoffs, stamps):
    # The reactions the tallies count (carried over from earlier versions where
    # a section's wording did not change), so the people add up to the reactions.
    section_reactions = counted_section_reactions(paper_id=paper.pk, version_label=label)
    # One pass over them: each person once per (group, member or not), a few rows a
    # person; the distinct counts are taken from those (two COUNT(DISTINCT)
    # aggregates read every reaction twice).
    people, members, by_group_people = set(), set(), {}
    for user_id, group_id, is_member in (
        section_reactions.values_list("user_id", "working_group_id", "is_member").distinct().order_by()
    ):
        people.add(user_id)
        if is_member:
            members.add(user_id)
        if group_id is not None:
            by_group_people.setdefault(group_id, set()).add(user_id)
    people = {"people": len(people), "members": len(members)}
    by_group_people = {group_id: len(users) for group_id, users in by_group_people.items()}
    comments, by_version = _comment_figures(paper=paper, stamps=stamps)
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


def _comment_figures(*, paper, stamps):
    """Every comment on the paper's sections, whichever version it was made on (the paper
    page shows them all): how many, how many shown, by how many people and organisations,
    and how many were made on each version. Kept in the cache under the paper's comments
    stamp, which moves with every comment of the paper written, moved, hidden, removed or
    deleted and with a change of its author, organisation or version, not with reactions to
    comments (two queries, about 0.06 s at 50,000 comments)."""
    key = f"report-comment-figures:{COMMENTS_CACHE_VERSION}:{paper.pk}:{stamps[paper.pk]}"
    kept = cache.get(key)
    if kept is not None:
        return kept
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
    cache.set(key, (comments, by_version), COMMENTS_CACHE_SECONDS)
    return comments, by_version


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
