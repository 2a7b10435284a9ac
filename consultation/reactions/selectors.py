"""Reads of reactions: tallies and each person's choices, in one aggregate query per paper.

A tally is a plain dict, ready for templates and for JSON (docs/realtime.md):
  {"target": "section:5", "counts": {"agree": 3, "disagree": 1, "neutral": 0}, "total": 4,
   "members": {...}, "public": {...}, "by_group": {"<group id>": {...}}}
"members" are reactions made as a member of an invited working group, "public"
the rest; "by_group" lists only groups with at least one reaction.
"""

from django.db import connections, router
from django.db.models import BooleanField, F, Q, Sum
from django.db.models.expressions import RawSQL

from consultation.models import Reaction, ReactionCount, SectionPage, SectionVersion
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


# Which reactions count. A reaction to a *section* is tied to the wording its
# author saw (Reaction.text_hash, a fingerprint of the section's body): it
# counts wherever that wording is the section's current wording. So a new
# version carries the reactions of every section it leaves unchanged, and a
# reworded section starts fresh, with the figures for its previous wording
# kept beside the new ones ("previous"). Reactions to comments count
# whatever the version, and to proposals on the version they were made on.
# See docs/versions-and-record.md.
CURRENT_VERSION = "current"


# A comment's text never changes, so agreeing with it holds whatever the
# paper's version: the report quotes comments on earlier versions, with their support.
WHATEVER_THE_VERSION = ("section", "comment")


def _on_version(rows, version_label):
    """Proposal reactions made on `version_label` (CURRENT_VERSION: a join, no
    extra query; None: every version), and every reaction to a comment. Section
    reactions are all kept: which of them count depends on their wording,
    decided in Python on the grouped rows."""
    if version_label is None:
        return rows
    label = F("paper__version_label") if version_label == CURRENT_VERSION else version_label
    return rows.filter(Q(target_kind__in=WHATEVER_THE_VERSION) | Q(paper_version=label))


def paper_wordings(*, paper_id):
    """Every version snapshot's wording fingerprint of the paper's sections (one small query):
    {section id: [(version number, version label, fingerprint), …] oldest first}."""
    wordings = {}
    rows = (
        SectionVersion.objects.filter(version__paper_id=paper_id)
        .values_list("section_id", "version__number", "version__label", "wording_hash")
        .order_by("version__number")
    )
    for section_id, number, label, fingerprint in rows:
        wordings.setdefault(section_id, []).append((number, label, fingerprint))
    return wordings


class _Wording:
    """For one section: the wording being counted, and the one before it."""

    def __init__(self, *, history, live_hash, label, current_label):
        by_label = {version_label: fingerprint for _, version_label, fingerprint in history}
        self.by_label = by_label
        self.label = current_label if label == CURRENT_VERSION else label
        if label == CURRENT_VERSION or label not in by_label:
            # The text the paper page shows: the live wording.
            self.hash = live_hash
            before = history
        else:
            self.hash = by_label[label]
            number = next(n for n, version_label, _ in history if version_label == label)
            before = [entry for entry in history if entry[0] < number]
        self.previous_label, self.previous_hash = None, None
        for _, version_label, fingerprint in reversed(before):
            if fingerprint and fingerprint != self.hash:
                self.previous_label, self.previous_hash = version_label, fingerprint
                break

    def of(self, text_hash, paper_version):
        """The fingerprint a reaction was made on: its own, or for a reaction made
        before fingerprints were kept, its version's (None if unknown)."""
        return text_hash or self.by_label.get(paper_version)

    def counts_now(self, text_hash, paper_version):
        made_on = self.of(text_hash, paper_version)
        if made_on is None:
            return paper_version == self.label
        return bool(self.hash) and made_on == self.hash

    def counted_before(self, text_hash, paper_version):
        return self.previous_hash is not None and self.of(text_hash, paper_version) == self.previous_hash


def _add(tally, row, choice, n, seen=None):
    if seen is not None:
        seen.add(row["working_group_id"])
    tally["counts"][choice] += n
    tally["total"] += n
    tally["members" if row["is_member"] else "public"][choice] += n
    if row["working_group_id"] is not None:
        group_key = str(row["working_group_id"])
        group = tally["by_group"].get(group_key)
        if group is None:
            group = tally["by_group"][group_key] = _zero_counts(row["target_kind"])
        group[choice] += n


class PaperTallies(dict):
    """Tallies of part of a paper ({target key: tally}) that know the working groups seen
    in the whole paper's tallies (`seen_groups`), which decide the columns of its tables;
    and (`seen_by_section`, {section id or None: group ids}) which groups each section's
    targets read here were seen in. See `reaction_tallies(sections=...)`."""

    seen_groups = None
    seen_by_section = None


def groups_seen(tallies):
    """The working groups with a reaction counted in `tallies` (for a `PaperTallies` read
    for part of a paper: in the whole paper's tallies)."""
    if getattr(tallies, "seen_groups", None) is not None:
        return set(tallies.seen_groups)
    return {int(group_id) for tally in tallies.values() for group_id in tally["by_group"]}


def reaction_tallies(
    *, paper_id, targets=None, section_ids=(), version_label=CURRENT_VERSION, skip_sections=None
):
    """Tallies of a paper's targets, keyed by target key, in ONE aggregate query
    (and, only when some reactions were made on another wording or a named
    version is asked for, one small query for the paper's version fingerprints).

    `version_label` counts, for a section, the reactions to that version's
    wording (by default the section's current wording, as the paper page
    shows it), whichever version they were made on; for comments, every
    reaction; for proposals, the reactions made on that version (None counts
    every version).

    A section whose wording changed also has "previous": the tally of its
    previous wording, labelled with the last version that had it
    ({"label": "v2", "counts": …, "total": …, "members": …, "public": …, "by_group": …}).

    `targets` (target keys) narrows the query to those targets; every target
    asked for, and every section in `section_ids`, is in the result even with
    no reactions, so a caller can send absolute zeros after a withdrawal.

    `skip_sections` (section ids) leaves out the targets of those sections (the sections,
    their comments and proposals), and returns a `PaperTallies` with `seen_by_section`
    filled: the paper page skips the sections whose rendering is cached.

    Read from `ReactionCount`, the counts per tally key that database triggers keep in
    each reaction's own transaction (a few thousand rows a paper, however many reactions):
    the same numbers as a GROUP BY over the reactions, without reading them."""
    rows = _on_version(ReactionCount.objects.filter(paper_id=paper_id), version_label)
    fields = ()
    if skip_sections is not None:
        # Reactions to the paper's own comments (no section) are kept.
        rows = rows.exclude(section_id__in=list(skip_sections))
        # A target's section is fixed: grouping by it too changes no tally.
        fields = ("section_id",)
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
        rows.values(
            "target_kind",
            "target_id",
            "working_group_id",
            "is_member",
            "choice",
            "text_hash",
            "paper_version",
            "section__wording_hash",
            "paper__version_label",
            *fields,
        )
        .annotate(n=Sum("reactions"))
        .order_by()
    )

    tallies = {} if skip_sections is None else PaperTallies()
    if skip_sections is not None:
        tallies.seen_by_section = {}
    for key in [*(wanted or ()), *(reaction_target_key("section", pk) for pk in section_ids)]:
        tallies[key] = empty_tally(key)
    history = None

    def history_of(section_id):
        nonlocal history
        if history is None:
            history = paper_wordings(paper_id=paper_id)
        return history.get(section_id, [])

    _count(tallies, rows, version_label=version_label, history_of=history_of, by_section=bool(fields))
    return tallies


def _count(tallies, rows, *, version_label, history_of, by_section=False):
    """Add grouped count `rows` (dicts, as `reaction_tallies` reads them) to `tallies`.
    `history_of(section id)` gives a section's wordings as `paper_wordings` lists them,
    asked only for rows made on a wording other than the one shown now."""
    wordings = {}
    for row in rows:
        key = reaction_target_key(row["target_kind"], row["target_id"])
        tally = tallies.get(key) or tallies.setdefault(key, empty_tally(key))
        choice, n = row["choice"], row["n"]
        if choice not in tally["counts"]:
            continue  # a choice this kind no longer offers: not counted
        if by_section and row["working_group_id"] is not None:
            # Seen where it is counted in the tally itself (not in "previous", below).
            seen = tallies.seen_by_section.setdefault(row["section_id"], set())
        else:
            seen = None
        if row["target_kind"] != "section":
            _add(tally, row, choice, n, seen)
            continue
        if (
            version_label == CURRENT_VERSION
            and row["text_hash"]
            and row["text_hash"] == row["section__wording_hash"]
        ):
            # Made on the wording shown now: the common case, decided without the history.
            _add(tally, row, choice, n, seen)
            continue
        wording = wordings.get(key)
        if wording is None:
            wording = wordings[key] = _Wording(
                history=history_of(row["target_id"]),
                live_hash=row["section__wording_hash"],
                label=version_label,
                current_label=row["paper__version_label"],
            )
        if version_label is None or wording.counts_now(row["text_hash"], row["paper_version"]):
            _add(tally, row, choice, n, seen)
        elif wording.counted_before(row["text_hash"], row["paper_version"]):
            previous = tally.get("previous")
            if previous is None:
                previous = tally["previous"] = {**empty_tally(key), "label": wording.previous_label}
            _add(previous, row, choice, n)


# One target's counts and its section's wordings, for the tally in the answer to every
# reaction POST. As SQL, because the ORM took ten times longer to build and compile these
# queries than the database took to run them. A target's counts are one row per tally key
# already (ReactionCount's unique key): nothing to group.
_TARGET_COUNTS_SQL = """
    SELECT working_group_id, is_member, choice, text_hash, paper_version, reactions
    FROM consultation_reactioncount
    WHERE paper_id = %s AND target_kind = %s AND target_id = %s
"""
_SECTION_WORDINGS_SQL = """
    SELECT v.number, v.label, s.wording_hash
    FROM consultation_sectionversion s
    JOIN consultation_paperversion v ON v.id = s.version_id
    WHERE v.paper_id = %s AND s.section_id = %s
    ORDER BY v.number
"""
_COUNT_FIELDS = ("working_group_id", "is_member", "choice", "text_hash", "paper_version", "n")


def target_tally(*, paper_id, target_key, version_label, wording=""):
    """The tally of one target now: `reaction_tallies(paper_id=paper_id, targets=[target_key])`'s
    for it, from facts the caller holds (the paper's current `version_label`, and for a
    section its live `wording` fingerprint) instead of joins. One small query, and a
    second only when some of a section's reactions were made on another wording."""
    kind, _, target_id = target_key.partition(":")
    target_id = int(target_id)
    connection = connections[router.db_for_read(ReactionCount)]
    with connection.cursor() as cursor:
        cursor.execute(_TARGET_COUNTS_SQL, [paper_id, kind, target_id])
        found = cursor.fetchall()
    facts = {
        "target_kind": kind,
        "target_id": target_id,
        "section__wording_hash": wording,
        "paper__version_label": version_label,
    }
    # Proposals count on the version they were made on (`_on_version`).
    rows = [
        {**facts, **dict(zip(_COUNT_FIELDS, values, strict=True))}
        for values in found
        if kind in WHATEVER_THE_VERSION or values[4] == version_label
    ]

    def history_of(section_id):
        with connection.cursor() as cursor:
            cursor.execute(_SECTION_WORDINGS_SQL, [paper_id, section_id])
            return cursor.fetchall()

    tallies = {target_key: empty_tally(target_key)}
    _count(tallies, rows, version_label=CURRENT_VERSION, history_of=history_of)
    return tallies[target_key]


def counted_section_reactions(*, paper_id, version_label):
    """The section reactions `reaction_tallies(version_label=...)` counts, as a
    queryset (for figures a tally cannot give, such as people). Two small queries
    (the fingerprints of the versions and of the live sections) build the filter."""
    history = paper_wordings(paper_id=paper_id)
    # The sections reacted to, from the counts (a join with the reactions read them all).
    reacted = ReactionCount.objects.filter(paper_id=paper_id, target_kind="section").values("target_id")
    live = dict(SectionPage.objects.filter(pk__in=reacted).values_list("pk", "wording_hash"))
    versioned = {label for entries in history.values() for _, label, _ in entries}
    condition = Q(text_hash="", paper_version=version_label) & ~Q(paper_version__in=versioned)
    # Each section's counted wording, as (section, fingerprint) pairs written out as SQL (a Q
    # per section, 100 of them, took the ORM about 25 ms to compile; a row-value IN (VALUES …)
    # became a subplan PostgreSQL will not run in parallel: 0.21 s against 0.07 s); the
    # reactions made before fingerprints were kept, by the versions of that wording,
    # sections with the same versions together.
    wordings, unfingerprinted = [], {}
    for section_id, live_hash in live.items():
        entries = history.get(section_id, [])
        by_label = {label: fingerprint for _, label, fingerprint in entries}
        wording = by_label.get(version_label, live_hash)
        if not wording:
            continue
        wordings.append((section_id, wording))
        same = tuple(sorted(label for label, fingerprint in by_label.items() if fingerprint == wording))
        if same:
            unfingerprinted.setdefault(same, []).append(section_id)
    if wordings:
        # Unqualified names: they mean the reactions' own columns wherever Django puts the
        # query (as a subquery it renames the table); a join that brings another section_id
        # or text_hash makes them ambiguous, an error rather than a wrong answer.
        pair = "(section_id = %s AND text_hash = %s)"
        condition |= Q(
            RawSQL(  # noqa: S611 (placeholders only: the values are parameters)
                f"({' OR '.join([pair] * len(wordings))})",
                [value for section_wording in wordings for value in section_wording],
                output_field=BooleanField(),
            )
        )
    for same, section_ids in unfingerprinted.items():
        condition |= Q(section_id__in=section_ids, text_hash="", paper_version__in=same)
    return Reaction.objects.filter(paper_id=paper_id, target_kind="section").filter(condition)


def reaction_choices_of_user(*, user, paper_id):
    """The user's current choice on each target of the paper, keyed by target key (one query)."""
    return reaction_state_of_user(user=user, paper_id=paper_id)["mine"]


def reaction_state_of_user(*, user, paper_id):
    """The user's reactions on the paper (one query):
    {"mine": {target key: choice}, "earlier": {target key: choice}}.

    "mine" holds choices on the current wording of a section (a choice on an
    earlier wording is not a choice on this one) and, for comments and
    proposals, on the current version. "earlier" holds the sections where the
    person reacted to a wording that has since changed and not yet to the new
    one: the page tells them the wording changed."""
    state = {"mine": {}, "earlier": {}}
    if not user.is_authenticated:
        return state
    rows = Reaction.objects.filter(user=user, paper_id=paper_id).values_list(
        "target_kind",
        "target_id",
        "choice",
        "text_hash",
        "paper_version",
        "section__wording_hash",
        "paper__version_label",
    )
    earlier = {}
    for kind, target_id, choice, text_hash, made_on, wording, current_label in rows:
        key = reaction_target_key(kind, target_id)
        if kind == "section" and text_hash:
            if text_hash == wording:
                state["mine"][key] = choice
            else:
                earlier[key] = choice
        elif kind == "comment" or made_on == current_label:
            state["mine"][key] = choice
    state["earlier"] = {key: choice for key, choice in earlier.items() if key not in state["mine"]}
    return state


def tally_groups(*, consultation, tallies):
    """The working groups a tally table shows: those invited, and any that
    reacted before being uninvited (one query)."""
    seen = groups_seen(tallies)
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
