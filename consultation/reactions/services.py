"""Setting and withdrawing reactions.

Each service checks the named rule, writes in one transaction and, once the
transaction has committed, schedules a live broadcast of the target's tally.
Individual reactions are not written to the public process record: they are
personal and numerous, and the record would serialise every vote on its head
row. The tallies they add up to are public, live and in the report.
"""

import time
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from consultation.explain import explain
from consultation.models import Comment, PolicyPaperPage, Proposal, Reaction, SectionPage
from consultation.models.pages import with_ancestors
from consultation.models.proposals import proposal_get
from consultation.models.reactions import CHOICES_BY_KIND, TargetKind
from consultation.participation.services import speaking_membership
from consultation.reactions import broadcast
from core.db.prepared import PreparedQuery
from core.page_cache import generations


@dataclass(frozen=True)
class ReactionTarget:
    """What a reaction is about, whatever its kind."""

    kind: str
    id: int
    paper: PolicyPaperPage
    section: SectionPage | None
    obj: object

    @property
    def key(self):
        return f"{self.kind}:{self.id}"

    @property
    def choices(self):
        return CHOICES_BY_KIND[self.kind]

    @property
    def rule(self):
        return f"consultation.react_{self.kind}"

    @property
    def consultation(self):
        return self.paper.consultation

    @property
    def wording(self):
        """The fingerprint of the wording a reaction to a section is about ("" otherwise)."""
        return self.section.wording_hash if self.kind == TargetKind.SECTION else ""


def reaction_target(obj):
    """The ReactionTarget of a section, a comment or a proposal (or a ReactionTarget itself)."""
    if isinstance(obj, ReactionTarget):
        return obj
    if isinstance(obj, SectionPage):
        return ReactionTarget(TargetKind.SECTION, obj.pk, obj.paper, obj, obj)
    if isinstance(obj, Comment):
        section = obj.section if obj.section_id else None
        return ReactionTarget(TargetKind.COMMENT, obj.pk, obj.paper, section, obj)
    if isinstance(obj, Proposal):
        return ReactionTarget(TargetKind.PROPOSAL, obj.pk, obj.paper, obj.section, obj)
    raise TypeError(f"Cannot react to {type(obj).__name__}")


# Live sections' targets by id, each beside the `site` generation it was read under. A
# section with its paper and consultation costs two queries, more than the rest of a
# reaction's reads, and at an event's peak every POST names one of a few sections again.
# Whatever a target holds comes from page rows (live, restricted, the wording, the paper's
# version, the consultation's stage), and every write to those bumps `site` (publishing,
# unpublishing, moving, restricting, a stage change: consultation/pages/cache.py), so a
# stored target is used only while `site` keeps the generation read before it was, and for
# at most a minute: a bump lost to a Redis outage must not keep a section open for good.
_section_targets = {}
_SECTION_TARGETS_KEPT = 4096
_SECTION_TARGET_SECONDS = 60


def live_section_target(section_id):
    """The ReactionTarget of live section `section_id`, or None if there is none.

    Remembered in this process while nothing on the site's pages has changed, where the
    cache is shared by every process (`settings.REACTION_TARGETS_REMEMBERED`: with a
    process-local cache a change made in another process would go unseen)."""
    generation = None
    if getattr(settings, "REACTION_TARGETS_REMEMBERED", False):
        generation = generations(("site",))["site"]  # None while the cache is unreachable
        stored = _section_targets.get(section_id)
        if (
            generation is not None
            and stored is not None
            and stored[0] == generation
            and time.monotonic() - stored[2] < _SECTION_TARGET_SECONDS
        ):
            return stored[1]
    section = SectionPage.objects.live().filter(pk=section_id).first()
    if section is None:
        return None
    target = reaction_target(with_ancestors(section))
    if generation is not None:
        if len(_section_targets) >= _SECTION_TARGETS_KEPT:
            _section_targets.clear()
        _section_targets[section_id] = (generation, target, time.monotonic())
    return target


# A comment's or proposal's own row (a comment's is three tables: django_comments,
# comments-xtd's and ours), compiled once: building and compiling it through the ORM cost
# more than the rest of its target.
_comment_row = PreparedQuery(
    lambda comment_id: Comment.objects.filter(pk=comment_id), comment_id=2_000_000_013
)
_proposal_row = PreparedQuery(
    lambda proposal_id: Proposal.objects.filter(pk=proposal_id), proposal_id=2_000_000_014
)


def _borrowed_section(obj):
    """Give `obj` (a comment or proposal, its own row just read) the section, paper and
    consultation of its section's target, where that section is live and on obj's paper
    (`live_section_target`, remembered as above): they are what the rules read, two to three
    queries when loaded from `obj`. Whether it did; if not, they load from `obj` when first
    asked for."""
    section_target = live_section_target(obj.section_id) if obj.section_id is not None else None
    if section_target is None or section_target.paper.pk != obj.paper_id:
        return False
    obj.paper, obj.section = section_target.paper, section_target.section
    return True


def live_comment_target(comment_id):
    """The ReactionTarget of comment `comment_id` on a live paper, or None if there is none.
    The comment's own row is always read afresh (hidden, removed, moved)."""
    found = _comment_row(comment_id=comment_id)
    if not found:
        return None
    comment = found[0]
    _borrowed_section(comment)
    return reaction_target(comment) if comment.paper.live else None


def live_proposal_target(proposal_id):
    """The ReactionTarget of proposal `proposal_id` on a live section, or None if there is none.
    The proposal's own row is always read afresh (withdrawn, decided)."""
    found = _proposal_row(proposal_id=proposal_id)
    if not found:
        return None
    proposal = found[0]
    if not _borrowed_section(proposal):
        # Its section and paper as `proposal_get` gives them: judged by its own paper (its
        # section may have been moved under another since).
        proposal = proposal_get(proposal_id=proposal_id)
    return reaction_target(proposal) if proposal is not None and proposal.section.live else None


def _check(user, target):
    verdict = explain(user, target.rule, target.obj)
    if not verdict:
        raise PermissionDenied(verdict.message)


def reaction_refusal(*, user, target):
    """Why this person may not react to `target` (the explainer's `Verdict`)."""
    target = reaction_target(target)
    return explain(user, target.rule, target.obj)


def _snapshot(user, target):
    """The working group the person reacts for, and the paper's version, now.

    One voice per consultation (consultation.participation): the same group
    as their comments and proposals. Observers react (during public
    scrutiny) as the public."""
    membership = speaking_membership(user=user, consultation=target.consultation)
    group_id = membership.group_id if membership is not None else None
    return {
        "working_group_id": group_id,
        "is_member": group_id is not None,
        "paper_version": target.paper.version_label,
    }


def _schedule_broadcast(target):
    transaction.on_commit(partial(broadcast.tally_changed, paper_id=target.paper.pk, target_key=target.key))


def reaction_set(*, user, target, choice):
    """Set the user's reaction to `target` (a section or comment) to `choice`.

    Idempotent: setting the same choice again changes nothing and broadcasts
    nothing. Safe under concurrency: the unique constraint decides between
    simultaneous first reactions, and the losers update the winner's row.
    Raises PermissionDenied (with a reason for the person) or ValidationError."""
    target = reaction_target(target)
    _check(user, target)
    if choice not in target.choices:
        allowed = ", ".join(str(c.label) for c in target.choices)
        raise ValidationError({"choice": f"Choose one of: {allowed}."}, code="invalid_choice")
    # One reaction per person per section *wording*: reacting to a reworded
    # section leaves the reaction to the old wording in place (it is what the
    # previous version's figures are made of).
    lookup = {
        "user_id": user.pk,
        "target_kind": target.kind,
        "target_id": target.id,
        "text_hash": target.wording,
    }
    snapshot = _snapshot(user, target)
    reaction = _upserted(lookup, target=target, choice=choice, snapshot=snapshot)
    if reaction is None:  # the same choice again: nothing changed, nothing to broadcast
        stored = _stored_reaction(**lookup)
        return stored[0] if stored else None
    _schedule_broadcast(target)
    return reaction


def _stored_reaction_query(*, user_id, target_kind, target_id, text_hash):
    return Reaction.objects.filter(
        user_id=user_id, target_kind=target_kind, target_id=target_id, text_hash=text_hash
    )


# The row a repeated choice left as it was (the unique lookup: one at most). Compiled once:
# at an event's peak many POSTs are repeats (a double click, a second tab), and building and
# compiling this query through the ORM cost a repeat more than its upsert.
_stored_reaction = PreparedQuery(
    _stored_reaction_query,
    user_id=2_000_000_011,
    target_kind="\x00stand-in kind",
    target_id=2_000_000_012,
    text_hash="\x00stand-in wording",
)


# What a reaction's writer sets; the rest (the lookup, paper, section, created_at) only on insert.
_SET = ("choice", "working_group_id", "is_member", "paper_version", "updated_at")


def _upserted(lookup, *, target, choice, snapshot):
    """Insert the person's reaction, or update it where it differs: one statement
    (INSERT … ON CONFLICT DO UPDATE … WHERE, on SQLite and PostgreSQL). The Reaction
    written, or None when the stored row already said the same.

    The unique constraint settles concurrent requests of the same person inside the
    database, so there is no lock, savepoint or retry. Saves send `post_save` as
    Model.save() would (the page cache's bumps, consultation/pages/cache.py)."""
    values = {
        **lookup,
        "paper_id": target.paper.pk,
        "section_id": target.section.pk if target.section is not None else None,
        "choice": choice,
        "working_group_id": snapshot["working_group_id"],
        "is_member": snapshot["is_member"],
        "paper_version": snapshot["paper_version"],
    }
    now = timezone.now()
    meta = Reaction._meta
    connection = connections[router.db_for_write(Reaction)]
    quote = connection.ops.quote_name
    row = {**values, "created_at": now, "updated_at": now}
    columns = {name: meta.get_field(name) for name in row}  # get_field() takes attnames too
    table = quote(meta.db_table)
    names = ", ".join(quote(columns[name].column) for name in row)
    marks = ", ".join(["%s"] * len(row))
    conflict = ", ".join(quote(columns[name].column) for name in lookup)
    assignments = ", ".join(f"{quote(columns[n].column)} = excluded.{quote(columns[n].column)}" for n in _SET)
    # IS DISTINCT FROM: the group is NULL for the public (SQLite has it since 3.39).
    differs = " OR ".join(
        f"{table}.{quote(columns[n].column)} IS DISTINCT FROM excluded.{quote(columns[n].column)}"
        for n in _SET
        if n != "updated_at"
    )
    # Identifiers from the model, quoted; every value a parameter.
    insert = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({conflict})"  # noqa: S608
    sql = f"{insert} DO UPDATE SET {assignments} WHERE {differs} RETURNING {quote(meta.pk.column)}"
    params = [columns[name].get_db_prep_save(value, connection) for name, value in row.items()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchone()
    if written is None:
        return None
    # created_at is left deferred: on an update it is the stored row's, read if asked for.
    known = {"id": written[0], **values, "updated_at": now}
    attnames = [f.attname for f in meta.concrete_fields if f.attname in known]
    reaction = Reaction.from_db(connection.alias, attnames, [known[name] for name in attnames])
    post_save.send(
        sender=Reaction,
        instance=reaction,
        created=False,
        update_fields=None,
        raw=False,
        using=connection.alias,
    )
    return reaction


def reaction_withdraw(*, user, target):
    """Remove the user's reaction to `target` (a section's current wording). Returns whether there was one."""
    target = reaction_target(target)
    _check(user, target)
    with transaction.atomic():
        deleted, _ = Reaction.objects.filter(
            user=user, target_kind=target.kind, target_id=target.id, text_hash=target.wording
        ).delete()
        if deleted:
            _schedule_broadcast(target)
    return bool(deleted)
