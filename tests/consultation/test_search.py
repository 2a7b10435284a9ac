"""The public search: restricted text and hidden comments are never found, by anyone;
what may be read is found, with where it is and a link to its permalink."""

import pytest
from django.contrib.auth.models import AnonymousUser
from wagtail.search.models import IndexEntry

from consultation.comments.services import comment_create, comment_hide, comment_restore
from consultation.models import ProposalKind, SectionPage
from consultation.proposals.services import proposal_create
from consultation.search.selectors import search
from tests.support.people import comment_moderator, editor_of, everyone_around, member_of
from tests.support.trees import another_consultation, fresh, groups_tree, restrict

pytestmark = pytest.mark.django_db

SECRET = "cormorant sluice inventory"
HIDDEN = "kingfisher slander"
FOUND = "eel ladders upstream"
ROLES = ["anonymous", "public", "member", "observer", "former member", "convenor", "moderator", "editor"]


def _write(section, text):
    section.body = [("paragraph", f"<p>{text}</p>")]
    section.save_revision().publish()
    return fresh(section)


@pytest.fixture
def world():
    tree = groups_tree(stage="review", groups=1, sections=2)
    group, convenor = tree["groups"][0], tree["convenors"][0]
    member = member_of(group)
    secret = _write(tree["sections"][0], f"The {SECRET} lists every weir.")
    open_section = _write(tree["sections"][1], "Fish passes are checked every spring.")
    comment_create(author=convenor, target=secret, text=f"The {SECRET} is out of date.")
    proposal_create(
        author=member,
        section=secret,
        kind=ProposalKind.REPLACEMENT,
        text=f"Publish the {SECRET} yearly.",
        rationale="Openness.",
    )
    found = comment_create(author=member, target=open_section, text=f"We need {FOUND} too.")
    unkind = comment_create(author=member, target=open_section, text=f"A {HIDDEN} about a neighbour.")
    moderator = comment_moderator()
    comment_hide(comment=unkind, moderator=moderator, reason="Personal remarks.")
    restrict(secret)
    people = {
        **everyone_around(group, member=member, convenor=convenor, moderator=moderator),
        # Editors read restricted text on the pages, but the index never holds it.
        "editor": editor_of(tree["consultation"]),
    }
    return {**tree, "people": people, "found": found, "unkind": unkind, "moderator": moderator}


def _all_hits(results):
    return [hit for hits in results.values() for hit in hits]


@pytest.mark.parametrize("role", ROLES)
def test_a_phrase_from_restricted_text_finds_nothing(world, role):
    user = world["people"][role]
    for phrase in (SECRET, "cormorant", "sluice inventory"):
        assert _all_hits(search(user=user, query=phrase)) == []


@pytest.mark.parametrize("role", ROLES)
def test_a_hidden_comment_is_not_found(world, role):
    assert _all_hits(search(user=world["people"][role], query=HIDDEN)) == []


def test_the_restricted_text_is_not_in_the_index_at_all(world):
    # Raw text on SQLite, stemmed lexemes (tsvector) on PostgreSQL: look for the stems.
    indexed = " ".join(str(entry.body) + " " + str(entry.title) for entry in IndexEntry.objects.all())
    assert "cormor" not in indexed and "sluic" not in indexed
    assert "kingfish" not in indexed and "slander" not in indexed
    assert "eel" in indexed and "ladder" in indexed  # the index is where we looked


def test_lifting_a_restriction_makes_the_text_findable_and_hiding_again_removes_it(world, client):
    section = SectionPage.objects.get(pk=world["sections"][0].pk)
    section.restricted = False
    section.save_revision().publish()
    found = search(user=AnonymousUser(), query="cormorant")
    assert [h.kind for h in _all_hits(found)] == ["section", "comment", "proposal"]
    comment_restore(comment=world["unkind"], moderator=world["moderator"], reason="On reflection, fair.")
    assert [h.kind for h in _all_hits(search(user=AnonymousUser(), query="kingfisher"))] == ["comment"]
    comment_hide(comment=fresh_comment(world["unkind"]), moderator=world["moderator"], reason="Again.")
    assert _all_hits(search(user=AnonymousUser(), query="kingfisher")) == []


def fresh_comment(comment):
    return type(comment).objects.get(pk=comment.pk)


def test_a_phrase_from_a_comment_is_found_with_where_it_is(world):
    [hit] = _all_hits(search(user=AnonymousUser(), query=FOUND))
    assert hit.kind == "comment"
    assert hit.url == f"/consultation/comments/{world['found'].pk}/"
    assert FOUND in hit.excerpt
    section = world["sections"][1]
    assert [label for label, _ in hit.trail] == [
        world["consultation"].title,
        world["paper"].title,
        section.title,
    ]
    assert hit.trail[-1][1] == f"/consultation/sections/{section.pk}/"


def test_section_text_consultations_and_papers_are_found(world):
    [hit] = _all_hits(search(user=AnonymousUser(), query="fish passes spring"))
    assert (hit.kind, hit.url) == ("section", f"/consultation/sections/{world['sections'][1].pk}/")
    titles = [
        h.title for h in search(user=AnonymousUser(), query=world["consultation"].title)["consultation"]
    ]
    assert world["consultation"].title in titles


def test_filters_by_type_stage_and_consultation(world):
    anyone = AnonymousUser()
    assert search(user=anyone, query=FOUND, kind="section") == {"section": []}
    assert len(search(user=anyone, query=FOUND, kind="comment")["comment"]) == 1
    assert _all_hits(search(user=anyone, query=FOUND, stage="scrutiny")) == []
    assert len(_all_hits(search(user=anyone, query=FOUND, stage="review"))) == 1
    other = another_consultation(world)
    assert _all_hits(search(user=anyone, query=FOUND, consultation_id=other.pk)) == []
    assert len(_all_hits(search(user=anyone, query=FOUND, consultation_id=world["consultation"].pk))) == 1


def test_the_search_page_shows_hits_and_refuses_nothing_odd(world, client):
    page = client.get("/search/", {"q": FOUND})
    body = page.content.decode()
    assert page.status_code == 200
    assert f"/consultation/comments/{world['found'].pk}/" in body
    assert "1 result for" in body
    for query in (SECRET, HIDDEN):
        body = client.get("/search/", {"q": query}).content.decode()
        assert "No results for" in body
    odd = client.get("/search/", {"q": "x" * 5000, "consultation": "9" * 30, "stage": "nope", "type": "<b>"})
    assert odd.status_code == 200
    assert client.get("/search/").status_code == 200
