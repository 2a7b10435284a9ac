"""The demo as a visitor meets it: home → consultation → paper → every section → accessibility statement.

The demo is built by the same code `make run` uses; axe checks every page visited.
"""

import re

import pytest
from django.core.management import call_command

from consultation.demo import content

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(asgi_server):
    call_command("load_demo", verbosity=0)
    return asgi_server


def test_visitor_reads_the_demo_paper_section_by_section(demo_server, page, axe):
    page.goto(demo_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == content.HOME_TITLE
    axe(page)

    page.get_by_role("link", name=content.CONSULTATION_TITLE).click()
    page.wait_for_url(f"**/{content.CONSULTATION_SLUG}/")
    assert page.get_by_role("heading", level=1).inner_text() == content.CONSULTATION_TITLE
    assert "Working-group review" in page.locator("[aria-current=step]").inner_text()
    assert page.locator(".timeline time").count() >= 9  # start and end dates; "final" has no end
    axe(page)

    page.get_by_role("link", name=content.PAPER_TITLE).click()
    page.wait_for_url(f"**/{content.PAPER_SLUG}/")
    assert page.get_by_role("heading", level=1).inner_text() == content.PAPER_TITLE
    toc = page.get_by_role("navigation", name="Contents")
    titles = [spec["title"] for spec in content.SECTIONS]
    assert toc.get_by_role("link").all_inner_texts() == [f"{n}. {t}" for n, t in enumerate(titles, 1)]
    main_text = page.locator("main").inner_text()
    assert content.RESTRICTED_BODY_SENTENCE not in main_text
    axe(page)

    # The contents link jumps to the section's anchor on the same page.
    toc.get_by_role("link", name=f"3. {titles[2]}").click()
    assert re.fullmatch(r"#section-\d+", page.evaluate("location.hash"))

    permalinks = [
        page.get_by_role("link", name=f"Permalink to section {n}, {title}").get_attribute("href")
        for n, title in enumerate(titles, 1)
    ]
    assert all(re.fullmatch(r"/consultation/sections/\d+/", href) for href in permalinks)

    for number, (spec, permalink) in enumerate(zip(content.SECTIONS, permalinks, strict=True), start=1):
        response = page.goto(demo_server.url + permalink)
        assert response.ok
        assert page.url.endswith(f"/{content.PAPER_SLUG}/{spec['slug']}/")
        assert page.get_by_role("heading", level=1).inner_text() == f"{number}. {spec['title']}"
        main = page.locator("main").inner_text()
        if spec.get("restriction"):
            assert "This section is restricted" in main
            assert spec["restriction"]["reason"] in main
            assert "will be reviewed by" in main
            assert content.RESTRICTED_BODY_SENTENCE not in page.content()
        else:
            assert "is restricted" not in main
        axe(page)

    page.get_by_role("link", name="Accessibility statement").click()
    page.wait_for_url(f"**/{content.ACCESSIBILITY_SLUG}/")
    assert page.get_by_role("heading", level=1).inner_text() == content.ACCESSIBILITY_TITLE
    assert "WCAG" in page.locator("main").inner_text()
    axe(page)


def test_the_demo_reads_the_same_without_javascript(demo_server, new_context):
    # axe itself needs JavaScript, so it checks these same pages in the test above.
    page = new_context(java_script_enabled=False).new_page()

    page.goto(demo_server.url + "/consultations/")
    # A click returns once the next page starts loading; read it only when the whole page has arrived,
    # or a long paper is read half-parsed.
    page.get_by_role("link", name=content.CONSULTATION_TITLE).click()
    page.wait_for_url(f"**/{content.CONSULTATION_SLUG}/")
    page.get_by_role("link", name=content.PAPER_TITLE).click()
    page.wait_for_url(f"**/{content.PAPER_SLUG}/")

    main = page.locator("main").inner_text()
    for spec in content.SECTIONS:
        assert spec["title"] in main
    restricted = next(spec for spec in content.SECTIONS if spec.get("restriction"))
    assert restricted["restriction"]["reason"] in main
    assert content.RESTRICTED_BODY_SENTENCE not in main
