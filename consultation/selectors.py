"""Reads. Each function returns what a page needs in a fixed number of queries."""

from django.conf import settings
from django.db.models import Count, F, Q

from workinggroups.models import WorkingGroup

from .models import ConsultationPage, PolicyPaperPage, Reaction, SectionPage
from .models.comments import Comment, PaperFollow
from .models.pages import Stage
from .models.proposals import proposal_content_type_id
from .models.reactions import CHOICES_BY_KIND


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
        **paper_comments(paper=paper, sections=sections, user=user),
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
        **section_comments(section=section, user=user),
    }


# ---------------------------------------------------------------- reactions and tallies
#
# A tally is a plain dict, ready for templates and for JSON (docs/realtime.md):
#   {"target": "section:5", "counts": {"agree": 3, "disagree": 1, "neutral": 0}, "total": 4,
#    "members": {...}, "public": {...}, "by_group": {"<group id>": {...}}}
# "members" are reactions made as a member of an invited working group, "public"
# the rest; "by_group" lists only groups with at least one reaction.


def reaction_target_key(kind, target_id):
    return f"{kind}:{target_id}"


# Built once: a paper's tallies make one of these per target and group (the
# report reads ~100,000 rows), and reading enum values each time dominated.
_ZERO_COUNTS = {kind: {choice.value: 0 for choice in choices} for kind, choices in CHOICES_BY_KIND.items()}


def _zero_counts(kind):
    return dict(_ZERO_COUNTS[kind])


def empty_tally(target_key):
    kind = target_key.split(":", 1)[0]
    return {
        "target": target_key,
        "counts": _zero_counts(kind),
        "total": 0,
        "members": _zero_counts(kind),
        "public": _zero_counts(kind),
        "by_group": {},
    }


# A new version starts fresh tallies: by default only reactions made on the
# paper's current version count. The old version's tallies stay in the record
# (version_publish stores them in its "version_published" entry).
CURRENT_VERSION = "current"


def _on_version(rows, version_label):
    """Reactions made on `version_label`; CURRENT_VERSION (a join, no extra query) or None for all."""
    if version_label == CURRENT_VERSION:
        return rows.filter(paper_version=F("paper__version_label"))
    return rows if version_label is None else rows.filter(paper_version=version_label)


def reaction_tallies(*, paper_id, targets=None, section_ids=(), version_label=CURRENT_VERSION):
    """Tallies of a paper's targets, keyed by target key, in ONE aggregate query.

    `version_label` counts reactions made on that version (by default the
    paper's current one; None counts every version).

    `targets` (target keys) narrows the query to those targets; every target
    asked for, and every section in `section_ids`, is in the result even with
    no reactions, so a caller can send absolute zeros after a withdrawal."""
    rows = _on_version(Reaction.objects.filter(paper_id=paper_id), version_label)
    wanted = list(targets) if targets is not None else None
    if wanted is not None:
        by_kind = {}
        for key in wanted:
            kind, _, target_id = key.partition(":")
            by_kind.setdefault(kind, []).append(int(target_id))
        condition = Q()
        for kind, ids in by_kind.items():
            condition |= Q(target_kind=kind, target_id__in=ids)
        rows = rows.filter(condition) if by_kind else rows.none()
    rows = (
        rows.values("target_kind", "target_id", "working_group_id", "is_member", "choice")
        .annotate(n=Count("id"))
        .order_by()
    )

    tallies = {}
    for key in [*(wanted or ()), *(reaction_target_key("section", pk) for pk in section_ids)]:
        tallies[key] = empty_tally(key)
    for row in rows:
        key = reaction_target_key(row["target_kind"], row["target_id"])
        tally = tallies.get(key) or tallies.setdefault(key, empty_tally(key))
        choice, n = row["choice"], row["n"]
        if choice not in tally["counts"]:
            continue  # a choice this kind no longer offers: not counted
        tally["counts"][choice] += n
        tally["total"] += n
        tally["members" if row["is_member"] else "public"][choice] += n
        if row["working_group_id"] is not None:
            group_key = str(row["working_group_id"])
            group = tally["by_group"].get(group_key)
            if group is None:
                group = tally["by_group"][group_key] = _zero_counts(row["target_kind"])
            group[choice] += n
    return tallies


def reaction_choices_of_user(*, user, paper_id):
    """The user's current choice on each target of the paper, keyed by target key (one query)."""
    if not user.is_authenticated:
        return {}
    # A choice made on an earlier version is not a choice on this wording.
    rows = _on_version(Reaction.objects.filter(user=user, paper_id=paper_id), CURRENT_VERSION)
    rows = rows.values_list("target_kind", "target_id", "choice")
    return {reaction_target_key(kind, target_id): choice for kind, target_id, choice in rows}


def tally_groups(*, consultation, tallies):
    """The working groups a tally table shows: those invited, and any that
    reacted before being uninvited (one query)."""
    seen = {int(group_id) for tally in tallies.values() for group_id in tally["by_group"]}
    return list(
        WorkingGroup.objects.filter(Q(consultations=consultation) | Q(pk__in=seen))
        .distinct()
        .order_by("name")
    )


def paper_tally_table(*, paper, sections, tallies, groups):
    """Rows of the section × working-group table: overall, each group, the public."""
    rows = []
    for section in sections:
        key = reaction_target_key("section", section.pk)
        tally = tallies.get(key) or empty_tally(key)
        rows.append(
            {
                "section": section,
                "target": key,
                "tally": tally,
                "groups": [
                    {
                        "group": group,
                        "counts": tally["by_group"].get(str(group.pk)) or _zero_counts("section"),
                    }
                    for group in groups
                ],
            }
        )
    return rows


# ---------------------------------------------------------------- sign-off status


def consultation_signoff_status(*, consultation):
    """Each invited group's current position on the current version of each live
    paper, and which groups have not yet recorded one for every paper.

    Four queries whatever the number of groups, papers and sign-offs."""
    from workinggroups.selectors import signoffs_current

    papers = list(PolicyPaperPage.objects.live().child_of(consultation).order_by("path"))
    groups = list(consultation.invited_groups.order_by("name"))
    signoffs = signoffs_current(papers=papers) if papers and groups else []
    current_labels = {paper.pk: paper.version_label for paper in papers}
    # A position on an earlier version does not count for the current one.
    found = {
        (s.group_id, s.paper_id): s for s in signoffs if s.version_label == current_labels.get(s.paper_id)
    }
    rows = []
    for group in groups:
        positions = [{"paper": paper, "signoff": found.get((group.pk, paper.pk))} for paper in papers]
        rows.append(
            {"group": group, "positions": positions, "complete": all(p["signoff"] for p in positions)}
        )
    missing = [row["group"] for row in rows if not row["complete"]]
    return {"papers": papers, "rows": rows, "missing_groups": missing, "complete": not missing}


# ---------------------------------------------------------------- comments
#
# A paper's comments load in one query and its counts in one aggregate query,
# whatever their number; threads are built in memory from comments-xtd's
# (thread_id, order), which lists each thread depth first.


def _visible_comments(paper):
    # A competing proposal's discussion has its own page and count (selectors_proposals).
    return (
        Comment.objects.select_related(None)
        .filter(paper=paper, is_public=True, is_removed=False)
        .exclude(content_type_id=proposal_content_type_id())
    )


def comment_counts(*, paper):
    """Comments not hidden by a moderator, per section id (None: the paper itself)."""
    rows = (
        _visible_comments(paper)
        .filter(hidden_at__isnull=True)
        .order_by()
        .values("section_id")
        .annotate(n=Count("pk"))
    )
    return {row["section_id"]: row["n"] for row in rows}


def comment_threads(*, paper, section=None):
    """{section id or None: [top-level comments]}, each comment with `.replies`."""
    comments = _visible_comments(paper).order_by("thread_id", "order")
    if section is not None:
        comments = comments.filter(section=section)
    threads, open_chains = {}, {}
    for comment in comments:
        comment.replies = []
        chain = open_chains.setdefault(comment.section_id, [])
        while chain and chain[-1].level >= comment.level:
            chain.pop()
        if chain:
            chain[-1].replies.append(comment)
        else:
            threads.setdefault(comment.section_id, []).append(comment)
        chain.append(comment)
    return threads


def _comment_permissions(user, paper):
    return {
        "can_moderate": user.has_perm("consultation.moderate"),
        "can_follow_paper": user.has_perm("consultation.follow_paper", paper),
        "is_following_paper": user.is_authenticated
        and PaperFollow.objects.filter(paper=paper, user=user).exists(),
        "comment_max_level": settings.COMMENTS_XTD_MAX_THREAD_LEVEL,
    }


def _attach_section_comments(section, threads, counts, user, can_read):
    section.comment_count = counts.get(section.pk, 0)
    # Comments may quote a restricted text: they are withheld with it.
    section.comments_withheld = not can_read
    section.comment_threads = threads.get(section.pk, []) if can_read else []
    section.can_comment = user.has_perm("consultation.comment_section", section)


def paper_comments(*, paper, sections, user):
    """Threads, counts and permissions for every section of a paper and the paper itself."""
    threads = comment_threads(paper=paper)
    counts = comment_counts(paper=paper)
    for section in sections:
        _attach_section_comments(section, threads, counts, user, section.can_read_body)
    can_read_paper = user.has_perm("consultation.view_body", paper)
    return {
        "paper_comment_threads": threads.get(None, []) if can_read_paper else [],
        "paper_comment_count": counts.get(None, 0),
        "paper_comments_withheld": not can_read_paper,
        "can_comment_paper": user.has_perm("consultation.comment_paper", paper),
        "comments_total": sum(counts.values()),
        **_comment_permissions(user, paper),
    }


def section_comments(*, section, user):
    """Threads, count and permissions for one section, on its own page."""
    paper = section.paper
    threads = comment_threads(paper=paper, section=section)
    counts = comment_counts(paper=paper)
    _attach_section_comments(section, threads, counts, user, user.has_perm("consultation.view_body", section))
    return _comment_permissions(user, paper)


def paper_signoff_status(*, paper):
    """For the paper page: each invited group's current position on this
    version (None if not yet recorded), and positions on earlier versions."""
    from workinggroups.selectors import signoffs_current

    groups = list(paper.consultation.invited_groups.order_by("name"))
    signoffs = signoffs_current(papers=[paper])
    current = {s.group_id: s for s in signoffs if s.version_label == paper.version_label}
    rows = [{"group": group, "signoff": current.pop(group.pk, None)} for group in groups]
    # A group no longer invited keeps its published position on the page.
    rows += [{"group": s.group, "signoff": s} for s in current.values()]
    earlier = [s for s in signoffs if s.version_label != paper.version_label]
    recorded = sum(1 for row in rows if row["signoff"])
    return {"rows": rows, "earlier": earlier, "recorded": recorded, "invited": len(groups)}
