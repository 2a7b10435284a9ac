"""A page of a consultation is on the site only while the page above it is
(consultation/pages/services.py): a paper taken off takes its sections with it, and a
section is not published under an unpublished paper by any route."""

import importlib

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from consultation.blocks import TEXT_FEATURES
from consultation.models import ConsultationPage, PolicyPaperPage, Reaction, RecordEntry, SectionPage
from tests.support.factories import PolicyPaperPageFactory, SectionPageFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import another_consultation, groups_tree, restrict

pytestmark = pytest.mark.django_db

SECTION_TITLE = "Lighthouse keepers audit quarterly"
DRAFT_TITLE = "Lighthouse keepers audit monthly"

migration = importlib.import_module("consultation.migrations.0025_unpublish_pages_under_unpublished_parents")


@pytest.fixture
def tree():
    tree = groups_tree(stage="review", groups=1, sections=1)
    tree["sections"].append(SectionPageFactory(parent=tree["paper"], title=SECTION_TITLE))
    tree["editor"] = editor_of(tree["consultation"])
    return tree


def live(page):
    return type(page).objects.get(pk=page.pk).live


def every_route_refuses(client, section, member):
    """The section's page, permalink, API entry, search hit and reactions are gone."""
    assert client.get(section.url).status_code == 404
    assert client.get(section.get_permalink()).status_code == 404
    assert client.get(f"/api/v1/sections/{section.pk}").status_code == 404
    assert "Lighthouse" not in client.get("/search/", {"q": "lighthouse"}).content.decode()
    client.force_login(member)
    response = client.post(f"/consultation/reactions/section/{section.pk}/", {"choice": "agree"})
    assert response.status_code in (403, 404)
    assert not Reaction.objects.exists()
    client.logout()


def test_unpublishing_a_paper_in_the_admin_takes_its_sections_off_every_route(client, tree):
    section, member = tree["sections"][1], member_of(tree["groups"][0])
    assert client.get(section.url).status_code == 200
    assert "Lighthouse" in client.get("/search/", {"q": "lighthouse"}).content.decode()

    client.force_login(tree["editor"])
    # Wagtail's own unpublish view, without its "unpublish the child pages too" box.
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[tree["paper"].pk]))
    assert response.status_code == 302
    client.logout()

    assert not live(tree["paper"])
    assert [live(s) for s in tree["sections"]] == [False, False]
    every_route_refuses(client, section, member)


def test_unpublishing_a_consultation_takes_its_papers_and_sections_with_it(client, tree):
    tree["consultation"].unpublish()
    assert not live(tree["paper"])
    assert not any(live(s) for s in tree["sections"])
    every_route_refuses(client, tree["sections"][1], member_of(tree["groups"][0]))


def test_republishing_the_paper_leaves_the_editor_to_choose_which_sections_return(client, tree):
    tree["paper"].unpublish()
    tree["paper"].save_revision().publish()
    assert live(tree["paper"])
    assert not any(live(s) for s in tree["sections"])
    section = SectionPage.objects.get(pk=tree["sections"][1].pk)
    section.save_revision().publish()
    assert live(section)
    assert client.get(section.url).status_code == 200


def section_form(section, title):
    data = nested_form_data(
        {
            "title": title,
            "slug": section.slug,
            "body": streamfield([("paragraph", rich_text("<p>Every month.</p>", features=TEXT_FEATURES))]),
            "restriction_category": "",
            "restriction_reason": "",
            "restriction_review_on": "",
        }
    )
    data["action-publish"] = "action-publish"
    return data


def test_publishing_a_section_under_an_unpublished_paper_is_refused_and_the_draft_is_kept(client, tree):
    tree["paper"].unpublish()
    section = SectionPage.objects.get(pk=tree["sections"][1].pk)
    edit_url = reverse("wagtailadmin_pages:edit", args=[section.pk])
    client.force_login(tree["editor"])

    response = client.post(edit_url, section_form(section, DRAFT_TITLE))

    assert response.status_code == 302 and response["Location"] == edit_url
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("not published" in m and tree["paper"].title in m for m in said), said
    section = SectionPage.objects.get(pk=section.pk)
    assert not section.live
    assert section.get_latest_revision_as_object().title == DRAFT_TITLE  # the editor's work is kept
    client.logout()
    assert client.get(section.url).status_code == 404


def test_a_new_section_published_under_an_unpublished_paper_is_kept_as_a_draft(client, tree):
    """The create view adds the page before asking whether it may be published: live, by
    Wagtail's default, until then."""
    tree["paper"].unpublish()
    client.force_login(tree["editor"])
    form = section_form(SectionPage(slug="new-section"), DRAFT_TITLE)

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["consultation", "sectionpage", tree["paper"].pk]), form
    )

    created = SectionPage.objects.get(slug="new-section")
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[created.pk])
    assert not created.live and created.get_latest_revision_as_object().title == DRAFT_TITLE
    client.logout()
    assert client.get(created.url).status_code == 404


def test_a_section_published_under_an_unpublished_paper_by_another_route_is_taken_off_at_once(client, tree):
    """Scheduled publishing and bulk actions publish a revision without the edit view's check."""
    tree["paper"].unpublish()
    section = restrict(SectionPage.objects.get(pk=tree["sections"][1].pk))  # published restricted
    assert not section.live
    assert client.get(section.url).status_code == 404
    # Nothing goes into the public record for a publication that was undone.
    assert not RecordEntry.objects.filter(kind="restriction").exists()


def test_a_section_under_a_live_paper_publishes_as_before(client, tree):
    section = tree["sections"][1]
    client.force_login(tree["editor"])
    edit_url = reverse("wagtailadmin_pages:edit", args=[section.pk])
    response = client.post(edit_url, section_form(section, DRAFT_TITLE))
    assert response.status_code == 302
    section = SectionPage.objects.get(pk=section.pk)
    assert section.live and section.title == DRAFT_TITLE


def test_the_upgrade_takes_off_pages_left_live_under_an_unpublished_parent(tree):
    other = another_consultation(tree)
    other_paper = PolicyPaperPageFactory(parent=other)
    other_sections = [SectionPageFactory(parent=other_paper) for _ in range(2)]
    untouched = SectionPageFactory(parent=PolicyPaperPageFactory(parent=tree["consultation"]))
    # A site as it was before: a paper and a consultation unpublished by a bulk write (or by
    # Wagtail without its box ticked), the pages under them still live.
    PolicyPaperPage.objects.filter(pk=tree["paper"].pk).update(live=False)
    ConsultationPage.objects.filter(pk=other.pk).update(live=False)

    migration.forward(apps, None)

    assert not any(live(s) for s in tree["sections"])
    assert not live(other_paper) and not any(live(s) for s in other_sections)
    assert live(untouched) and live(tree["consultation"])  # nothing above or beside them moves


def test_the_unpublish_confirmation_says_the_pages_below_go_with_it(client, tree):
    client.force_login(tree["editor"])
    page = client.get(reverse("wagtailadmin_pages:unpublish", args=[tree["paper"].pk])).content.decode()
    assert "The 2 published pages below it" in page and "will be unpublished with it" in page
    assert 'name="include_descendants"' not in page  # no choice offered that would not be honoured


def test_a_live_section_moved_under_an_unpublished_paper_goes_off_the_site(client, tree):
    hidden = PolicyPaperPageFactory(parent=tree["consultation"])
    hidden.unpublish()
    section = SectionPage.objects.get(pk=tree["sections"][1].pk)
    section.move(hidden, pos="last-child")
    section = SectionPage.objects.get(pk=section.pk)
    assert not section.live
    assert client.get(section.url).status_code == 404
    assert client.get(section.get_permalink()).status_code == 404
