"""Erasure meets search: removed contributions leave the search index, and no name
stays in it; kept contributions are still found."""

import pytest
from django.contrib.auth.models import AnonymousUser
from wagtail.search.models import IndexEntry

from consultation.comments.services import comment_create
from consultation.models import ProposalKind
from consultation.privacy.services import KEEP, REMOVE, account_erase
from consultation.proposals.services import proposal_create
from consultation.search.selectors import search
from tests.support.people import member_of
from tests.support.trees import groups_tree

pytestmark = pytest.mark.django_db

NAME = "Philippa Quernsworth"
IN_COMMENT = "heron sluicegate ledger"
IN_PROPOSAL = "otter culvert survey"


@pytest.fixture
def world():
    tree = groups_tree(stage="review", groups=1, sections=2)
    person = member_of(tree["groups"][0], display_name=NAME, username="pquernsworth")
    section = tree["sections"][0]
    comment = comment_create(author=person, target=section, text=f"The {IN_COMMENT} is missing.")
    comment_create(author=tree["convenors"][0], target=section, text="Someone else's point on weirs.")
    proposal_create(
        author=person,
        section=section,
        kind=ProposalKind.REPLACEMENT,
        text=f"Add the {IN_PROPOSAL}.",
        rationale="It shows the otters.",
    )
    return {"person": person, "comment": comment}


def _kinds(query):
    return [hit.kind for hits in search(user=AnonymousUser(), query=query).values() for hit in hits]


def _indexed():
    # Raw text on SQLite, stemmed lexemes (tsvector) on PostgreSQL: callers look for stems.
    fields = ("title", "body", "autocomplete")
    return " ".join(str(getattr(entry, f)) for entry in IndexEntry.objects.all() for f in fields).lower()


def test_before_erasure_both_phrases_are_found(world):
    assert _kinds(IN_COMMENT) == ["comment"]
    assert _kinds(IN_PROPOSAL) == ["proposal"]
    assert "sluice" in _indexed() and "culvert" in _indexed()


def test_contributions_removed_at_the_authors_request_leave_the_index(world):
    account_erase(user=world["person"], contributions=REMOVE)
    assert _kinds(IN_COMMENT) == []
    assert _kinds(IN_PROPOSAL) == []
    assert _kinds("removed") == []  # the tombstones are not search hits either
    indexed = _indexed()
    for stem in ("heron", "sluice", "ledger", "otter", "culvert"):
        assert stem not in indexed, stem
    assert "weir" in indexed  # the index is where we looked


def test_kept_contributions_are_still_found_and_no_name_is_in_the_index(world):
    account_erase(user=world["person"], contributions=KEEP)
    assert _kinds(IN_COMMENT) == ["comment"]
    [proposal] = search(user=AnonymousUser(), query=IN_PROPOSAL)["proposal"]
    assert NAME not in proposal.title and "A former participant" in proposal.title
    indexed = _indexed()
    assert "quernsworth" not in indexed and "philippa" not in indexed
    assert "sluice" in indexed
