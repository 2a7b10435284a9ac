"""A reader follows how a paper changed, and the public record, in a real browser; axe checks every page."""

import re
from datetime import date

import pytest

from consultation.models import RestrictionCategory
from consultation.versions.responses import response_create
from consultation.versions.services import version_publish
from tests.support.people import editor_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.browser


def publish(page, *, user, **fields):
    page = type(page).objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision(user=user).publish(user=user)
    return type(page).objects.get(pk=page.pk)


@pytest.fixture
def history():
    tree = build_site_tree(sections=3)
    editor = editor_of(tree["consultation"])
    paper, sections = tree["paper"], tree["sections"]
    publish(
        sections[2],
        user=editor,
        restricted=True,
        restriction_category=RestrictionCategory.COMMERCIAL,
        restriction_reason="Prices under negotiation.",
        restriction_review_on=date(2027, 1, 31),
    )
    version_publish(paper=paper, actor=editor, change_note="First draft for the working groups.")
    publish(
        sections[0], user=editor, body=[("paragraph", f"<p>Revised body text of {sections[0].title}.</p>")]
    )
    v2 = version_publish(paper=paper, actor=editor, change_note="Revised after the first review.")
    response_create(
        actor=editor,
        section=sections[0],
        outcome="accepted",
        reason="Clearer wording, as asked.",
        changed_in=v2,
    )
    return tree


def test_a_reader_compares_versions_and_reads_the_record(asgi_server, page, axe, history):
    paper, consultation, first = history["paper"], history["consultation"], history["sections"][0]

    page.goto(asgi_server.url + paper.url)
    page.get_by_role("link", name="All versions and what changed").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Versions of {paper.title}"
    assert page.locator(".version-list__item").count() == 2
    assert "a reworded section starts afresh" in page.locator("main").inner_text()
    axe(page)

    page.get_by_role("link", name="What changed in v2").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Compare versions of {paper.title}"
    changed = page.locator(f'li.diff-section[data-section-id="{first.pk}"]')
    assert changed.locator("ins").text_content() == "[added: Revised body]"
    assert changed.locator("del").text_content() == "[removed: Body]"
    # The hidden labels are there for screen readers but not drawn on screen.
    assert changed.locator("ins .visually-hidden").first.bounding_box()["width"] <= 1
    assert page.locator('li.diff-section[data-status="withheld"]').count() == 1
    axe(page)

    # The compare form works without JavaScript: choose v1 against the current text.
    page.get_by_label("From version").select_option(label="v1")
    page.get_by_label("To version").select_option(label="the current text")
    page.get_by_role("button", name="Compare").click()
    assert "from=1" in page.url and "to=current" in page.url
    assert "Changes from v1 to the current text" in page.locator("main").inner_text()
    axe(page)

    # Choosing the same version twice is refused with a clear message, in an accessible error summary.
    page.get_by_label("To version").select_option(label="v1")
    page.get_by_role("button", name="Compare").click()
    assert page.get_by_role("alert").inner_text().count("Choose two different versions") == 1
    axe(page)

    page.goto(f"{asgi_server.url}{paper.url}versions/1/")
    assert "This is an earlier version." in page.locator("main").inner_text()
    assert f"Body text of {first.title}." in page.locator(f"#section-{first.pk}").inner_text()
    axe(page)

    # Chromium puts a space before the visually hidden part of the name.
    page.get_by_role("link", name=re.compile(rf"^History of section 1\W+{first.title}$")).click()
    assert "Clearer wording, as asked." in page.locator("main").inner_text()
    axe(page)

    page.goto(asgi_server.url + consultation.url)
    page.get_by_role("link", name="Process record").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Process record: {consultation.title}"
    kinds = page.locator(".record__kind").all_inner_texts()
    assert kinds[-3:] == ["Version published", "Version published", "Response to feedback"]
    assert kinds[0] == "Restriction"
    axe(page)

    page.get_by_label("Show events of one kind").select_option(label="Response to feedback")
    page.get_by_role("button", name="Show").click()
    assert page.locator(".record__kind").all_inner_texts() == ["Response to feedback"]
    page.locator(".record__link a").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Record entry")
    axe(page)

    page.goto(f"{asgi_server.url}{consultation.url}restrictions/")
    assert "Prices under negotiation." in page.locator("main").inner_text()
    axe(page)


def test_a_section_history_and_an_old_wording_are_reachable_by_keyboard(asgi_server, page, axe, history):
    paper, first = history["paper"], history["sections"][0]
    page.goto(f"{asgi_server.url}{paper.url}versions/2/")
    link = page.get_by_role("link", name="Section 1 of v2 on its own page")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"1. {first.title} (v2 wording)"
    assert "Clearer wording, as asked." in page.locator("main").inner_text()
    axe(page)
