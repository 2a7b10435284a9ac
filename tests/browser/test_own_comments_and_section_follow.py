"""In a real browser, with JavaScript on and off: editing and withdrawing one's own comment,
and following a single section. axe checks every page on the way."""

import pytest
from playwright.sync_api import expect

from consultation.models import Comment, CommentRevision, SectionFollow
from tests.support.contributions import add_comment
from tests.support.factories import UserFactory
from tests.support.people import member_of
from tests.support.trees import comment_tree

pytestmark = pytest.mark.browser


def signed_in_page(new_context, asgi_server, browser_login, user, *, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    browser_login(page, asgi_server, user.username)
    return page


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_edit_then_withdraw_ones_own_comment(asgi_server, new_context, browser_login, axe, javascript):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    alice = member_of(tree["group"], display_name="Alice Jones")
    bob = member_of(tree["group"], display_name="Bob Evans")
    comment = add_comment(alice, section, "The threshold is too low.")
    reply = add_comment(bob, section, "I agree with Alice.", parent=comment)
    page = signed_in_page(new_context, asgi_server, browser_login, alice, javascript=javascript)

    page.goto(asgi_server.url + section.url)
    own = page.locator(f"#comment-{comment.pk} > .comment__body")
    expect(page.locator(f"#comment-{reply.pk}").get_by_role("link", name="Edit your comment")).to_have_count(
        0
    )
    own.get_by_role("link", name="Edit your comment").click()
    page.wait_for_url(f"**/comments/{comment.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your comment")
    expect(page.get_by_label("Your comment")).to_have_value("The threshold is too low.")
    axe(page)

    # An empty text comes back with the reason; nothing is saved.
    page.get_by_label("Your comment").fill("")
    page.get_by_role("button", name="Save your comment").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your comment before saving it.")
    axe(page)
    page.get_by_label("Your comment").fill("The threshold is far too low.")
    page.get_by_role("button", name="Save your comment").click()
    page.wait_for_url(f"**#comment-{comment.pk}")
    expect(own.locator(".comment__text")).to_have_text("The threshold is far too low.")
    expect(own.locator(".comment__edited")).to_contain_text("edited")
    assert list(CommentRevision.objects.values_list("text", flat=True)) == ["The threshold is too low."]
    axe(page)

    own.get_by_role("link", name="Withdraw your comment").click()
    page.wait_for_url(f"**/comments/{comment.pk}/withdraw/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw your comment?")
    axe(page)
    page.get_by_role("button", name="Withdraw my comment").click()
    page.wait_for_url(f"**#comment-{comment.pk}")
    expect(page.locator(f"#comment-{comment.pk} .comment__tombstone").first).to_contain_text(
        "Withdrawn by its author"
    )
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("I agree with Alice.")
    expect(page.get_by_text("The threshold is far too low.")).to_have_count(0)
    assert Comment.objects.get(pk=comment.pk).is_withdrawn
    axe(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_follow_and_unfollow_a_section(asgi_server, new_context, browser_login, axe, javascript):
    tree = comment_tree(stage="review")
    section = tree["sections"][1]
    reader = UserFactory()
    page = signed_in_page(new_context, asgi_server, browser_login, reader, javascript=javascript)

    page.goto(asgi_server.url + section.url)
    area = page.locator("#follow-section")
    area.get_by_role("button", name="Follow this section").click()
    page.wait_for_url(f"**{section.url}#follow-section")
    expect(area.get_by_role("button", name="Stop following this section")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("You will get an email")
    assert SectionFollow.objects.filter(section=section, user=reader).exists()
    axe(page)

    area.get_by_role("button", name="Stop following this section").click()
    page.wait_for_url(f"**{section.url}#follow-section")
    expect(area.get_by_role("button", name="Follow this section")).to_be_visible()
    assert not SectionFollow.objects.exists()
    axe(page)
