"""Competing proposals in real Chromium, with and without JavaScript; axe on every state a person sees."""

import re

import pytest
from playwright.sync_api import expect

from consultation.models import Proposal
from tests.support.contributions import propose, react
from tests.support.people import member_of
from tests.support.trees import CURRENT_WORDING, proposal_tree

pytestmark = pytest.mark.browser


def card(page, proposal):
    return page.locator(f"#proposal-{proposal.pk}")


def wait_live(page):
    expect(page.locator("[data-live-status]")).to_have_text(re.compile("^Live:"))


def test_without_javascript_people_propose_react_and_withdraw(asgi_server, new_context, browser_login, axe):
    tree = proposal_tree(per_group=1)
    section = tree["sections"][0]
    member_of(tree["groups"][0], username="ada", display_name="Ada Civil")
    member_of(tree["groups"][1], username="bo", display_name="Bo Local")
    member_of(tree["groups"][2], username="cy", display_name="Cy Research")
    url = asgi_server.url + section.url

    ada = new_context(java_script_enabled=False).new_page()
    browser_login(ada, asgi_server, "ada")
    ada.goto(url)
    axe(ada)
    ada.get_by_role("link", name=re.compile("^Propose a replacement wording")).click()
    expect(ada.get_by_role("heading", level=1)).to_have_text(re.compile("^Propose a wording for section 1"))
    wording = ada.get_by_label("Your wording")
    expect(wording).to_have_value(CURRENT_WORDING)
    axe(ada)

    # A mistake comes back with the text kept and the error linked to its field.
    wording.fill("Councils must share data with the department every month.")
    ada.get_by_role("button", name="Publish proposal").click()
    summary = ada.get_by_role("alert")
    expect(summary).to_contain_text("Say why you propose this")
    expect(ada.get_by_label("Your wording")).to_have_value(
        "Councils must share data with the department every month."
    )
    expect(ada.get_by_label("Why do you propose this?")).to_have_attribute("aria-invalid", "true")
    axe(ada)

    ada.get_by_label("Why do you propose this?").fill("Quarterly is too slow to catch fraud.")
    ada.get_by_role("button", name="Publish proposal").click()
    expect(ada.get_by_role("status").first).to_contain_text("Your proposal has been published")
    first = Proposal.objects.get(author__username="ada")
    diff = ada.locator(".diff--proposal")
    expect(diff.locator("ins")).to_have_text(re.compile("month"))
    expect(diff.locator("del")).to_have_text(re.compile("quarter"))
    axe(ada)

    bo = new_context(java_script_enabled=False).new_page()
    browser_login(bo, asgi_server, "bo")
    bo.goto(url)
    bo.get_by_role("link", name=re.compile("^Propose a paragraph to add")).click()
    expect(bo.get_by_label("A paragraph added at the end of this section")).to_be_checked()
    bo.get_by_label("Your wording").fill("Councils publish a list of what they share.")
    bo.get_by_label("Why do you propose this?").fill("People should see what is shared.")
    bo.get_by_role("button", name="Publish proposal").click()
    second = Proposal.objects.get(author__username="bo")

    # Cy reacts to both beside the section, with plain forms.
    cy = new_context(java_script_enabled=False).new_page()
    browser_login(cy, asgi_server, "cy")
    cy.goto(url)
    card(cy, second).get_by_role("button", name="Agree", exact=True).click()
    cy.wait_for_load_state()
    assert cy.url.endswith(f"#proposal-{second.pk}")
    expect(cy.get_by_role("status").first).to_contain_text(
        f"Your reaction to proposal {second.pk} by Bo Local: Agree."
    )
    expect(card(cy, second).locator(".reactions__tally")).to_have_text(
        re.compile(r"1 agree,\s*0 disagree,\s*0 neutral")
    )
    card(cy, first).get_by_role("button", name="Disagree", exact=True).click()
    cy.wait_for_load_state()
    cards = cy.locator(f"#proposals-{section.pk} li.proposal")
    expect(cards).to_have_count(2)
    # Every invited group counts, a silent one as undecided: Cy's agree (one of two Researchers)
    # gives the second (0 + 0 + 1/2) / 3 = +17 %, Cy's disagree the first −17 %.
    assert [cards.nth(i).get_attribute("data-proposal-id") for i in range(2)] == [
        str(second.pk),
        str(first.pk),
    ]
    expect(card(cy, second).locator(".proposal__support")).to_contain_text("score +17% over 3 working groups")
    expect(card(cy, first).locator(".proposal__support")).to_contain_text("score \u221217%")
    expect(cy.locator(f"#proposals-{section.pk} .proposals__rule")).to_contain_text("not by raw counts")
    cy.locator(f"#proposals-{section.pk} .proposals__method summary").click()
    card(cy, first).locator(".proposal__groups summary").click()
    expect(card(cy, first).locator(".proposal__groups")).to_contain_text("Local government")
    axe(cy)
    cy.goto(asgi_server.url + tree["paper"].url)
    expect(card(cy, first)).to_be_visible()
    axe(cy)

    # Ada withdraws hers: it stays, marked withdrawn.
    ada.goto(asgi_server.url + first.get_absolute_url())
    ada.get_by_role("link", name="Withdraw your proposal").click()
    expect(ada.get_by_role("heading", level=1)).to_have_text(f"Withdraw your proposal {first.pk}?")
    axe(ada)
    ada.get_by_role("button", name=f"Withdraw proposal {first.pk}").click()
    expect(ada.locator(".proposal-state")).to_contain_text("Withdrawn by its author")
    expect(ada.locator(".reactions--closed")).to_contain_text("When it closed: 0 agree, 1 disagree")
    axe(ada)
    ada.goto(url)
    closed = ada.locator(f"#proposals-{section.pk} .proposals__closed")
    closed.locator("summary").click()
    expect(closed).to_contain_text("Withdrawn by its author")
    axe(ada)


def test_with_javascript_reactions_and_discussion_update_in_place(
    asgi_server, new_context, browser_login, axe
):
    tree = proposal_tree(per_group=3)
    section = tree["sections"][0]
    author = member_of(tree["groups"][0], username="ada", display_name="Ada Civil")
    member_of(tree["groups"][1], username="bo", display_name="Bo Local")
    proposal = propose(
        author, section, text="Councils may share data with consent.", rationale="Consent matters."
    )
    react(tree["members"][2], proposal, "agree")

    watcher = new_context().new_page()
    watcher.goto(asgi_server.url + proposal.get_absolute_url())
    wait_live(watcher)
    watcher.evaluate("window.notReloaded = true")
    expect(watcher.locator(".reactions--proposal .reactions__tally")).to_have_text(re.compile(r"3 agree"))
    axe(watcher)

    bo = new_context().new_page()
    browser_login(bo, asgi_server, "bo")
    bo.goto(asgi_server.url + section.url)
    wait_live(bo)
    bo.evaluate("window.notReloaded = true")
    agree = card(bo, proposal).get_by_role("button", name="Agree", exact=True)
    agree.click()
    expect(agree).to_have_attribute("aria-pressed", "true")
    expect(card(bo, proposal).locator("[data-my-reaction]")).to_have_text("Your reaction: Agree.")
    expect(card(bo, proposal).locator(".reactions__tally")).to_have_text(re.compile(r"4 agree,\s*0 disagree"))
    assert bo.evaluate("window.notReloaded") is True
    axe(bo)

    # The watcher's page follows: the total, the group's row, and a polite announcement.
    expect(watcher.locator(".reactions--proposal .reactions__tally")).to_have_text(re.compile(r"4 agree"))
    group_row = watcher.get_by_role("row", name=re.compile("^Local government"))
    expect(group_row).to_contain_text("1 agree")
    expect(watcher.locator("[data-live-region]")).to_have_text(
        re.compile(rf"Proposal {proposal.pk} by Ada Civil now has 4 agree")
    )
    assert watcher.evaluate("window.notReloaded") is True

    # Bo discusses the proposal on its own page; the comment appears without a reload.
    bo.goto(asgi_server.url + proposal.get_absolute_url())
    bo.evaluate("window.notReloaded = true")
    bo.get_by_label(re.compile("^Your comment on Proposal")).fill("Consent must be informed.")
    bo.get_by_role("button", name="Post comment").click()
    comment = bo.locator(".comment").filter(has_text="Consent must be informed.")
    expect(comment).to_be_visible()
    expect(bo.locator(f"#comments-{proposal.pk} [data-comment-count]")).to_have_text("1")
    assert bo.evaluate("window.notReloaded") is True
    axe(bo)

    # The author reads it; they may not react to their own proposal, and are told why.
    ada = new_context().new_page()
    browser_login(ada, asgi_server, "ada")
    ada.goto(asgi_server.url + proposal.get_absolute_url())
    expect(ada.locator(".reactions__closed")).to_have_text(
        "You made this proposal, so you do not react to it."
    )
    expect(ada.locator(".comment")).to_contain_text("Consent must be informed.")
    axe(ada)
