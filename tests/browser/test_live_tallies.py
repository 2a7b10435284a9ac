"""Live tallies in real Chromium: a reaction in one browser shows in another without a
reload and is announced politely; without JavaScript the plain form does the same job."""

import re

import pytest
from playwright.sync_api import expect

from consultation.models import Reaction
from tests.support.people import member_of
from tests.support.trees import reaction_tree

pytestmark = pytest.mark.browser


def reactions_of(page, section):
    return page.locator(f"#{section.anchor}-reactions")


def axe_as_shown(new_context, page, axe):
    """axe-core needs JavaScript, so a page shown without it is checked as a copy:
    the same HTML, served at the same address to a context whose own scripts are
    blocked (so it stays exactly as the person without JavaScript sees it)."""
    html, url = page.content(), page.url.split("#")[0]
    checker = new_context()
    checker.route("**/*.js", lambda route: route.abort())
    checker.route(
        lambda address: address == url, lambda route: route.fulfill(body=html, content_type="text/html")
    )
    copy = checker.new_page()
    copy.goto(url)
    axe(copy)


def wait_live(page):
    expect(page.locator("[data-live-status]")).to_have_text(re.compile("^Live:"))


def test_an_agree_in_one_browser_shows_and_is_announced_in_another_without_reload(
    asgi_server, new_context, browser_login, axe
):
    tree = reaction_tree(sections=2)
    first, second = tree["groups"]
    member_of(first, username="voter", display_name="Vera Voter")
    member_of(second, username="watcher", display_name="Walt Watcher")
    paper, section = tree["paper"], tree["sections"][1]
    url = asgi_server.url + paper.url

    watcher = new_context().new_page()
    browser_login(watcher, asgi_server, "watcher")
    watcher.goto(url)
    wait_live(watcher)
    watcher.evaluate("window.notReloaded = true")
    axe(watcher)

    voter_page = new_context().new_page()
    browser_login(voter_page, asgi_server, "voter")
    voter_page.goto(url)
    wait_live(voter_page)
    voter_page.evaluate("window.notReloaded = true")
    panel = reactions_of(voter_page, section)
    agree = panel.get_by_role("button", name="Agree", exact=True)
    expect(agree).to_have_attribute("aria-pressed", "false")
    agree.click()

    # The voter's page updates in place: pressed state, own choice, count.
    expect(agree).to_have_attribute("aria-pressed", "true")
    expect(panel.locator("[data-my-reaction]")).to_have_text("Your reaction: Agree.")
    expect(panel.locator(".reactions__tally")).to_have_text(re.compile(r"1 agree,\s*0 disagree,\s*0 neutral"))
    expect(panel.get_by_role("button", name=re.compile("^Withdraw my reaction"))).to_be_visible()
    assert voter_page.evaluate("window.notReloaded") is True
    axe(voter_page)

    # The watcher's page follows without a reload, in the panel and in the table.
    other = reactions_of(watcher, section)
    expect(other.locator(".reactions__tally")).to_have_text(re.compile(r"1 agree,\s*0 disagree,\s*0 neutral"))
    row = watcher.get_by_role("row", name=re.compile(re.escape(section.title)))
    expect(row.locator('[data-tally-scope="all"]')).to_have_text(re.compile(r"^\s*1 agree"))
    expect(row.locator(f'[data-tally-scope="group:{first.pk}"]')).to_have_text(re.compile(r"^\s*1 agree"))
    expect(row.locator(f'[data-tally-scope="group:{second.pk}"]')).to_have_text(re.compile(r"^\s*0 agree"))
    expect(row.locator('[data-tally-scope="public"]')).to_have_text(re.compile(r"^\s*0 agree"))
    region = watcher.locator("[data-live-region]")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_text(re.compile(rf"Section 2, {re.escape(section.title)} now has 1 agree"))
    assert watcher.evaluate("window.notReloaded") is True
    # The watcher's own buttons are untouched by someone else's choice.
    expect(other.get_by_role("button", name="Agree", exact=True)).to_have_attribute("aria-pressed", "false")
    axe(watcher)

    # Changing and withdrawing follow too.
    panel.get_by_role("button", name="Disagree", exact=True).click()
    expect(other.locator(".reactions__tally")).to_have_text(re.compile(r"0 agree,\s*1 disagree,\s*0 neutral"))
    panel.get_by_role("button", name=re.compile("^Withdraw my reaction")).click()
    expect(other.locator(".reactions__tally")).to_have_text(re.compile(r"0 agree,\s*0 disagree,\s*0 neutral"))
    expect(agree).to_have_attribute("aria-pressed", "false")
    expect(panel.locator("[data-my-reaction]")).to_have_text("You have not reacted to this section.")
    assert not Reaction.objects.exists()


# Lets a test cut the page's websocket and keep it cut: while window.__cut is
# true, new sockets go to a same-origin path the server refuses.
CUTTABLE_SOCKETS = """
(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.__cut = false;
    window.WebSocket = function (url, protocols) {
        // Cut: a same-origin socket the server refuses (paper 0); another
        // origin would break the Content-Security-Policy's connect-src 'self'.
        const cut = url.split("/ws/papers/")[0] + "/ws/papers/0/";
        const socket = new Native(window.__cut ? cut : url, protocols);
        window.__sockets.push(socket);
        return socket;
    };
    window.WebSocket.prototype = Native.prototype;
})();
"""


def test_a_page_that_reconnects_resyncs_what_it_missed(asgi_server, new_context, browser_login):
    tree = reaction_tree(sections=1)
    member_of(tree["groups"][0], username="voter")
    section = tree["sections"][0]
    watcher_context = new_context()
    watcher_context.add_init_script(CUTTABLE_SOCKETS)
    watcher = watcher_context.new_page()
    watcher.goto(asgi_server.url + tree["paper"].url)
    wait_live(watcher)

    watcher.evaluate("() => { window.__cut = true; window.__sockets.forEach((s) => s.close()); }")
    expect(watcher.locator("[data-live-status]")).to_have_text(re.compile("Reconnecting|paused"))

    voter = new_context().new_page()
    browser_login(voter, asgi_server, "voter")
    voter.goto(asgi_server.url + tree["paper"].url)
    reactions_of(voter, section).get_by_role("button", name="Neutral", exact=True).click()
    expect(reactions_of(voter, section).locator(".reactions__tally")).to_have_text(re.compile(r"1 neutral"))
    # Missed while cut off:
    expect(reactions_of(watcher, section).locator(".reactions__tally")).to_have_text(re.compile(r"0 neutral"))

    watcher.evaluate("() => { window.__cut = false; }")
    wait_live(watcher)
    expect(reactions_of(watcher, section).locator(".reactions__tally")).to_have_text(
        re.compile(r"0 agree,\s*0 disagree,\s*1 neutral")
    )
    # A new socket replaced the one that was cut (how many retries failed in
    # between depends on the backoff timing, so it is not counted).
    assert watcher.evaluate("window.__sockets.length") >= 2


def test_without_javascript_reacting_works_and_the_tally_is_in_the_page(
    asgi_server, new_context, browser_login, axe
):
    tree = reaction_tree(sections=2)
    member_of(tree["groups"][0], username="plain")
    section = tree["sections"][0]
    page = new_context(java_script_enabled=False).new_page()
    browser_login(page, asgi_server, "plain")
    page.goto(asgi_server.url + tree["paper"].url)
    expect(page.locator("[data-live-status]")).to_have_text(re.compile("as they were when the page loaded"))
    axe_as_shown(new_context, page, axe)

    reactions_of(page, section).get_by_role("button", name="Neutral", exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#{section.anchor}")
    expect(page.get_by_role("status").first).to_contain_text(
        f"Your reaction to section “{section.title}”: Neutral."
    )
    panel = reactions_of(page, section)
    expect(panel.locator(".reactions__tally")).to_have_text(re.compile(r"0 agree,\s*0 disagree,\s*1 neutral"))
    expect(panel.get_by_role("button", name="Neutral", exact=True)).to_have_attribute("aria-pressed", "true")
    row = page.get_by_role("row", name=re.compile(re.escape(section.title)))
    expect(row.locator('[data-tally-scope="all"]')).to_have_text(re.compile(r"1 neutral"))
    axe_as_shown(new_context, page, axe)

    panel.get_by_role("button", name=re.compile("^Withdraw my reaction")).click()
    page.wait_for_load_state()
    expect(reactions_of(page, section).locator(".reactions__tally")).to_have_text(
        re.compile(r"0 agree,\s*0 disagree,\s*0 neutral")
    )
    assert not Reaction.objects.exists()
    axe_as_shown(new_context, page, axe)


def test_the_anonymous_see_live_tallies_and_a_way_to_sign_in(asgi_server, page, axe):
    tree = reaction_tree(sections=1)
    page.goto(asgi_server.url + tree["paper"].url)
    wait_live(page)
    panel = reactions_of(page, tree["sections"][0])
    expect(panel.get_by_role("button")).to_have_count(0)
    expect(panel.get_by_role("link", name=re.compile("^Sign in"))).to_be_visible()
    axe(page)
