"""Appending to the public process record, and checking it."""

import json
from typing import NamedTuple

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from consultation.models.record import GENESIS_HASH, ConsultationRecordHead, RecordEntry, RecordHead


def record_event(*, consultation, kind, actor, summary, data=None, subject=None, subject_name=None):
    """Append one public event to the process record and return it.

    A summary that names the actor or another person (`subject`) writes
    ACTOR_MARK / SUBJECT_MARK where the name goes: the names are stored beside
    the entry, outside what is hashed, so they can be erased later.
    `subject_name` defaults to the subject's public name.

    Runs inside the caller's transaction (or its own): if the action that
    caused the event rolls back, the entry goes with it. The whole record's
    head row is locked first, so concurrent writers append one after the other
    and each consultation's head is only ever moved under that lock.
    """
    with transaction.atomic():
        head, _ = RecordHead.objects.select_for_update().get_or_create(pk=1)
        entry = RecordEntry(
            sequence=head.last_sequence + 1,
            consultation=consultation,
            kind=kind,
            created_at=timezone.now(),
            actor=actor if actor is not None and actor.is_authenticated else None,
            subject=subject,
            summary=summary,
            data=data or {},
            previous_hash=head.last_hash,
        )
        if subject is not None and subject_name is None:
            subject_name = _public_name(subject)
        entry.set_names(actor_name=_public_name(actor), subject_name=subject_name or "")
        # Round-trip through JSON types first so the hash matches what is stored.
        entry.data = _json_roundtrip(entry.data)
        entry.entry_hash = entry.compute_hash()
        consultation_head = None
        if consultation is not None:
            consultation_head, _ = ConsultationRecordHead.objects.get_or_create(consultation=consultation)
            entry.consultation_sequence = consultation_head.last_sequence + 1
            entry.consultation_previous_hash = consultation_head.last_hash
            entry.consultation_hash = entry.compute_consultation_hash()
        entry.save()
        head.last_sequence = entry.sequence
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_sequence", "last_hash"])
        if consultation_head is not None:
            consultation_head.last_sequence = entry.consultation_sequence
            consultation_head.last_hash = entry.consultation_hash
            consultation_head.save(update_fields=["last_sequence", "last_hash"])
    return entry


class RecordCheck(NamedTuple):
    """What `record_verify` found: the first break, if any (entry is None when a head is at fault)."""

    ok: bool
    entry: RecordEntry | None
    reason: str


INTACT = RecordCheck(True, None, "")


def record_verify(*, kept_head=None):
    """Walk both chains in one pass, then compare their ends with the stored heads.

    The whole record: sequences 1, 2, 3… with no gap, each `previous_hash`
    the `entry_hash` before it, each `entry_hash` recomputed from the entry.
    Each consultation's chain likewise, with its own numbering and hashes.
    Then the stored heads must name the last entry of each chain, so editing
    and re-hashing the newest entry, re-chaining from any point, or deleting
    the tail shows even though the chain itself is consistent.

    Someone who can write to the database can also rewrite the heads: copies
    of the head kept outside (the JSON and feed publish it) catch that.
    `kept_head=(sequence, entry_hash)` checks one such copy of the whole
    record's head: entry `sequence` must still have that hash.
    """
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    chains = {}  # consultation id -> (last consultation sequence, last consultation hash)
    last = None
    kept_entry = None
    for entry in RecordEntry.objects.order_by("sequence").iterator():
        if entry.sequence != expected_sequence:
            return RecordCheck(False, entry, f"sequence {expected_sequence} is missing")
        if entry.previous_hash != expected_previous:
            return RecordCheck(False, entry, "previous_hash does not match the entry before it")
        if entry.compute_hash() != entry.entry_hash:
            return RecordCheck(False, entry, "contents do not match the stored hash")
        broken = _check_consultation_link(entry, chains)
        if broken:
            return RecordCheck(False, entry, broken)
        expected_previous = entry.entry_hash
        expected_sequence += 1
        last = entry
        if kept_head and entry.sequence == kept_head[0]:
            kept_entry = entry

    broken = _check_record_head(last) or _check_consultation_heads(chains)
    if broken:
        return broken
    if kept_head:
        return _check_kept_head(kept_head, kept_entry, last)
    return INTACT


def _check_consultation_link(entry, chains):
    if entry.consultation_id is None:
        if entry.consultation_sequence is not None or entry.consultation_hash:
            return "it belongs to no consultation but has a place in a consultation's chain"
        return ""
    last_sequence, last_hash = chains.get(entry.consultation_id, (0, GENESIS_HASH))
    chain = f"consultation {entry.consultation_id}'s chain"
    if entry.consultation_sequence != last_sequence + 1:
        return f"{chain} expects its entry {last_sequence + 1} here, not {entry.consultation_sequence}"
    if entry.consultation_previous_hash != last_hash:
        return f"consultation_previous_hash does not match the entry before it in {chain}"
    if entry.compute_consultation_hash() != entry.consultation_hash:
        return f"consultation_hash does not match the entry ({chain})"
    chains[entry.consultation_id] = (entry.consultation_sequence, entry.consultation_hash)
    return ""


def _check_record_head(last):
    head = RecordHead.objects.filter(pk=1).first()
    written = head.last_sequence if head else 0
    ends_at = last.sequence if last else 0
    if written > ends_at:
        first = ends_at + 1
        gone = f"entry #{written} was" if written == first else f"entries #{first} to #{written} were"
        why = f"the record ends at #{ends_at} but its head says {written} were written: {gone} deleted"
        return RecordCheck(False, None, why)
    if written < ends_at:
        why = f"the record's head stops at #{written}: entries after it were added without moving it"
        return RecordCheck(False, last, why)
    if last is not None and head.last_hash != last.entry_hash:
        return RecordCheck(
            False,
            last,
            "its hash is not the one the record's head holds: the chain was rewritten at or before it "
            "(an entry edited and re-hashed, or re-chained)",
        )
    return None


def _check_consultation_heads(chains):
    heads = {head.consultation_id: head for head in ConsultationRecordHead.objects.all()}
    for consultation_id in sorted(set(heads) | set(chains)):
        head = heads.get(consultation_id)
        written = (head.last_sequence, head.last_hash) if head else (0, GENESIS_HASH)
        found = chains.get(consultation_id, (0, GENESIS_HASH))
        if written == found:
            continue
        where = f"consultation {consultation_id}'s chain"
        if written[0] > found[0]:
            why = f"{where} ends at {found[0]} but its head says {written[0]} were written"
        elif written[0] < found[0]:
            why = f"{where} runs to {found[0]} but its head stops at {written[0]}"
        else:
            why = f"{where} ends with a hash its head does not hold: it was rewritten"
        return RecordCheck(False, None, why)
    return None


def _check_kept_head(kept_head, kept_entry, last):
    sequence, entry_hash = kept_head
    if (sequence, entry_hash) == (0, GENESIS_HASH):
        return INTACT  # the head of an empty record: any record starts from it
    if kept_entry is None:
        ends_at = last.sequence if last else 0
        return RecordCheck(False, None, f"the kept head names #{sequence} but the record ends at #{ends_at}")
    if kept_entry.entry_hash != entry_hash:
        return RecordCheck(
            False,
            kept_entry,
            "its hash is not the one in the kept copy of the head: the record was rewritten at or before it",
        )
    return INTACT


def _public_name(actor):
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "System"
    return getattr(actor, "public_name", None) or actor.get_username()


def _json_roundtrip(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
