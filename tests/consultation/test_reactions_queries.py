"""The write path at an event's peak: a reaction POST costs a small, fixed number of
queries (the section, its paper and consultation one query each, the person's voice, the
row, and the tally read once for the answer)."""

import pytest

from tests.support.people import member_of
from tests.support.trees import groups_tree

pytestmark = pytest.mark.django_db


def test_a_reaction_post_costs_at_most_twelve_queries(client, django_assert_max_num_queries):
    tree = groups_tree(stage="review", groups=1, sections=2)
    client.force_login(member_of(tree["groups"][0]))
    warm = f"/consultation/reactions/section/{tree['sections'][1].pk}/"  # Site root paths, content types
    assert client.post(warm, {"choice": "neutral"}, HTTP_ACCEPT="application/json").status_code == 200
    url = f"/consultation/reactions/section/{tree['sections'][0].pk}/"
    with django_assert_max_num_queries(14):  # the first: an insert inside a savepoint
        assert client.post(url, {"choice": "neutral"}, HTTP_ACCEPT="application/json").status_code == 200
    for choice in ("agree", "disagree"):
        with django_assert_max_num_queries(12):  # was 14 before a parent page cost one query
            response = client.post(url, {"choice": choice}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["tally"]["counts"][choice] == 1
