"""The search page in a real browser, with and without JavaScript, and the API's docs page
under the site's strict Content-Security-Policy. axe checks each page; any CSP violation
in the console fails the test (the `csp_violations` fixture)."""

import re

import pytest
from playwright.sync_api import expect

from consultation.comments.services import comment_create
from tests.support.trees import groups_tree

pytestmark = pytest.mark.browser

PHRASE = "eel ladders upstream"


def _world():
    tree = groups_tree(stage="review", groups=1, sections=2)
    comment = comment_create(
        author=tree["convenors"][0], target=tree["sections"][1], text=f"We need {PHRASE} too."
    )
    return tree, comment


def _search_from_the_header(page, server, tree, comment, axe):
    page.goto(server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.wait_for_url(re.compile(r"/search/$"))
    axe(page)
    page.get_by_label("Words to find").fill(PHRASE)
    page.get_by_label("Type").select_option("comment")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search/\?q="))
    results = page.get_by_role("region", name=re.compile("1 result for"))
    expect(results).to_be_visible()
    expect(results.get_by_role("heading", name="Comments (1)")).to_be_visible()
    # Where the hit is: consultation › paper › section, each a link.
    for title in (tree["consultation"].title, tree["paper"].title, tree["sections"][1].title):
        expect(results.get_by_role("link", name=title)).to_be_visible()
    axe(page)
    results.get_by_role("link", name=re.compile("^Comment by")).click()
    page.wait_for_url(re.compile(rf"#comment-{comment.pk}$"))
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text(PHRASE)


def test_search_finds_a_comment_and_links_to_it(asgi_server, page, axe):
    tree, comment = _world()
    _search_from_the_header(page, asgi_server, tree, comment, axe)
    # No results is said plainly, and is accessible too.
    page.goto(asgi_server.url + "/search/?q=nothing+like+this")
    expect(page.get_by_role("heading", name=re.compile("No results for"))).to_be_visible()
    axe(page)


def test_search_works_without_javascript(asgi_server, new_context, axe):
    tree, comment = _world()
    page = new_context(java_script_enabled=False).new_page()
    _search_from_the_header(page, asgi_server, tree, comment, axe)


def test_the_api_docs_page_works_under_the_strict_csp(asgi_server, page):
    groups_tree(stage="review", groups=1, sections=1)
    page.goto(asgi_server.url + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="Open data API").click()
    page.wait_for_url(re.compile(r"/api/v1/docs$"))
    # Swagger UI (served from the site) has read the OpenAPI document and lists the endpoints.
    expect(page.get_by_text("Open Policy API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/papers/{paper_id}/comments").first).to_be_visible()
