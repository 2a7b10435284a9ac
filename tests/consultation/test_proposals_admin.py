"""Editors decide on proposals in the Wagtail admin: incorporate as a draft, or decline with a reason."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from consultation.models import Proposal, RecordEntry, SectionPage
from consultation.proposals import admin as proposals_admin
from tests.support.contributions import propose
from tests.support.factories import ConsultationPageFactory, PolicyPaperPageFactory, SectionPageFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import CURRENT_WORDING, another_consultation, fresh, proposal_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    tree = proposal_tree(per_group=2)
    tree["proposal"] = propose(
        tree["members"][0][0], tree["sections"][0], text="Councils must share data every month."
    )
    return tree


def decide_url(proposal):
    return reverse("consultation_proposals:decide", args=[proposal.pk])


def test_people_without_publish_permission_cannot_decide(client, tree):
    proposal = tree["proposal"]
    # A participant has no admin access at all.
    client.force_login(tree["members"][1][0])
    response = client.post(decide_url(proposal), {"action": "decline", "reason": "No."})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    # An editor of another consultation reaches the admin but not this proposal.
    client.force_login(editor_of(ConsultationPageFactory(parent=tree["index"]), username="elsewhere"))
    # Wagtail turns the refusal into a redirect to the dashboard with a message.
    for response in (
        client.get(decide_url(proposal)),
        client.post(decide_url(proposal), {"action": "incorporate"}),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    listing = client.get(reverse("consultation_proposals:index")).content.decode()
    assert f"Proposal {proposal.pk}" not in listing

    assert fresh(proposal).state == "open"
    assert not SectionPage.objects.get(pk=proposal.section_id).has_unpublished_changes
    assert not RecordEntry.objects.filter(
        kind__in=["proposal_accepted", "proposal_not_taken_forward"]
    ).exists()


def test_an_editor_incorporates_and_lands_on_the_draft_to_review(client, tree):
    proposal, editor = tree["proposal"], tree["editor"]
    client.force_login(editor)

    listing = BeautifulSoup(
        client.get(reverse("consultation_proposals:index")).content.decode(), "html.parser"
    )
    assert listing.select_one(f'a[href="{decide_url(proposal)}"]') is not None
    page = BeautifulSoup(client.get(decide_url(proposal)).content.decode(), "html.parser")
    assert [d.get_text(" ", strip=True) for d in page.select(".diff del")] == [
        "[removed: with the department ]",
        "[removed: quarter. ]",
    ]
    assert "Incorporate as a draft for review" in page.get_text()

    response = client.post(decide_url(proposal), {"action": "incorporate", "note": "Checking legal basis."})

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[proposal.section_id])
    proposal = fresh(proposal)
    assert proposal.state == "accepted" and proposal.decision_reason == "Checking legal basis."
    section = SectionPage.objects.get(pk=proposal.section_id)
    assert section.has_unpublished_changes
    assert CURRENT_WORDING in "".join(str(block.render()) for block in section.body)
    assert "every month" in str(section.get_latest_revision().as_object().body[0].value)
    edit_page = client.get(response["Location"])
    assert edit_page.status_code == 200
    assert "is saved for review. It is not published" in edit_page.content.decode()


def test_declining_needs_a_reason_and_keeps_what_was_typed_otherwise(client, tree):
    proposal, editor = tree["proposal"], tree["editor"]
    client.force_login(editor)

    response = client.post(decide_url(proposal), {"action": "decline", "reason": ""})
    assert response.status_code == 400
    assert "Give a reason: it is published with the decision." in response.content.decode()
    assert fresh(proposal).state == "open"

    response = client.post(
        decide_url(proposal), {"action": "decline", "reason": "It conflicts with section 4."}
    )
    assert response.status_code == 302
    proposal = fresh(proposal)
    assert (
        proposal.state == "not_taken_forward" and proposal.decision_reason == "It conflicts with section 4."
    )
    # Decided: the page is read-only now.
    page = client.get(decide_url(proposal)).content.decode()
    assert "Reason given: It conflicts with section 4." in page and 'name="action"' not in page


def test_the_section_and_paper_editors_get_a_proposals_button(client, tree):
    client.force_login(tree["editor"])
    for page in (tree["sections"][0], tree["paper"]):
        html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
        assert "Proposals (1 waiting)" in html
        assert f"{reverse('consultation_proposals:index')}?page={page.pk}" in html
    assert Proposal.objects.count() == 1


def test_the_listing_pages_an_editors_own_proposals_not_everyone_elses(client, tree, monkeypatch):
    """Newer proposals in a consultation the editor does not run must not push the
    editor's own off the list: the rule filters first, then the rows are paged."""
    monkeypatch.setattr(proposals_admin, "PROPOSALS_PER_PAGE", 2)
    own = [tree["proposal"]] + [
        propose(tree["members"][1][0], tree["sections"][1], text=f"Own wording {n}.") for n in range(2)
    ]
    elsewhere = another_consultation(tree, groups=tree["groups"])
    section = SectionPageFactory(parent=PolicyPaperPageFactory(parent=elsewhere))
    stranger = member_of(tree["groups"][2])
    others = [propose(stranger, section, text=f"Other wording {n}.") for n in range(4)]  # all newer

    client.force_login(tree["editor"])
    index = reverse("consultation_proposals:index")
    pages = [BeautifulSoup(client.get(f"{index}?p={p}").content.decode(), "html.parser") for p in (1, 2)]
    listed = [[a.text for a in page.select("table.listing tbody a")] for page in pages]
    assert [len(rows) for rows in listed] == [2, 1]
    shown = " ".join(sum(listed, []))
    assert all(f"Proposal {p.pk}:" in shown for p in own)
    assert not any(f"Proposal {p.pk}:" in shown for p in others)
    assert pages[0].select_one("nav.pagination") is not None and "Page 1 of 2" in pages[0].text
