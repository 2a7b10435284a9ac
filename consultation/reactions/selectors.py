"""Reads of reactions: tallies and each person's choices, in one aggregate query per paper.

A tally is a plain dict, ready for templates and for JSON (docs/realtime.md):
  {"target": "section:5", "counts": {"agree": 3, "disagree": 1, "neutral": 0}, "total": 4,
   "members": {...}, "public": {...}, "by_group": {"<group id>": {...}}}
"members" are reactions made as a member of an invited working group, "public"
the rest; "by_group" lists only groups with at least one reaction.
"""

from django.db.models import Count, F, Q

from consultation.models import Reaction
from consultation.models.reactions import CHOICES_BY_KIND
from workinggroups.models import WorkingGroup


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
