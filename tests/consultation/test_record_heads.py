"""verify_record checks the ends of the chains, not just the links between entries.

Each test forges the record as a careful forger would: edits an entry and
recomputes every hash the format asks for, so the chain itself stays
consistent and only the stored heads (or a copy of a head kept elsewhere)
can show what happened.
"""

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from consultation.models import ConsultationRecordHead, RecordEntry, RecordHead
from consultation.models.record import GENESIS_HASH
from consultation.record.services import record_event, record_verify
from tests.support.factories import ConsultationPageFactory, UserFactory
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_consultations():
    """Eight events in two consultations, interleaved, and one that belongs to none."""
    tree = build_site_tree(sections=1)
    a, b = tree["consultation"], ConsultationPageFactory(parent=tree["index"])
    actor = UserFactory(display_name="Ada Editor")
    for n, consultation in enumerate([a, b, a, None, a, b, a, b, a], start=1):
        record_event(consultation=consultation, kind="moderation", actor=actor, summary=f"Event {n}.")
    return a, b


def rechain(from_sequence, *, summary=None, move=()):
    """Edit entry `from_sequence` (if given a summary) and rebuild both chains from it to the end.

    `move` names the heads the forger also rewrites: "consultations", "record".
    """
    previous, chains = GENESIS_HASH, {}
    for entry in RecordEntry.objects.order_by("sequence"):
        if entry.sequence >= from_sequence:
            if entry.sequence == from_sequence and summary:
                entry.summary = summary
            entry.previous_hash = previous
            entry.entry_hash = entry.compute_hash()
            if entry.consultation_id:
                entry.consultation_previous_hash = chains.get(entry.consultation_id, (0, GENESIS_HASH))[1]
                entry.consultation_hash = entry.compute_consultation_hash()
            entry.save()
        previous = entry.entry_hash
        if entry.consultation_id:
            chains[entry.consultation_id] = (entry.consultation_sequence, entry.consultation_hash)
    if "consultations" in move:
        for consultation_id, (sequence, chain_hash) in chains.items():
            ConsultationRecordHead.objects.filter(consultation_id=consultation_id).update(
                last_sequence=sequence, last_hash=chain_hash
            )
    if "record" in move:
        last = RecordEntry.objects.order_by("sequence").last()
        RecordHead.objects.filter(pk=1).update(last_sequence=last.sequence, last_hash=last.entry_hash)


def test_an_intact_record_with_two_consultations_verifies(two_consultations):
    a, b = two_consultations
    assert record_verify() == (True, None, "")
    stored = {e.sequence: e for e in RecordEntry.objects.all()}
    assert [stored[s].consultation_sequence for s in range(1, 10)] == [1, 1, 2, None, 3, 2, 4, 3, 5]
    assert stored[3].consultation_previous_hash == stored[1].consultation_hash
    assert stored[1].consultation_previous_hash == stored[2].consultation_previous_hash == GENESIS_HASH
    assert ConsultationRecordHead.objects.get(consultation=a).last_hash == stored[9].consultation_hash
    assert ConsultationRecordHead.objects.get(consultation=b).last_sequence == 3


def test_the_newest_entry_edited_and_rehashed_is_found_at_the_head(two_consultations):
    rechain(9, summary="Nothing happened.", move={"consultations"})
    ok, broken, reason = record_verify()
    assert not ok and broken.sequence == 9
    with pytest.raises(CommandError, match=r"entry #9 .*not the one the record's head holds.*rewritten"):
        call_command("verify_record")


def test_a_rechained_middle_is_found_at_the_head(two_consultations):
    rechain(3, summary="Nothing happened.", move={"consultations"})
    # Every link holds now: only the head can tell.
    with pytest.raises(CommandError, match=r"entry #9 .*rewritten at or before it"):
        call_command("verify_record")


def test_a_rechained_middle_with_the_record_head_moved_is_found_at_the_consultations_head(
    two_consultations,
):
    a, _ = two_consultations
    rechain(3, summary="Nothing happened.", move={"record"})
    with pytest.raises(CommandError, match=rf"a head: consultation {a.pk}'s chain ends with a hash its head"):
        call_command("verify_record")


def test_a_deleted_tail_is_found_and_named(two_consultations):
    RecordEntry.objects.filter(sequence__gte=8).delete()
    rechain(8, move={"consultations"})  # the consultations' heads agree with what is left
    with pytest.raises(CommandError, match=r"ends at #7 but its head says 9 were written: entries #8 to #9"):
        call_command("verify_record")


def test_a_deleted_tail_with_the_record_head_moved_back_is_found_at_the_consultations_head(
    two_consultations,
):
    a, _ = two_consultations
    RecordEntry.objects.filter(sequence=9).delete()
    rechain(9, move={"record"})
    with pytest.raises(CommandError, match=rf"consultation {a.pk}'s chain ends at 4 but its head says 5"):
        call_command("verify_record")


def test_verify_record_prints_the_head_to_keep(two_consultations, capsys):
    call_command("verify_record")
    newest = RecordEntry.objects.order_by("sequence").last()
    assert f"Head to keep: 9:{newest.entry_hash}" in capsys.readouterr().out


def test_entries_appended_around_the_head_are_found(two_consultations):
    RecordHead.objects.filter(pk=1).update(last_sequence=8)
    ok, broken, reason = record_verify()
    assert not ok and broken.sequence == 9 and "head stops at #8" in reason


def test_a_record_rewritten_heads_and_all_shows_only_against_a_kept_copy_of_the_head(two_consultations):
    """Whoever can write every row can forge a consistent record: copies of the head kept
    outside are what catch it, and a copy from before the rewrite point still agrees."""
    kept_early = RecordEntry.objects.get(sequence=2)
    kept_late = RecordEntry.objects.get(sequence=9)
    rechain(3, summary="Nothing happened.", move={"consultations", "record"})
    assert record_verify().ok
    call_command("verify_record", head=f"2:{kept_early.entry_hash}")
    call_command("verify_record", head=f"0:{GENESIS_HASH}")
    with pytest.raises(CommandError, match=r"entry #9 .*kept copy of the head"):
        call_command("verify_record", head=f"9:{kept_late.entry_hash}")
    with pytest.raises(CommandError, match=r"names #12 but the record ends at #9"):
        call_command("verify_record", head=f"12:{kept_late.entry_hash}")
    with pytest.raises(CommandError, match=r"SEQUENCE:HASH"):
        call_command("verify_record", head="9")


def test_appends_stay_in_the_callers_transaction_heads_included(two_consultations):
    from django.db import transaction

    a, _ = two_consultations
    before = ConsultationRecordHead.objects.get(consultation=a).last_sequence
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(consultation=a, kind="x", actor=None, summary="doomed")
        raise RuntimeError
    assert ConsultationRecordHead.objects.get(consultation=a).last_sequence == before
    assert record_verify().ok


def test_the_migration_builds_each_consultations_chain_for_existing_entries(two_consultations):
    """0011 computes the chains for entries recorded before it, exactly as appending does."""
    chain = ("sequence", "consultation_sequence", "consultation_previous_hash", "consultation_hash")
    expected = list(RecordEntry.objects.values_list(*chain))
    heads = list(ConsultationRecordHead.objects.values_list("consultation_id", "last_sequence", "last_hash"))
    RecordEntry.objects.update(
        consultation_sequence=None, consultation_previous_hash="", consultation_hash=""
    )
    ConsultationRecordHead.objects.all().delete()
    migration = importlib.import_module("consultation.migrations.0011_record_consultation_chains")
    migration.forward(apps, None)
    assert list(RecordEntry.objects.values_list(*chain)) == expected
    assert sorted(
        ConsultationRecordHead.objects.values_list("consultation_id", "last_sequence", "last_hash")
    ) == sorted(heads)
    assert record_verify().ok
