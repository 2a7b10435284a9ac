"""A member of the public reads the consultation in a real browser; axe checks every page."""

import pytest

from tests.support.trees import build_site_tree

pytestmark = pytest.mark.browser


def test_public_reads_consultation_paper_section_and_accessibility_statement(asgi_server, page, axe):
    tree = build_site_tree(sections=3)
    consultation, paper, first = tree["consultation"], tree["paper"], tree["sections"][0]

    page.goto(asgi_server.url + "/")
    axe(page)
    page.get_by_role("link", name="Consultations").first.click()
    axe(page)
    page.get_by_role("link", name=consultation.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == consultation.title
    assert "Working-group review" in page.locator("[aria-current=step]").inner_text()
    axe(page)

    page.get_by_role("link", name=paper.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == paper.title
    toc = page.get_by_role("navigation", name="Contents")
    assert toc.get_by_role("link").count() == 3
    axe(page)

    page.get_by_role("link", name=f"Permalink to section 1, {first.title}").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"1. {first.title}"
    assert f"Body text of {first.title}." in page.locator("main").inner_text()
    axe(page)

    page.get_by_role("link", name="Accessibility statement").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Accessibility statement"
    axe(page)


def test_skip_link_moves_focus_to_main_content(asgi_server, page):
    build_site_tree(sections=1)
    page.goto(asgi_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
