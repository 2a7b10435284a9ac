"""Setting and withdrawing one reaction at the same moment never fails.

On PostgreSQL the requests really race (each thread has its own connection):
a withdrawal can delete the row between another request's failed insert and
its second look. Every response must be a clean answer, and the database and
the tally must agree at the end.
"""

import pytest
from django.test import Client

from consultation.models import Reaction
from consultation.reactions.selectors import reaction_tallies
from tests.support.concurrency import in_threads
from tests.support.people import member_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("rounds", [15])
def test_concurrent_set_and_withdraw_of_one_reaction_answer_cleanly(rounds):
    from workinggroups.models import WorkingGroup

    tree = build_site_tree(sections=1, stage="review", groups=[WorkingGroup.objects.create(name="Group")])
    member = member_of(tree["consultation"].invited_groups.get())
    section = tree["sections"][0]
    url = f"/consultation/reactions/section/{section.pk}/"
    signed_in = Client()
    signed_in.force_login(member)
    session = signed_in.cookies["sessionid"].value

    def post(i):
        client = Client()
        client.cookies["sessionid"] = session
        choice = ["agree", "withdraw", "disagree", "withdraw"][i % 4]
        return client.post(url, {"choice": choice}, HTTP_ACCEPT="application/json").status_code

    statuses = []
    for _ in range(rounds):
        statuses += in_threads(12, post)
    assert set(statuses) <= {200}, statuses
    assert Reaction.objects.filter(user=member).count() <= 1
    tally = reaction_tallies(paper_id=tree["paper"].pk, section_ids=[section.pk])[f"section:{section.pk}"]
    assert tally["total"] == Reaction.objects.filter(user=member).count()
