"""Erase me: the name goes from everything public, the record still verifies, tallies behave as chosen."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from consultation.models import Comment, FrozenReport, Proposal, Reaction, RecordEntry
from consultation.models.comments import REMOVED_AT_AUTHORS_REQUEST
from consultation.privacy.services import KEEP, REMOVE, account_erase
from consultation.reactions.selectors import reaction_tallies
from consultation.record.services import record_verify
from consultation.report.services import report_freeze
from tests.support.contributions import propose
from tests.support.factories import UserFactory
from tests.support.people import editor_of
from tests.support.trees import report_scenario

pytestmark = pytest.mark.django_db

NAME = "Philippa Quernsworth"


@pytest.fixture
def scenario():
    tree = report_scenario(stage="review")
    person = tree["members"][0][0]
    person.display_name = NAME
    person.username = "pquernsworth"
    person.email = "philippa.quernsworth@example.org"
    person.save()
    # Her first comment was posted under the factory's name: post anew under hers.
    for comment in Comment.objects.filter(user=person):
        comment.author_name = NAME
        comment.save()
    tree["proposal"] = propose(person, tree["sections"][0], text="A wording of mine.")
    tree["person"] = person
    return tree


def public_urls(tree):
    paper, consultation = tree["paper"], tree["consultation"]
    urls = [paper.url, consultation.url, *(s.url for s in tree["sections"][:3])]
    urls += [paper.url + sub for sub in ("report/", "report.csv", "report.json", "versions/")]
    urls += [consultation.url + sub for sub in ("record/", "record/json/", "record/feed/", "restrictions/")]
    urls += [tree["proposal"].get_absolute_url()]
    urls += [reverse("workinggroups:detail", kwargs={"slug": g.slug}) for g in tree["groups"]]
    return urls


def everything_public(client, tree):
    pages = {}
    for url in public_urls(tree):
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def test_the_erase_page_needs_a_signed_in_person_and_their_password(client, scenario):
    url = reverse("consultation:erase_me")
    assert client.get(url).status_code == 302
    person = scenario["person"]
    client.force_login(person)
    page = client.get(url).content.decode()
    assert "organisation you spoke for" in page and "on its behalf" in page
    response = client.post(url, {"contributions": KEEP, "reactions": KEEP, "password": "wrong"})
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.erased_at is None and person.email


def test_the_name_is_shown_before_erasure_so_the_search_below_would_find_it(client, scenario):
    pages = everything_public(client, scenario)
    assert any(NAME in body for body in pages.values())
    assert RecordEntry.objects.filter(subject_name=NAME).exists()


def test_erasing_and_keeping_contributions_leaves_no_name_anywhere_public(client, scenario, password):
    person = scenario["person"]
    paper = scenario["paper"]
    before = reaction_tallies(paper_id=paper.pk)
    comment_ids = set(Comment.objects.filter(user=person).values_list("pk", flat=True))

    client.force_login(person)
    response = client.post(
        reverse("consultation:erase_me"), {"contributions": KEEP, "reactions": KEEP, "password": password}
    )
    assert response.status_code == 302 and response["Location"] == reverse("consultation:erased")
    assert "_auth_user_id" not in client.session

    erased = get_user_model().objects.get(pk=person.pk)
    assert erased.erased_at and not erased.is_active and not erased.has_usable_password()
    assert erased.email == "" and erased.display_name == "" and erased.username != "pquernsworth"
    assert not get_user_model().objects.filter(username="pquernsworth").exists()

    pages = everything_public(client, scenario)
    for url, body in pages.items():
        assert NAME not in body, url
        assert "pquernsworth" not in body, url
        assert "philippa.quernsworth" not in body, url
    # The comments stay, by a former participant, with the organisation they spoke for.
    kept = Comment.objects.filter(pk__in=comment_ids)
    assert {c.author_name for c in kept} == {"A former participant"}
    assert {c.organisation_name for c in kept} == {"Civil society org"}
    assert all(c.comment and not c.is_hidden for c in kept)
    assert "A former participant" in pages[scenario["sections"][1].url]
    assert reaction_tallies(paper_id=paper.pk) == before
    assert record_verify().ok
    assert "A former participant" in pages[scenario["consultation"].url + "record/json/"]


def test_erasing_and_removing_leaves_tombstones_and_recounts_the_tallies(client, scenario):
    person = scenario["person"]
    paper = scenario["paper"]
    comment_ids = set(Comment.objects.filter(user=person).values_list("pk", flat=True))
    mine = set(Reaction.objects.filter(user=person).values_list("target_kind", "target_id"))
    assert comment_ids and mine
    before = reaction_tallies(paper_id=paper.pk)

    account_erase(user=person, contributions=REMOVE, reactions=REMOVE)

    assert not Reaction.objects.filter(user=person).exists()
    after = reaction_tallies(paper_id=paper.pk)
    for kind, target_id in mine:
        key = f"{kind}:{target_id}"
        if key in before:
            assert after.get(key, {"total": 0})["total"] == before[key]["total"] - 1, key
    for comment in Comment.objects.filter(pk__in=comment_ids):
        assert comment.is_hidden and comment.removed_by_author and comment.comment == ""
        assert comment.hidden_reason == REMOVED_AT_AUTHORS_REQUEST
    proposal = Proposal.objects.get(pk=scenario["proposal"].pk)
    assert proposal.removed_at and proposal.text == REMOVED_AT_AUTHORS_REQUEST
    assert "A wording of mine." not in client.get(proposal.get_absolute_url()).content.decode()

    register = client.get(scenario["consultation"].url + "restrictions/").content.decode()
    assert "Removed at the author&#x27;s request" in register or "Removed at the author's request" in register
    for comment_id in comment_ids:
        assert f'data-comment-id="{comment_id}"' in register
    assert f'data-proposal-id="{proposal.pk}"' in register
    section_page = client.get(scenario["sections"][1].url).content.decode()
    assert "The duty to share is long overdue." not in section_page
    assert record_verify().ok


def test_a_frozen_report_never_changes_when_its_people_erase_themselves(client):
    tree = report_scenario(stage="signoff")
    editor = editor_of(tree["consultation"])
    frozen = report_freeze(paper=tree["paper"], actor=editor)
    person = tree["members"][0][0]
    stored = (frozen.snapshot_json, frozen.html, frozen.csv)

    account_erase(user=person, contributions=REMOVE, reactions=REMOVE)

    again = FrozenReport.objects.get(pk=frozen.pk)
    assert (again.snapshot_json, again.html, again.csv) == stored
    assert record_verify().ok


def test_an_erased_account_cannot_be_erased_into_someone_else(scenario):
    other = UserFactory()
    account_erase(user=scenario["person"])
    other.refresh_from_db()
    assert other.erased_at is None and other.email
