"""Migration 0013: an upgraded site keeps counting the reactions it had.

Rows made before fingerprints carry none; the migration gives each section its
live fingerprint and each reaction the fingerprint of the wording it was made on.
"""

import importlib

import pytest
from django.apps import apps

from consultation.models import Reaction, SectionPage
from consultation.reactions.selectors import reaction_tallies
from tests.support.contributions import react
from tests.support.people import member_of
from tests.support.trees import reaction_tree

pytestmark = pytest.mark.django_db

migration = importlib.import_module("consultation.migrations.0013_fingerprint_existing_wording")


def test_reactions_from_before_fingerprints_count_again_after_the_migration():
    tree = reaction_tree(sections=2)
    members = [member_of(tree["groups"][0]) for _ in range(3)]
    section = SectionPage.objects.get(pk=tree["sections"][0].pk)
    react(members, section, "agree")
    key = f"section:{section.pk}"

    def counted():
        return reaction_tallies(paper_id=tree["paper"].pk, section_ids=[section.pk])[key]["total"]

    assert counted() == 3
    # The site as it was before 0012: no fingerprints anywhere.
    Reaction.objects.update(text_hash="")
    SectionPage.objects.update(wording_hash="")

    migration.forward(apps, None)

    assert counted() == 3
    assert not Reaction.objects.filter(text_hash="").exists()
    assert SectionPage.objects.get(pk=section.pk).wording_hash == section.wording_hash
    # Reacting again finds the person's reaction on this wording: no second row, no double count.
    react(members[:1], SectionPage.objects.get(pk=section.pk), "disagree")
    assert Reaction.objects.filter(target_kind="section", target_id=section.pk).count() == 3
    assert counted() == 3
