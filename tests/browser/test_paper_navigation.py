"""Moving around a long paper: where am I, back to the contents, and on to the next section.

Everything here is links and text, so it works the same with JavaScript on and off.
"""

import re

import pytest

from tests.support.trees import build_site_tree

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_reader_moves_through_the_paper_by_its_contents(asgi_server, new_context, javascript):
    tree = build_site_tree(sections=4)
    paper, sections = tree["paper"], tree["sections"]
    page = new_context(java_script_enabled=javascript).new_page()

    page.goto(asgi_server.url + paper.url)
    assert page.locator("#contents").get_by_text("4 sections").is_visible()
    section_three = page.locator(f"#section-{sections[2].pk}")
    assert section_three.locator(".reading-progress").inner_text() == "Section 3 of 4"

    # Contents → section 3 → back to contents.
    page.get_by_role("navigation", name="Contents").get_by_role(
        "link", name=f"3. {sections[2].title}"
    ).click()
    assert page.evaluate("location.hash") == f"#section-{sections[2].pk}"
    page.get_by_role("navigation", name="After section 3").get_by_role(
        "link", name="Back to contents"
    ).click()
    assert page.evaluate("location.hash") == "#contents"
    assert page.get_by_role("navigation", name="After section 4").count() == 1

    # The section's own page says where it is and leads on, back, and to the contents.
    page.goto(asgi_server.url + sections[1].url)
    assert page.locator(".reading-progress").inner_text() == "Section 2 of 4"
    pager = page.get_by_role("navigation", name="Sections")
    pager.get_by_role("link", name=re.compile(r"^Next: section 3")).click()
    page.wait_for_url(f"**{sections[2].url}")
    assert page.get_by_role("heading", level=1).inner_text() == f"3. {sections[2].title}"
    page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name=re.compile(r"^Previous: section 2")
    ).click()
    page.wait_for_url(f"**{sections[1].url}")
    page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name=re.compile("contents of the paper")
    ).click()
    page.wait_for_url(f"**{paper.url}#contents")
    assert page.get_by_role("heading", name="Contents").is_visible()


def test_the_first_and_last_sections_have_only_the_way_that_exists(asgi_server, page):
    tree = build_site_tree(sections=2)
    first, last = tree["sections"]
    page.goto(asgi_server.url + first.url)
    pager = page.get_by_role("navigation", name="Sections")
    assert pager.get_by_role("link", name=re.compile("^Previous")).count() == 0
    assert pager.get_by_role("link", name=re.compile("^Next")).count() == 1
    page.goto(asgi_server.url + last.url)
    pager = page.get_by_role("navigation", name="Sections")
    assert pager.get_by_role("link", name=re.compile("^Next")).count() == 0
    assert page.locator(".reading-progress").inner_text() == "Section 2 of 2"
