"""The process record is append-only and tamper-evident."""

import pytest
from django.core.management import CommandError, call_command

from consultation.models import RecordEntry
from consultation.record.services import record_event, record_verify
from tests.support.factories import UserFactory
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    tree = build_site_tree(sections=1)
    actor = UserFactory(display_name="Ada Editor")
    made = [
        record_event(
            consultation=tree["consultation"],
            kind="stage_changed",
            actor=actor,
            summary=f"Event {n}",
            data={"n": n, "when": tree["paper"].first_published_at},
        )
        for n in range(1, 6)
    ]
    return made


def test_tampering_with_a_stored_summary_is_found_and_named(entries):
    RecordEntry.objects.filter(pk=entries[2].pk).update(summary="Something else")
    ok, broken, reason = record_verify()
    assert not ok
    assert broken.pk == entries[2].pk
    with pytest.raises(CommandError, match=r"entry #3 .*contents do not match"):
        call_command("verify_record")


def test_tampering_with_data_is_found(entries):
    RecordEntry.objects.filter(pk=entries[0].pk).update(data={"n": 99})
    ok, broken, _ = record_verify()
    assert not ok and broken.pk == entries[0].pk


def test_deleting_an_entry_breaks_the_chain_at_the_next_one(entries):
    RecordEntry.objects.filter(pk=entries[1].pk).delete()
    ok, broken, reason = record_verify()
    assert not ok
    assert broken.pk == entries[2].pk
    assert "missing" in reason


def test_deleting_the_last_entry_is_found(entries):
    RecordEntry.objects.filter(pk=entries[-1].pk).delete()
    ok, broken, reason = record_verify()
    assert not ok
    assert "written" in reason


def test_rehashing_one_entry_still_breaks_the_link_to_the_next(entries):
    entry = RecordEntry.objects.get(pk=entries[1].pk)
    entry.summary = "Rewritten"
    entry.entry_hash = entry.compute_hash()
    entry.consultation_hash = entry.compute_consultation_hash()
    entry.save()
    ok, broken, reason = record_verify()
    assert not ok
    assert broken.pk == entries[2].pk
    assert "previous_hash" in reason


def test_rehashing_only_the_entry_hash_breaks_the_consultations_chain_at_that_entry(entries):
    entry = RecordEntry.objects.get(pk=entries[1].pk)
    entry.summary = "Rewritten"
    entry.entry_hash = entry.compute_hash()
    entry.save()
    ok, broken, reason = record_verify()
    assert not ok
    assert broken.pk == entries[1].pk
    assert "consultation_hash" in reason


def test_an_intact_record_verifies(entries, capsys):
    assert record_verify() == (True, None, "")
    call_command("verify_record")
    assert "5 entries verified" in capsys.readouterr().out


def test_entries_chain_in_order_with_actor_names(entries):
    stored = list(RecordEntry.objects.all())
    assert [e.sequence for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].previous_hash == "0" * 64
    assert all(b.previous_hash == a.entry_hash for a, b in zip(stored, stored[1:], strict=False))
    assert {e.actor_name for e in stored} == {"Ada Editor"}


def test_an_event_rolls_back_with_the_action_that_caused_it():
    from django.db import transaction

    tree = build_site_tree(sections=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(consultation=tree["consultation"], kind="x", actor=None, summary="doomed")
        raise RuntimeError
    assert not RecordEntry.objects.exists()
    assert record_verify()[0]
