"""Concurrent appends never fork either chain.

On PostgreSQL the writers really race (each thread has its own connection):
the first event of a new consultation creates its head while others append.
Every append waits for the whole record's head lock, so both chains and all
heads come out whole.
"""

import pytest
from django.db import transaction

from consultation.models import ConsultationRecordHead, RecordEntry
from consultation.record.services import record_event, record_verify
from tests.support.concurrency import in_threads
from tests.support.factories import ConsultationPageFactory
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 6
EACH = 5


def test_concurrent_appends_to_new_and_existing_consultations_keep_every_chain_whole():
    tree = build_site_tree(sections=1)
    old, new = tree["consultation"], ConsultationPageFactory(parent=tree["index"])
    record_event(consultation=old, kind="moderation", actor=None, summary="Before the race.")

    def write(i):
        for n in range(EACH):
            with transaction.atomic():
                consultation = (old, new, None)[(i + n) % 3]
                record_event(consultation=consultation, kind="moderation", actor=None, summary=f"{i}.{n}")

    in_threads(WRITERS, write)
    assert record_verify() == (True, None, "")
    assert RecordEntry.objects.count() == 1 + WRITERS * EACH
    for consultation in (old, new):
        entries = RecordEntry.objects.filter(consultation=consultation)
        count = entries.count()
        assert list(entries.values_list("consultation_sequence", flat=True)) == list(range(1, count + 1))
        assert ConsultationRecordHead.objects.get(consultation=consultation).last_sequence == count
