"""Appending to the public process record, and checking it."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from consultation.models.record import GENESIS_HASH, RecordEntry, RecordHead


def record_event(*, consultation, kind, actor, summary, data=None):
    """Append one public event to the process record and return it.

    Runs inside the caller's transaction (or its own): if the action that
    caused the event rolls back, the entry goes with it. The head row is
    locked, so concurrent writers append one after the other.
    """
    with transaction.atomic():
        head, _ = RecordHead.objects.select_for_update().get_or_create(pk=1)
        entry = RecordEntry(
            sequence=head.last_sequence + 1,
            consultation=consultation,
            kind=kind,
            created_at=timezone.now(),
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_name=_public_name(actor),
            summary=summary,
            data=data or {},
            previous_hash=head.last_hash,
        )
        # Round-trip through JSON types first so the hash matches what is stored.
        entry.data = _json_roundtrip(entry.data)
        entry.entry_hash = entry.compute_hash()
        entry.save()
        head.last_sequence = entry.sequence
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return entry


def record_verify():
    """Walk the chain in order. Returns (ok, first_broken_entry_or_None, reason)."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    for entry in RecordEntry.objects.order_by("sequence").iterator():
        if entry.sequence != expected_sequence:
            return False, entry, f"sequence {expected_sequence} is missing"
        if entry.previous_hash != expected_previous:
            return False, entry, "previous_hash does not match the entry before it"
        if entry.compute_hash() != entry.entry_hash:
            return False, entry, "contents do not match the stored hash"
        expected_previous = entry.entry_hash
        expected_sequence += 1
    head = RecordHead.objects.filter(pk=1).first()
    if head and head.last_sequence != expected_sequence - 1:
        written = head.last_sequence
        return False, None, f"the record ends at {expected_sequence - 1} but {written} were written"
    return True, None, ""


def _public_name(actor):
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "System"
    return getattr(actor, "public_name", None) or actor.get_username()


def _json_roundtrip(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
