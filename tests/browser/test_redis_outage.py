"""A Redis outage as people see it: a reaction made while Redis is down is saved and
shows at once on the voter's page; the watcher's page, which kept its socket, shows
it within seconds of Redis returning. Redis is the test's own (never the shared one)."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.support.people import member_of
from tests.support.processes import RECOVERY_LIMIT
from tests.support.trees import reaction_tree

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_reaction_during_the_outage_is_saved_and_reaches_the_other_page_when_redis_returns(
    own_redis,
    outage_server,
    new_context,
    browser_login,
):
    server = outage_server
    tree = reaction_tree(sections=1)
    member_of(tree["groups"][0], username="voter")
    member_of(tree["groups"][1], username="watcher")
    section = tree["sections"][0]
    server.wait_until_serving(f"/consultation/papers/{tree['paper'].pk}/tallies/")
    url = server.url + tree["paper"].url

    pages = {}
    for name in ("watcher", "voter"):
        page = pages[name] = new_context().new_page()
        browser_login(page, server, name)
        page.goto(url)
        expect(page.locator("[data-live-status]")).to_have_text(re.compile("^Live:"), timeout=15_000)
        page.evaluate("window.notReloaded = true")

    own_redis.stop()

    panel = pages["voter"].locator(f"#{section.anchor}-reactions")
    panel.get_by_role("button", name="Agree", exact=True).click()
    expect(panel.locator("[data-my-reaction]")).to_have_text("Your reaction: Agree.")
    expect(panel.locator(".reactions__tally")).to_have_text(re.compile(r"1 agree,\s*0 disagree,\s*0 neutral"))
    watched = pages["watcher"].locator(f"#{section.anchor}-reactions .reactions__tally")
    expect(watched).to_have_text(re.compile(r"0 agree"))  # nothing carries it while Redis is down

    own_redis.start()
    back = time.monotonic()
    expect(watched).to_have_text(
        re.compile(r"1 agree,\s*0 disagree,\s*0 neutral"), timeout=RECOVERY_LIMIT * 1000
    )
    recovered_in = time.monotonic() - back
    assert all(page.evaluate("window.notReloaded") for page in pages.values())
    print(f"\nBrowser: the watcher's page caught up {recovered_in:.2f} s after Redis returned")
