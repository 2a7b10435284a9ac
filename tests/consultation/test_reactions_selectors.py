"""Tallies come from one aggregate query per paper, whatever the number of sections or reactions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.reactions.selectors import reaction_choices_of_user, reaction_tallies, tally_groups
from consultation.reactions.services import reaction_set, reaction_withdraw
from tests.support.contributions import counted
from tests.support.factories import UserFactory, WorkingGroupFactory
from tests.support.people import member_of
from tests.support.trees import reaction_tree

pytestmark = pytest.mark.django_db


def fill(tree, people_per_group=3):
    """Reactions from every invited group's members on every section."""
    choices = ["agree", "disagree", "neutral"]
    for g, group in enumerate(tree["groups"]):
        for p in range(people_per_group):
            user = member_of(group)
            for s, section in enumerate(tree["sections"]):
                reaction_set(user=user, target=section, choice=choices[(g + p + s) % 3])


def test_breaks_a_tally_down_overall_by_group_and_members_versus_public():
    tree = reaction_tree(stage="scrutiny", sections=1)
    section = tree["sections"][0]
    first, second = tree["groups"]
    reaction_set(user=member_of(first), target=section, choice="agree")
    reaction_set(user=member_of(first), target=section, choice="disagree")
    reaction_set(user=member_of(second), target=section, choice="agree")
    reaction_set(user=UserFactory(), target=section, choice="neutral")

    tally = reaction_tallies(paper_id=tree["paper"].pk)[f"section:{section.pk}"]
    assert tally == {
        "target": f"section:{section.pk}",
        "counts": {"agree": 2, "disagree": 1, "neutral": 1},
        "total": 4,
        "members": {"agree": 2, "disagree": 1, "neutral": 0},
        "public": {"agree": 0, "disagree": 0, "neutral": 1},
        "by_group": {
            str(first.pk): {"agree": 1, "disagree": 1, "neutral": 0},
            str(second.pk): {"agree": 1, "disagree": 0, "neutral": 0},
        },
    }
    assert tally == counted(tree["paper"], "section", section.pk)


def test_lists_zero_tallies_for_sections_and_targets_asked_for_even_without_reactions():
    tree = reaction_tree(sections=2)
    member = member_of(tree["groups"][0])
    first, second = tree["sections"]
    reaction_set(user=member, target=first, choice="agree")
    reaction_withdraw(user=member, target=first)

    tallies = reaction_tallies(paper_id=tree["paper"].pk, targets=[f"section:{first.pk}"])
    assert list(tallies) == [f"section:{first.pk}"]
    assert tallies[f"section:{first.pk}"]["counts"] == {"agree": 0, "disagree": 0, "neutral": 0}
    everything = reaction_tallies(paper_id=tree["paper"].pk, section_ids=[first.pk, second.pk])
    assert set(everything) == {f"section:{first.pk}", f"section:{second.pk}"}


def test_narrowing_to_targets_leaves_out_the_others_and_other_papers():
    tree = reaction_tree(sections=2)
    member = member_of(tree["groups"][0])
    first, second = tree["sections"]
    reaction_set(user=member, target=first, choice="agree")
    reaction_set(user=member, target=second, choice="disagree")
    only_second = reaction_tallies(paper_id=tree["paper"].pk, targets=[f"section:{second.pk}"])
    assert list(only_second) == [f"section:{second.pk}"]
    assert only_second[f"section:{second.pk}"]["counts"]["disagree"] == 1
    assert reaction_tallies(paper_id=tree["paper"].pk + 999) == {}
    assert reaction_tallies(paper_id=tree["paper"].pk, targets=[]) == {}


@pytest.mark.parametrize("sections,people", [(2, 1), (8, 4)])
def test_a_whole_paper_is_one_query_however_large(sections, people):
    tree = reaction_tree(sections=sections)
    fill(tree, people_per_group=people)
    with CaptureQueriesContext(connection) as queries:
        tallies = reaction_tallies(paper_id=tree["paper"].pk, section_ids=[s.pk for s in tree["sections"]])
    assert len(queries) == 1
    assert "GROUP BY" in queries[0]["sql"].upper()
    for section in tree["sections"]:
        assert tallies[f"section:{section.pk}"] == counted(tree["paper"], "section", section.pk)


def test_the_persons_own_choices_are_one_query_and_nothing_for_the_anonymous():
    from django.contrib.auth.models import AnonymousUser

    tree = reaction_tree(sections=2)
    member = member_of(tree["groups"][0])
    reaction_set(user=member, target=tree["sections"][1], choice="neutral")
    with CaptureQueriesContext(connection) as queries:
        mine = reaction_choices_of_user(user=member, paper_id=tree["paper"].pk)
    assert len(queries) == 1
    assert mine == {f"section:{tree['sections'][1].pk}": "neutral"}
    assert reaction_choices_of_user(user=AnonymousUser(), paper_id=tree["paper"].pk) == {}


def test_table_columns_are_the_invited_groups_and_any_uninvited_group_that_reacted():
    tree = reaction_tree(sections=1)
    member = member_of(tree["groups"][0])
    reaction_set(user=member, target=tree["sections"][0], choice="agree")
    former_guest = tree["groups"][0]
    consultation = tree["consultation"]
    consultation.invited_groups.set([tree["groups"][1]])
    consultation.save()
    WorkingGroupFactory()  # neither invited nor reacting: not a column
    tallies = reaction_tallies(paper_id=tree["paper"].pk)
    groups = tally_groups(consultation=consultation, tallies=tallies)
    assert set(groups) == {former_guest, tree["groups"][1]}


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_paper_page_query_count_does_not_grow_with_sections_or_reactions(client):
    from tests.support.factories import PolicyPaperPageFactory, SectionPageFactory

    small = reaction_tree(sections=2)
    fill(small, people_per_group=1)
    large = dict(small)
    large["paper"] = PolicyPaperPageFactory(parent=small["consultation"])
    large["sections"] = [SectionPageFactory(parent=large["paper"]) for _ in range(9)]
    fill(large, people_per_group=4)
    reader = member_of(small["groups"][0])
    client.force_login(reader)
    reaction_set(user=reader, target=large["sections"][3], choice="agree")
    _page_queries(client, small["paper"].url)  # warm caches (Site, Locale)
    small_count = _page_queries(client, small["paper"].url)
    large_count = _page_queries(client, large["paper"].url)
    assert large_count <= small_count
