"""Opinion groups inferred from the votes: too few first, then a planted cross-cutting split that
the method must recover (adjusted Rand index ≥ 0.9), determinism, the cache, and the report."""

import random

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from sklearn.metrics import adjusted_rand_score

from consultation.opinions import method
from consultation.opinions.selectors import infer_groups, opinion_groups, version_votes, votes_stamp
from tests.support.contributions import react
from tests.support.trees import report_tree, restrict

# Three declared groups of ten; in each, half take one side of every statement and half the
# other ("the same line" cuts across the groups). 10 % of votes flipped, 10 % missing.
DECLARED, PER_GROUP, STATEMENTS = 3, 10, 8


def _planted(seed=1, flip=0.1, missing=0.1):
    rng = random.Random(seed)
    votes, planted, declared = {}, {}, {}
    person = 0
    for group in range(DECLARED):
        for i in range(PER_GROUP):
            person += 1
            side = i % 2
            planted[person], declared[person] = side, group
            row = {}
            for statement in range(STATEMENTS):
                if rng.random() < missing:
                    continue
                vote = 1 if (statement < STATEMENTS // 2) == (side == 0) else -1
                if rng.random() < flip:
                    vote = -vote if rng.random() < 0.7 else 0
                row[statement] = vote
            votes[person] = row
    return votes, planted, declared


def test_too_few_people_say_so_plainly():
    votes, _, _ = _planted()
    few = {p: votes[p] for p in list(votes)[:6]}
    result = method.infer(few, statements=range(STATEMENTS), min_votes=3, min_participants=10)
    assert not result.enough and result.groups == {}
    assert "6 people voted" in result.reason and "10 are needed" in result.reason


def test_people_with_too_few_votes_are_left_out():
    votes, _, _ = _planted(missing=0)
    votes[999] = {0: 1, 1: 1}
    result = method.infer(votes, statements=range(STATEMENTS), min_votes=7, min_participants=10)
    assert result.enough and 999 in result.left_out and 999 not in result.groups


def test_one_line_of_agreement_is_not_split_into_groups():
    everyone_agrees = {p: dict.fromkeys(range(STATEMENTS), 1) for p in range(20)}
    result = method.infer(everyone_agrees, statements=range(STATEMENTS), min_participants=10)
    assert not result.enough


def test_no_inferred_group_is_smaller_than_the_minimum():
    votes, _, _ = _planted(missing=0, flip=0)
    # Three people who disagree with everyone on everything: a group of three if allowed.
    for person in (901, 902, 903):
        votes[person] = dict.fromkeys(range(STATEMENTS), 0)
    free = method.infer(votes, statements=range(STATEMENTS), min_group=1)
    bounded = method.infer(votes, statements=range(STATEMENTS), min_group=5)
    assert bounded.enough
    sizes = [list(bounded.groups.values()).count(g) for g in set(bounded.groups.values())]
    assert min(sizes) >= 5
    assert free.k >= bounded.k


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_planted_cross_cutting_split_is_recovered(seed):
    votes, planted, declared = _planted(seed=seed)
    result = method.infer(votes, statements=range(STATEMENTS), min_votes=5, min_participants=10)
    assert result.enough and result.k == 2
    people = sorted(result.groups)
    assert adjusted_rand_score([planted[p] for p in people], [result.groups[p] for p in people]) >= 0.9
    # ... and it is not the declared groups.
    assert adjusted_rand_score([declared[p] for p in people], [result.groups[p] for p in people]) < 0.1
    # Each group is set apart by the statements planted on its side.
    for group, items in result.distinguishing.items():
        assert items, group
        assert all(item.z > method.Z_90 for item in items)


def test_the_same_votes_always_give_the_same_groups():
    votes, _, _ = _planted()
    first = method.infer(votes, statements=range(STATEMENTS), min_votes=5)
    again = method.infer(dict(reversed(list(votes.items()))), statements=range(STATEMENTS), min_votes=5)
    assert first.groups == again.groups and first.silhouette == again.silhouette
    assert first.distinguishing == again.distinguishing


# ---------------------------------------------------------------- through the site


@pytest.fixture
def split_consultation(db):
    """Three declared groups of eight, each split half-and-half along the same line, on six sections."""
    tree = report_tree(sections=6, per_group=8)
    planted = {}
    for members in tree["members"]:
        for i, person in enumerate(members):
            side = i % 2
            planted[person.pk] = side
            for number, section in enumerate(tree["sections"]):
                agrees = (number < 3) == (side == 0)
                react([person], section, "agree" if agrees else "disagree")
    tree["planted"] = planted
    return tree


@pytest.mark.django_db
def test_too_few_people_on_the_report_page(client):
    tree = report_tree(per_group=1)
    react([tree["members"][0][0]], tree["sections"][0], "agree")
    page = BeautifulSoup(client.get(f"{tree['paper'].url}report/").content, "html.parser")
    section = page.select_one("#opinion-groups")
    assert section.select_one("[data-opinions-too-few]") is not None
    assert section.select_one("#opinion-crosstab") is None


@pytest.mark.django_db
def test_the_site_recovers_the_split_and_the_report_shows_the_crosstab(client, split_consultation, settings):
    tree = split_consultation
    inferred = infer_groups(version_votes(paper=tree["paper"]))
    people = sorted(inferred.groups)
    assert len(people) == 24
    score = adjusted_rand_score([tree["planted"][p] for p in people], [inferred.groups[p] for p in people])
    assert score >= 0.9

    page = BeautifulSoup(client.get(f"{tree['paper'].url}report/").content, "html.parser")
    table = page.select_one("#opinion-crosstab")
    columns = [th.get_text(strip=True) for th in table.select("thead th")]
    assert columns == ["Opinion group", "Civil society", "Local government", "Researchers", "Total"]
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in table.select("tbody tr")]
    # Each opinion group holds half of every declared group: the split cuts across them.
    assert rows == [["4", "4", "4", "12"], ["4", "4", "4", "12"]]
    consensus = page.select_one("#opinion-consensus")
    assert len(consensus.select("tbody tr")) == 6
    # The paper page links to it.
    assert "report/#opinion-groups" in client.get(tree["paper"].url).content.decode()


@pytest.mark.django_db
def test_the_cached_groups_change_when_a_reaction_does(settings):
    settings.OPINION_GROUPS_CACHE_SECONDS = 3600
    settings.OPINION_GROUPS_REFRESH_SECONDS = 0
    tree = report_tree(per_group=2)
    react([tree["members"][0][0]], tree["sections"][0], "agree")
    assert opinion_groups(paper=tree["paper"])["participants"] == 1
    react([tree["members"][1][0]], tree["sections"][0], "disagree")
    assert opinion_groups(paper=tree["paper"])["participants"] == 2
    # While another request computes a new state, the previous groups are shown meanwhile.
    react([tree["members"][2][0]], tree["sections"][0], "agree")
    lock = f"opinions:{votes_stamp(tree['paper'], None)}:lock"
    cache.add(lock, 1)
    assert opinion_groups(paper=tree["paper"])["participants"] == 2
    cache.delete(lock)
    assert opinion_groups(paper=tree["paper"])["participants"] == 3
    # Votes arriving continuously: recomputed at most once per refresh interval...
    settings.OPINION_GROUPS_REFRESH_SECONDS = 3600
    react([tree["members"][2][1]], tree["sections"][0], "agree")
    assert opinion_groups(paper=tree["paper"])["participants"] == 3
    # ... but a change of text at once: the restricted section's votes are gone.
    restrict(tree["sections"][0])
    assert opinion_groups(paper=tree["paper"])["participants"] == 0
