"""Setting and withdrawing reactions.

Each service checks the named rule, writes in one transaction and, once the
transaction has committed, schedules a live broadcast of the target's tally.
Individual reactions are not written to the public process record: they are
personal and numerous, and the record would serialise every vote on its head
row. The tallies they add up to are public, live and in the report.
"""

from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from consultation.explain import explain
from consultation.models import Comment, PolicyPaperPage, Proposal, Reaction, SectionPage
from consultation.models.reactions import CHOICES_BY_KIND, TargetKind
from consultation.participation.services import speaking_membership
from consultation.reactions import broadcast


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
    lookup = {"user": user, "target_kind": target.kind, "target_id": target.id, "text_hash": target.wording}

    with transaction.atomic():
        snapshot = _snapshot(user, target)
        reaction, created = _locked_or_created(lookup, target=target, choice=choice, snapshot=snapshot)
        if created:
            return reaction
        wanted = {"choice": choice, **snapshot}
        if all(getattr(reaction, field) == value for field, value in wanted.items()):
            return reaction
        for field, value in wanted.items():
            setattr(reaction, field, value)
        reaction.save(update_fields=[*wanted, "updated_at"])
        _schedule_broadcast(target)
    return reaction


def _locked_or_created(lookup, *, target, choice, snapshot, attempts=5):
    """(reaction, created): the person's existing reaction, locked for update,
    or a new one (its broadcast scheduled).

    Concurrent requests of the same person race here: the unique constraint
    decides between simultaneous first reactions, and a withdrawal may delete
    the row between the loser's insert and its second look. Each look is a
    fresh read, so a few attempts always settle it."""
    for _attempt in range(attempts):
        reaction = Reaction.objects.select_for_update().filter(**lookup).first()
        if reaction is not None:
            return reaction, False
        try:
            with transaction.atomic():
                reaction = Reaction.objects.create(
                    **lookup, paper=target.paper, section=target.section, choice=choice, **snapshot
                )
        except IntegrityError:
            continue  # someone (this same person, in another request) got there first
        _schedule_broadcast(target)
        return reaction, True
    raise ValidationError("Your reaction changed in another window at the same moment. Please try again.")


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
