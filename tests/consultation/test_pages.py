"""The page tree, the public pages and the section permalink."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localtime
from wagtail.models import Page

from consultation.models import (
    ConsultationIndexPage,
    ConsultationPage,
    ConsultationStageDates,
    PolicyPaperPage,
    SectionPage,
)
from core.models import ContentPage, HomePage
from tests.support.factories import PolicyPaperPageFactory, SectionPageFactory
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db

ALL_PAGE_TYPES = [
    HomePage,
    ContentPage,
    ConsultationIndexPage,
    ConsultationPage,
    PolicyPaperPage,
    SectionPage,
]

# Each page type's only allowed parents and children. A new page type, or a
# loosened rule, must be added here on purpose.
TREE = {
    HomePage: ({Page}, {ConsultationIndexPage, ContentPage}),
    ContentPage: ({HomePage}, set()),
    ConsultationIndexPage: ({HomePage}, {ConsultationPage}),
    ConsultationPage: ({ConsultationIndexPage}, {PolicyPaperPage}),
    PolicyPaperPage: ({ConsultationPage}, {SectionPage}),
    SectionPage: ({PolicyPaperPage}, set()),
}


# ---------------------------------------------------------------- page-tree rules


@pytest.mark.parametrize("model", TREE, ids=lambda m: m.__name__)
def test_each_page_type_declares_its_only_parents(model):
    parents, _children = TREE[model]
    assert set(model.allowed_parent_page_models()) == parents


@pytest.mark.parametrize("model", TREE, ids=lambda m: m.__name__)
def test_each_page_type_declares_its_only_children(model):
    _parents, children = TREE[model]
    assert set(model.allowed_subpage_models()) == children


@pytest.mark.parametrize(
    "parent, child",
    [
        (parent, child)
        for parent in ALL_PAGE_TYPES
        for child in ALL_PAGE_TYPES
        if child not in TREE[parent][1]
    ],
    ids=lambda m: m.__name__,
)
def test_page_types_cannot_be_created_anywhere_else(parent, child):
    assert child not in parent.allowed_subpage_models()
    assert parent not in child.allowed_parent_page_models()


def test_a_section_cannot_sit_directly_under_a_consultation_or_the_home_page(site_tree):
    assert not SectionPage.can_create_at(site_tree["consultation"])
    assert not SectionPage.can_create_at(site_tree["home"])
    assert not PolicyPaperPage.can_create_at(site_tree["index"])
    assert SectionPage.can_create_at(site_tree["paper"])
    assert PolicyPaperPage.can_create_at(site_tree["consultation"])
    assert ConsultationPage.can_create_at(site_tree["index"])


def test_there_is_one_home_page_and_one_consultations_index(site_tree):
    root = Page.get_first_root_node()
    assert not HomePage.can_create_at(root)
    assert not ConsultationIndexPage.can_create_at(site_tree["home"])
    assert ContentPage.can_create_at(site_tree["home"])


# ---------------------------------------------------------------- public pages


def test_consultation_page_shows_every_stage_with_dates_and_marks_the_current_one(client, site_tree):
    consultation = site_tree["consultation"]
    ConsultationStageDates.objects.create(
        consultation=consultation, stage="drafting", starts_on=date(2026, 1, 5), ends_on=date(2026, 2, 27)
    )
    ConsultationStageDates.objects.create(
        consultation=consultation, stage="review", starts_on=date(2026, 3, 2), ends_on=date(2026, 4, 10)
    )

    html = client.get(consultation.url).content.decode()

    for label in ["Drafting", "Working-group review", "Sign-off", "Public scrutiny", "Final"]:
        assert label in html
    assert html.count('aria-current="step"') == 1
    current = html.split('aria-current="step"')[1].split("</li>")[0]
    assert "Working-group review" in current and "(current stage)" in current
    assert '<time datetime="2026-03-02">2 March 2026</time>' in html
    assert '<time datetime="2026-04-10">10 April 2026</time>' in html
    assert "Dates to be announced" in html  # the later stages have no dates yet
    assert site_tree["paper"].title in html


def test_paper_page_lists_every_section_in_order_with_anchor_and_permalink(client, site_tree):
    paper, sections = site_tree["paper"], site_tree["sections"]
    sections[1].save_revision().publish()
    published_at = SectionPage.objects.get(pk=sections[1].pk).last_published_at

    response = client.get(paper.url)
    html = response.content.decode()

    assert response.status_code == 200
    toc = html.split('id="toc-heading"')[1].split("</nav>")[0]
    positions = [toc.index(f'href="#section-{s.pk}"') for s in sections]
    assert positions == sorted(positions)
    for number, section in enumerate(sections, start=1):
        assert f'id="section-{section.pk}"' in html
        assert f"{number}. {section.title}" in html
        assert f'href="/consultation/sections/{section.pk}/"' in html
        assert f"Body text of {section.title}." in html
    assert f'Last updated <time datetime="{localtime(published_at).isoformat()}">' in html


def test_section_page_shows_its_number_its_neighbours_and_its_permanent_link(client, site_tree):
    first, second, third = site_tree["sections"]

    html = client.get(second.url).content.decode()

    assert f"<h1>2. {second.title}</h1>" in html
    assert f"Previous: section 1, {first.title}" in html
    assert f"Next: section 3, {third.title}" in html
    assert "Section 2 of 3" in html
    assert f"http://testserver/consultation/sections/{second.pk}/" in html


def test_paper_page_queries_do_not_grow_with_the_number_of_sections(client, site_tree, settings):
    settings.PAGE_CACHE_SECONDS = 0  # counts the rendering, not the anonymous cache
    paper = site_tree["paper"]
    client.get(paper.url)  # warm the per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as three_sections:
        assert client.get(paper.url).status_code == 200
    for _ in range(9):
        SectionPageFactory(parent=paper)
    with CaptureQueriesContext(connection) as twelve_sections:
        assert client.get(paper.url).status_code == 200

    assert len(twelve_sections) == len(three_sections)


# ---------------------------------------------------------------- permalinks


def test_permalink_redirects_to_the_sections_current_address(client, site_tree):
    section = site_tree["sections"][1]

    response = client.get(section.get_permalink())

    assert response.status_code == 302
    assert response["Location"] == section.url


def test_permalink_follows_a_slug_change(client, site_tree):
    section = site_tree["sections"][0]
    permalink, old_url = section.get_permalink(), section.url

    section.slug = "renamed-section"
    section.save_revision().publish()
    section.refresh_from_db()

    assert section.url != old_url
    assert section.url.endswith("/renamed-section/")
    assert section.get_permalink() == permalink
    response = client.get(permalink, follow=True)
    assert response.redirect_chain[0] == (section.url, 302)
    assert f"Body text of {section.title}." in response.content.decode()


def test_permalink_and_anchor_survive_reordering(client, site_tree):
    paper = site_tree["paper"]
    first, _second, third = site_tree["sections"]
    permalink, anchor = third.get_permalink(), third.anchor

    third.move(paper, pos="first-child")
    third = SectionPage.objects.get(pk=third.pk)

    assert third.anchor == anchor
    assert client.get(permalink)["Location"] == third.url
    html = client.get(paper.url).content.decode()
    assert html.index(f'id="section-{third.pk}"') < html.index(f'id="section-{first.pk}"')
    assert f"1. {third.title}" in html


def test_permalink_follows_a_section_moved_to_another_paper(client, site_tree):
    section = site_tree["sections"][0]
    other_paper = PolicyPaperPageFactory(parent=site_tree["consultation"])

    section.move(other_paper, pos="last-child")
    section = SectionPage.objects.get(pk=section.pk)

    assert section.url.startswith(other_paper.url)
    assert client.get(section.get_permalink())["Location"] == section.url


def test_permalink_of_an_unknown_id_is_not_found(client, site_tree):
    assert client.get("/consultation/sections/999999/").status_code == 404


def test_permalink_of_an_unpublished_section_is_not_found(client, site_tree):
    section = site_tree["sections"][0]
    section.unpublish()

    assert client.get(section.get_permalink()).status_code == 404


def test_permalink_with_the_id_of_another_kind_of_page_is_not_found(client, site_tree):
    assert client.get(f"/consultation/sections/{site_tree['paper'].pk}/").status_code == 404
    assert client.get(f"/consultation/sections/{site_tree['home'].pk}/").status_code == 404


def test_routing_finds_a_child_of_a_type_its_parent_does_not_allow_and_keeps_routable_pages_own_routes(
    client,
):
    """core.routing.DirectChildRoute looks a child up as the parent's one allowed type; a
    child of another type (made by code, or before the rule) is still found, and a
    consultation's own sub-pages still come before its children."""
    tree = build_site_tree(sections=1)
    stray = tree["index"].add_child(
        instance=ContentPage(title="Stray", slug="stray", body="<p>A STRAY PAGE</p>")
    )
    assert b"A STRAY PAGE" in client.get(stray.url + "?render").content
    paper = PolicyPaperPage.objects.get(pk=tree["paper"].pk)
    section = SectionPage.objects.child_of(paper).first()
    for page in (paper, section):
        assert client.get(page.url + "?render").status_code == 200
    assert client.get(tree["consultation"].url + "no-such-child/").status_code == 404
    assert client.get(paper.url + "versions/").status_code == 200  # the paper's own route
    # A paper named like the consultation's own sub-page: the sub-page comes first, as before.
    PolicyPaperPageFactory(parent=tree["consultation"], title="Record", slug="record")
    record = client.get(tree["consultation"].url + "record/")
    assert record.status_code == 200 and b'class="paper"' not in record.content
