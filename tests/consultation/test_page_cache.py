"""The anonymous page cache (core/page_cache.py) and the paper page's section fragments
(consultation/pages/cache.py): who may be served what, and which writes make what stale.

Negative cases first: a signed-in reader's page (forms, CSRF token, restricted text they
may read) never reaches anyone else; then invalidation by the writes that change a page;
then that a write to one paper or section leaves the others' cached renderings alone."""

import gzip

import pytest
from django.contrib.auth.models import AnonymousUser

from consultation.models import PolicyPaperPage, SectionPage
from consultation.pages.cache import section_fragment_keys
from core.page_cache import bump
from tests.support.contributions import add_comment, react
from tests.support.factories import PolicyPaperPageFactory, SectionPageFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import comment_tree, fresh, restrict

pytestmark = pytest.mark.django_db

SECRET = "WITHHELD-CLAUSE-7"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def html_of(response):
    assert response.status_code == 200
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def hit(response):
    return response.get("X-Page-Cache") == "hit"


@pytest.fixture
def tree(fresh_cache):
    tree = comment_tree(stage="review", sections=2)
    section = fresh(tree["sections"][0])
    section.body = [("paragraph", f"<p>{SECRET}</p>")]
    section.save_revision().publish()
    tree["sections"][0] = restrict(fresh(section))
    return tree


def test_restricted_text_an_editor_reads_never_reaches_anonymous_readers(client, tree):
    editor = editor_of(tree["paper"])
    for url in (tree["paper"].url, tree["sections"][0].url):
        client.force_login(editor)
        assert SECRET in html_of(client.get(url))  # editors read restricted text
        client.logout()
        client.cookies.clear()
        for _ in range(2):  # rendered for anonymous readers, then from the cache
            assert SECRET not in html_of(client.get(url, **GZIP))


def test_a_signed_in_readers_page_is_never_stored_nor_served_to_anyone(client, tree):
    member = member_of(tree["group"])
    url = tree["paper"].url
    client.force_login(member)
    first = client.get(url)
    mine = html_of(first)
    assert 'name="csrfmiddlewaretoken"' in mine and not hit(first)
    assert not hit(client.get(url))  # not stored for them either
    client.logout()
    client.cookies.clear()
    anonymous = html_of(client.get(url))
    assert "csrfmiddlewaretoken" not in anonymous and "Sign out" not in anonymous
    assert hit(client.get(url))
    client.force_login(member)
    again = client.get(url)
    assert not hit(again) and 'name="csrfmiddlewaretoken"' in html_of(again)


def test_a_session_or_messages_cookie_or_a_query_string_bypasses_the_cache(client, tree):
    url = tree["paper"].url
    client.get(url)
    assert hit(client.get(url))
    assert not hit(client.get(url + "?page=2"))
    client.cookies["messages"] = "something"
    assert not hit(client.get(url))
    del client.cookies["messages"]
    client.cookies["sessionid"] = "not-a-session"
    assert not hit(client.get(url))


def test_gzip_is_sent_to_clients_that_accept_it_and_the_same_page_to_others(client, tree):
    url = tree["paper"].url
    plain = client.get(url)
    compressed = client.get(url, **GZIP)
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert "Content-Encoding" not in client.get(url)
    assert html_of(compressed) == html_of(client.get(url)) == html_of(plain)
    assert len(compressed.content) < len(html_of(plain).encode()) / 3


def test_a_comment_a_reaction_and_a_publication_show_at_once(client, tree):
    member = member_of(tree["group"])
    section = fresh(tree["sections"][1])
    paper_url, section_url, home_url = tree["paper"].url, section.url, tree["home"].url
    for url in (paper_url, section_url, home_url):
        client.get(url)
        assert hit(client.get(url))

    add_comment(member, section, "A FRESH POINT")
    assert "A FRESH POINT" in html_of(client.get(paper_url))
    assert "A FRESH POINT" in html_of(client.get(section_url))
    assert hit(client.get(home_url))  # the front page shows no comments: still cached

    react([member], section, "agree")
    for url in (paper_url, section_url):
        assert '<span data-count="agree">1</span>' in html_of(client.get(url)).replace("\n", "")

    section.title = "A RENAMED SECTION"
    section.save_revision().publish()
    assert "A RENAMED SECTION" in html_of(client.get(paper_url))
    consultation = fresh(tree["consultation"])
    consultation.title = "A RENAMED CONSULTATION"
    consultation.save_revision().publish()
    assert "A RENAMED CONSULTATION" in html_of(client.get(home_url))


def test_writes_to_one_paper_leave_other_papers_cached(client, tree):
    other = PolicyPaperPageFactory(parent=tree["consultation"])
    SectionPageFactory(parent=other)
    member = member_of(tree["group"])
    url = other.url
    client.get(url)
    assert hit(client.get(url))
    add_comment(member, tree["sections"][1], "Elsewhere")
    react([member], fresh(tree["sections"][1]), "disagree")
    assert hit(client.get(url))


def test_a_reaction_re_renders_only_its_own_section_on_the_paper_page(tree):
    member = member_of(tree["group"])
    paper = PolicyPaperPage.objects.get(pk=tree["paper"].pk)
    sections = list(SectionPage.objects.child_of(paper).order_by("path"))

    def keys():
        section_fragment_keys(paper=paper, sections=sections, user=AnonymousUser())
        return [section.fragment_key for section in sections]

    before = keys()
    react([member], fresh(sections[1]), "agree")
    after = keys()
    assert after[0] == before[0] and after[1] != before[1]
    section_fragment_keys(paper=paper, sections=sections, user=member)
    assert [section.fragment_key for section in sections] == [None, None]  # never shared


def test_a_cached_section_fragment_is_the_rendering_of_the_page_without_it(client, tree, settings):
    member = member_of(tree["group"])
    add_comment(member, tree["sections"][1], "Shown in its fragment")
    url = tree["paper"].url + "?render"  # past the page cache: fragments only
    first = html_of(client.get(url))  # stores the fragments
    assert html_of(client.get(url)) == first
    settings.PAGE_CACHE_SECONDS = 0
    assert html_of(client.get(url)) == first


def test_the_cached_paper_page_works_without_javascript(client, tree):
    """Everything on the cached page is a link or a plain form: the sign-in link for
    reacting and commenting, each section's own page with all its comments."""
    section = fresh(tree["sections"][1])
    member = member_of(tree["group"])
    for n in range(4):
        add_comment(member, section, f"Conversation {n}")
    client.get(tree["paper"].url)
    html = html_of(client.get(tree["paper"].url, **GZIP))
    assert f'href="{section.url}#comments-{section.pk}"' in html  # "All 4 comments on section 2"
    assert "/accounts/login/?next=" in html or "Sign in" in html
    assert "Conversation 0" not in html  # beyond the most recent three: on the section's page
    assert "Conversation 0" in html_of(client.get(section.url))
    # A member without JavaScript reacts with the plain form, then anonymous readers see it.
    client.force_login(member)
    response = client.post(
        f"/consultation/reactions/section/{section.pk}/", {"choice": "agree", "next": tree["paper"].url}
    )
    assert response.status_code in (302, 303)
    client.logout()
    client.cookies.clear()
    assert '<span data-count="agree">1</span>' in html_of(client.get(tree["paper"].url)).replace("\n", "")


def test_columns_of_groups_seen_only_in_stored_sections_survive_a_write_elsewhere(
    client, settings, fresh_cache
):
    """The paper page reads only the re-rendered sections' tallies; a group that reacted only
    to a section whose rendering is stored (and has since been uninvited, so it is a column
    only because it was seen) keeps its column in the tally table and the heat-map."""
    tree = comment_tree(stage="review", sections=2)
    group = tree["group"]
    react([member_of(group)], fresh(tree["sections"][0]), "agree")
    tree["consultation"].invited_groups.remove(group)
    url = tree["paper"].url + "?render"
    first = html_of(client.get(url))  # stores both sections' renderings
    assert first.count(group.name) >= 2  # a column of the heat-map and of the table
    # What a write to section 1 does to the cache (pages/cache.py): it is rendered again,
    # section 0 stays stored and its tallies are not read.
    bump(f"section:{tree['sections'][1].pk}", f"paper-sections:{tree['paper'].pk}")
    around_stored = html_of(client.get(url))
    assert around_stored == first
    settings.PAGE_CACHE_SECONDS = 0
    assert html_of(client.get(url)) == first


def test_a_rendering_around_stored_fragments_is_gzipped_from_them_and_shows_each_write(client, tree):
    """Past the page cache (a query string) the paper page is sent gzipped from its stored
    fragments' pieces: the same page as a full rendering, and a comment, a reaction or a
    new wording of one section shows on the next request."""
    member = member_of(tree["group"])
    section = fresh(tree["sections"][1])
    url = tree["paper"].url + "?render"
    client.get(url, **GZIP)  # stores the fragments
    response = client.get(url, **GZIP)
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert html_of(response) == html_of(client.get(url))

    section.body = [("paragraph", "<p>A NEW WORDING</p>")]
    section.save_revision().publish()
    assert "A NEW WORDING" in html_of(client.get(url, **GZIP))
    add_comment(member, fresh(section), "A COMMENT AFTER STORING")
    react([member], fresh(section), "agree")
    html = html_of(client.get(url, **GZIP))
    assert "A COMMENT AFTER STORING" in html and "A NEW WORDING" in html
    assert '<span data-count="agree">1</span>' in html.replace("\n", "")
    assert html == html_of(client.get(url))
