"""Migration 0014: an upgraded site's record moves names outside the hashes and still verifies."""

import importlib

import pytest
from django.apps import apps

from consultation.models import RecordEntry
from consultation.privacy.services import account_erase
from consultation.record.services import record_verify
from tests.support.contributions import propose
from tests.support.trees import proposal_tree

pytestmark = pytest.mark.django_db

migration = importlib.import_module("consultation.migrations.0014_record_names_outside_the_hash")


def as_before_0014():
    """Rewrite the record as 0013 left it: names inside summaries, hashes over `actor_name`."""
    for entry in RecordEntry.objects.order_by("sequence"):
        entry.summary = entry.public_summary
        entry.subject = None
        entry.subject_name = entry.actor_name_salt = entry.actor_name_digest = ""
        entry.subject_name_salt = entry.subject_name_digest = ""
        entry.entry_hash = "stale"  # 0014 recomputes every hash and both chains
        entry.save()


def test_names_found_in_old_summaries_become_marks_and_the_record_verifies():
    tree = proposal_tree()
    author = tree["members"][0][0]
    proposal = propose(author, tree["sections"][0])
    as_before_0014()
    assert author.display_name in RecordEntry.objects.get(kind="proposal_made").summary

    migration.forward(apps, None)

    entry = RecordEntry.objects.get(kind="proposal_made")
    assert author.display_name not in entry.summary and "{subject}" in entry.summary
    assert entry.subject_id == author.pk and entry.subject_name == proposal.author_name
    assert entry.subject_name_digest and entry.actor_name_digest
    assert author.display_name in entry.public_summary
    assert record_verify().ok

    # And erasing the author afterwards keeps it verifying.
    account_erase(user=author)
    entry.refresh_from_db()
    assert author.display_name not in entry.public_summary and "A former participant" in entry.public_summary
    assert record_verify().ok
