"""Editors decide on proposals in the Wagtail admin: incorporate as a draft, or decline with a reason."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from consultation.models import Proposal, RecordEntry, SectionPage
from tests.support.contributions import propose
from tests.support.factories import ConsultationPageFactory
from tests.support.people import editor_of
from tests.support.trees import CURRENT_WORDING, fresh, proposal_tree

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
