"""The report claims live updates only where they happen: with JavaScript on."""

import pytest

from tests.support.trees import build_site_tree

pytestmark = pytest.mark.browser

LIVE = "These figures update as people react"
RELOAD = "Reload this page for the latest figures."


@pytest.mark.parametrize(("javascript", "shown", "hidden"), [(False, RELOAD, LIVE), (True, LIVE, RELOAD)])
def test_the_report_says_whether_it_updates_itself(asgi_server, new_context, javascript, shown, hidden):
    tree = build_site_tree(sections=2)
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(f"{asgi_server.url}{tree['paper'].url}report/")
    assert page.get_by_text(shown).is_visible()
    assert page.get_by_text(hidden).is_hidden()
