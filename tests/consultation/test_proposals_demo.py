"""The demo's competing proposals: made through the services, ranked, idempotent."""

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from consultation.demo import proposals as demo_proposals
from consultation.models import Proposal, Reaction, RecordEntry, SectionPage

pytestmark = pytest.mark.django_db


def counts():
    return (
        Proposal.objects.count(),
        Reaction.objects.filter(target_kind="proposal").count(),
        RecordEntry.objects.filter(kind__startswith="proposal_").count(),
    )


def test_the_demo_has_two_competing_proposals_ranked_by_cross_group_support(client):
    call_command("load_demo", verbosity=0)
    section = SectionPage.objects.get(slug=demo_proposals.SECTION_SLUG)
    made = list(Proposal.objects.filter(section=section).order_by("pk"))
    assert [(p.kind, p.working_group_name) for p in made] == [
        ("addition", "Conditions for sharing"),
        ("replacement", "Safeguards and oversight"),
    ]
    assert counts() == (2, 14, 2)

    soup = BeautifulSoup(client.get(section.url).content.decode(), "html.parser")
    cards = soup.select(f"#proposals-{section.pk} li.proposal")
    # Agreed across all three groups, the added paragraph comes first.
    assert [card["data-proposal-id"] for card in cards] == [str(made[0].pk), str(made[1].pk)]
    # The reworded clause shows as a small word-level change, not a rewrite.
    changed = [ins.get_text(" ", strip=True) for ins in cards[1].select(".diff ins")]
    assert len(changed) == 1 and "ten working days" in changed[0]

    call_command("load_demo", verbosity=0)
    assert counts() == (2, 14, 2)
