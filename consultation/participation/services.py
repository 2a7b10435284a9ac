"""Which working group a person speaks for in a consultation: one voice each.

The rule (docs/participation.md):

1. A person speaks for one group per consultation, for comments, reactions
   and proposals alike, so the report never counts them for two groups.
2. At their first contribution the group is fixed: the group they convene if
   any, otherwise the one they joined first (ties: the older membership).
   It is stored (`Voice`), so it does not move when memberships change later.
3. They may choose another of their groups at any time; the change is in the
   public record. If their membership of the chosen group ends, rule 2 picks
   again at their next contribution, and that change is recorded too.
4. Each contribution keeps the group, organisation and name it was made with;
   nothing already said is re-attributed.

Observers and the public speak for no group.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from consultation.models import Voice
from consultation.models.pages import Stage
from consultation.models.record import ACTOR_MARK
from consultation.record.services import record_event
from consultation.rules import PARTICIPATING_ROLES, current_memberships
from workinggroups.services.common import forget_cached_memberships


def participating_memberships(*, user, consultation):
    """The person's current convenor or member memberships of groups invited to the consultation."""
    if not user.is_authenticated:
        return []
    memberships = [m for m in current_memberships(user, consultation) if m.role in PARTICIPATING_ROLES]
    # Rule 2's order: convenor first, then the longest-standing membership.
    return sorted(memberships, key=lambda m: (m.role != "convenor", m.joined_at, m.pk))


def speaking_membership(*, user, consultation):
    """The membership a contribution made now speaks through, or None (the public).

    Call inside the contribution's transaction: the first contribution fixes
    the voice (rule 2), and a voice whose membership has ended is replaced
    (rule 3), with the change recorded."""
    memberships = participating_memberships(user=user, consultation=consultation)
    if not memberships:
        return None
    by_group = {m.group_id: m for m in reversed(memberships)}  # the first in rule order wins
    # The memberships came with the stored voice's group (current_memberships, the rule's
    # query): where it names one of them, it stands and there is nothing to write.
    stored = getattr(memberships[0], "voice_group_id", None)
    if stored in by_group:
        return by_group[stored]
    voice, created = Voice.objects.get_or_create(
        consultation=consultation, user=user, defaults={"group": memberships[0].group}
    )
    if created or voice.group_id in by_group:
        return by_group[voice.group_id]
    previous = voice.group
    voice.group, voice.chosen_by_person = memberships[0].group, False
    voice.save(update_fields=["group", "chosen_by_person", "updated_at"])
    _record_change(user=user, consultation=consultation, voice=voice, previous=previous, chosen=False)
    return memberships[0]


def voice_choose(*, user, consultation, group):
    """The person chooses to speak for `group` (one of their current groups) in the consultation.

    Later contributions speak for it; earlier ones keep theirs. Recorded in public."""
    if consultation.current_stage == Stage.FINAL:
        raise PermissionDenied("This consultation is final: who you spoke for in it no longer changes.")
    memberships = participating_memberships(user=user, consultation=consultation)
    if group.pk not in {m.group_id for m in memberships}:
        raise PermissionDenied("You can only speak for a working group you are a member of.")
    with transaction.atomic():
        voice = Voice.objects.select_for_update().filter(consultation=consultation, user=user).first()
        if voice is None:
            try:
                with transaction.atomic():
                    voice = Voice.objects.create(
                        consultation=consultation, user=user, group=group, chosen_by_person=True
                    )
            except IntegrityError:
                # A first contribution (or another window) fixed the voice meanwhile.
                voice = Voice.objects.select_for_update().get(consultation=consultation, user=user)
            else:
                _record_change(user=user, consultation=consultation, voice=voice, previous=None, chosen=True)
                return voice
        if voice.group_id == group.pk:
            if not voice.chosen_by_person:
                voice.chosen_by_person = True
                voice.save(update_fields=["chosen_by_person", "updated_at"])
            return voice
        previous = voice.group
        voice.group, voice.chosen_by_person = group, True
        voice.save()
        _record_change(user=user, consultation=consultation, voice=voice, previous=previous, chosen=True)
        # The memberships cached for this request carry the voice they were read with.
        forget_cached_memberships(user)
    return voice


def voice_of(*, user, consultation):
    """The group the person speaks for now, their choices, and whether they chose (for pages)."""
    memberships = participating_memberships(user=user, consultation=consultation)
    if not memberships:
        return {"memberships": [], "group": None, "chosen": False}
    voice = Voice.objects.filter(consultation=consultation, user=user).select_related("group").first()
    groups = {m.group_id for m in memberships}
    if voice is not None and voice.group_id in groups:
        return {"memberships": memberships, "group": voice.group, "chosen": voice.chosen_by_person}
    # Not yet fixed: the group rule 2 would take.
    return {"memberships": memberships, "group": memberships[0].group, "chosen": False}


def _record_change(*, user, consultation, voice, previous, chosen):
    # The record's actor names them: the summary marks the place (ACTOR_MARK), so the name can be erased.
    name = ACTOR_MARK
    why = "by their choice" if chosen else "because their membership of the earlier group ended"
    was = f" instead of {previous.name}" if previous is not None else ""
    record_event(
        consultation=consultation,
        kind="voice_changed",
        actor=user,
        summary=f"{name} now speaks for {voice.group.name}{was} in this consultation, {why}.",
        data={"group": voice.group_id, "previous_group": previous.pk if previous else None, "chosen": chosen},
    )
