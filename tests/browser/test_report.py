"""The consensus report in a real browser: accessible, and live."""

import re

import pytest

from tests.support.contributions import react
from tests.support.people import member_of
from tests.support.trees import report_tree

pytestmark = pytest.mark.browser


def test_the_report_updates_live_when_someone_reacts_elsewhere(
    asgi_server, page, new_context, axe, browser_login
):
    tree = report_tree(sections=2, per_group=3)
    civil, local, research = tree["members"]
    first, second = tree["sections"]
    react(civil, first, "agree")
    react(local, first, "agree")
    react(research[:1], first, "agree")
    voter = member_of(tree["groups"][2], organisation="Researchers org", username="late-voter")

    page.goto(f"{asgi_server.url}{tree['paper'].url}report/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Consensus report: {tree['paper'].title}"
    section = page.locator(f"[data-report-section='{first.pk}']")
    # Researchers (4 members with the late voter) have 1 reaction, below their quorum of 2: not yet
    # heard, so the section waits for them, though the other two groups agree 3 of 3.
    assert section.locator("[data-field=classification]").inner_text() == "Waiting for groups"
    research_row = section.locator(f"tr[data-group='group-{tree['groups'][2].pk}']")
    assert research_row.locator("[data-field=position]").inner_text() == "Not yet heard"
    assert section.locator("tr[data-group=all] [data-field=agree]").inner_text() == "7"
    # Wait for the live connection before changing anything.
    page.wait_for_selector("[data-live-report][data-live-connected=true]")
    axe(page)

    # Someone else, in another browser, agrees on the paper page.
    other = new_context().new_page()
    browser_login(other, asgi_server, voter.username)
    other.goto(f"{asgi_server.url}{tree['paper'].url}")
    reactions = other.locator(f"#{first.anchor}-reactions")
    reactions.get_by_role("button", name="Agree", exact=True).click()
    other.wait_for_function(
        "el => el.getAttribute('aria-pressed') === 'true'",
        arg=reactions.get_by_role("button", name="Agree", exact=True).element_handle(),
    )

    # The report, untouched, now counts it: 8 agree, Researchers heard, the statistic redone.
    section = page.locator(f"[data-report-section='{first.pk}']")
    page.wait_for_function(
        "id => document.querySelector(`[data-report-section='${id}'] tr[data-group=all] [data-field=agree]`)"
        ".textContent.trim() === '8'",
        arg=first.pk,
    )
    research_row = section.locator(f"tr[data-group='group-{tree['groups'][2].pk}']")
    assert research_row.locator("[data-field=agree]").inner_text() == "2"
    assert research_row.locator("[data-field=position]").inner_text() == "Agrees"
    assert section.locator("[data-field=groups_heard]").inner_text() == "3 of 3"
    announcer = page.locator("[data-report-announcer]")
    page.wait_for_function("el => el.textContent.includes('Report updated')", arg=announcer.element_handle())
    assert re.search(rf"1\. {re.escape(first.title)}: Broad consensus; 8 agree", announcer.inner_text())
    assert announcer.get_attribute("aria-live") == "polite"
    # The second section did not change and was not replaced.
    assert (
        "Too little participation to say" in page.locator(f"[data-report-section='{second.pk}']").inner_text()
    )
    axe(page)


def test_the_report_reads_without_javascript_and_links_its_files(asgi_server, new_context):
    tree = report_tree(sections=2, per_group=3)
    react(tree["members"][0], tree["sections"][0], "agree")
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{asgi_server.url}{tree['paper'].url}report/")
    assert page.get_by_role("heading", name="Method").is_visible()
    # Every chart is an image with a name, paired with a table of the same figures.
    charts = page.get_by_role("img")
    assert charts.count() == 3
    assert page.get_by_role("table", name=re.compile("Reactions to section 1 by group")).is_visible()
    for name, kind in (("PDF", "application/pdf"), ("CSV", "text/csv"), ("JSON", "application/json")):
        href = page.get_by_role("link", name=re.compile(f"^{name}")).get_attribute("href")
        response = page.request.get(f"{asgi_server.url}{href}")
        assert response.ok and response.headers["content-type"].startswith(kind), name
    # No axe here: it cannot run where JavaScript is off. The markup is the same as the
    # JavaScript page's, which the live test checks with axe.


def test_a_frozen_report_and_a_refused_report_are_accessible(asgi_server, page, axe):
    from consultation.report.services import report_freeze
    from tests.support.factories import UserFactory

    tree = report_tree(stage="signoff", sections=2, per_group=3)
    react(tree["members"][0], tree["sections"][0], "agree")
    editor = UserFactory(is_superuser=True, is_staff=True, display_name="Chief Editor")
    frozen = report_freeze(paper=tree["paper"], actor=editor)

    page.goto(f"{asgi_server.url}{tree['paper'].url}report/")
    page.get_by_role("link", name=re.compile("Report for v1, frozen")).click()
    assert "It never changes" in page.locator("main").inner_text()
    assert frozen.json_sha256 in page.locator("main").inner_text()
    axe(page)

    paper = tree["paper"]
    paper.restricted = True
    paper.restriction_category = "legal_advice"
    paper.restriction_reason = "Under legal review."
    paper.save_revision().publish()
    response = page.goto(f"{asgi_server.url}{paper.url}report/")
    assert response.status == 403
    assert "Under legal review." in page.locator("main").inner_text()
    axe(page)
