"""Commenting in a real browser: with and without JavaScript, replies, errors, tombstones.
axe checks every state a person sees."""

import pytest
from playwright.sync_api import expect

from consultation.comments.services import comment_hide
from consultation.models import Comment
from tests.support.contributions import add_comment
from tests.support.people import member_of, person_in_role
from tests.support.trees import comment_tree

pytestmark = pytest.mark.browser


def signed_in_page(new_context, asgi_server, browser_login, user, *, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    browser_login(page, asgi_server, user.username)
    return page


def test_without_javascript_post_reply_and_reply_again(asgi_server, new_context, browser_login, axe):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    alice = member_of(tree["group"], display_name="Alice Jones", organisation="Shelter Cymru")
    page = signed_in_page(new_context, asgi_server, browser_login, alice, javascript=False)

    page.goto(asgi_server.url + section.url)
    axe(page)
    # An empty post comes back with the reason, on a page of its own.
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your comment")
    expect(page.get_by_role("alert")).to_contain_text("Write your comment before posting it.")
    axe(page)

    page.get_by_label("Your comment on").fill("Paragraph 2 needs a definition of 'affordable'.")
    page.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get()
    assert page.url.endswith(f"{section.url}#comment-{comment.pk}")
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Alice Jones")
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Shelter Cymru")
    expect(page.get_by_role("status").first).to_have_text("Your comment has been posted.")
    axe(page)

    # Reply on the reply page, then reply to the reply.
    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Reply to Alice Jones").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply to Alice Jones")
    axe(page)
    page.get_by_label("Your reply to Alice Jones").fill("We propose: 'below 80% of market rent'.")
    page.get_by_role("button", name="Post reply").click()
    reply = Comment.objects.get(level=1)
    assert page.url.endswith(f"#comment-{reply.pk}")
    page.locator(f"#comment-{reply.pk}").get_by_role("link", name="Reply to Alice Jones").first.click()
    page.get_by_label("Your reply to Alice Jones").fill("Agreed.")
    page.get_by_role("button", name="Post reply").click()
    deepest = Comment.objects.get(level=2)

    nested = page.locator(f"#comment-{comment.pk} #comment-{reply.pk} #comment-{deepest.pk}")
    expect(nested).to_contain_text("Agreed.")
    # At the deepest level there is no reply link.
    expect(page.locator(f"#comment-{deepest.pk} [data-reply-link]")).to_have_count(0)
    expect(page.get_by_role("heading", name="Comments on this section (3)")).to_be_visible()
    axe(page)


def test_with_javascript_comment_and_reply_inline_without_reloading(
    asgi_server, new_context, browser_login, axe
):
    tree = comment_tree(stage="review")
    paper, section = tree["paper"], tree["sections"][1]
    bob = member_of(tree["group"], display_name="Bob Evans")
    alice = member_of(tree["group"], display_name="Alice Jones")
    earlier = add_comment(alice, section, "An earlier comment by Alice.")
    page = signed_in_page(new_context, asgi_server, browser_login, bob, javascript=True)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(asgi_server.url + paper.url)
    page.evaluate("window.stillTheSamePage = true")
    area = page.locator(f"#comments-{section.pk}")
    # Exactly the summary: a label naming a factory title such as "Section 2084" contains the words too.
    area.get_by_text("Comment on section 2", exact=True).click()
    axe(page)

    # An empty comment: the error comes back in place, focused, nothing reloads.
    area.get_by_role("button", name="Post comment").click()
    expect(area.get_by_role("alert")).to_contain_text("Write your comment before posting it.")
    expect(area.locator("[data-error-summary]")).to_be_focused()
    axe(page)

    area.get_by_label("Your comment on").fill("Section 2 overlaps with section 3.")
    area.get_by_role("button", name="Post comment").click()
    new = area.locator("li.comment", has_text="Section 2 overlaps with section 3.")
    expect(new).to_be_focused()
    expect(area.get_by_role("status")).to_have_text("Your comment has been posted.")
    expect(area.get_by_role("heading", name="Comments on section 2 (2)")).to_be_visible()
    expect(page.locator(f'[data-comment-count-for="section-{section.pk}"]')).to_have_text("2 comments")
    assert page.evaluate("window.stillTheSamePage") is True
    axe(page)

    # Reply inline to Alice's comment.
    item = page.locator(f"#comment-{earlier.pk}")
    item.get_by_role("link", name="Reply to Alice Jones").click()
    reply_box = item.get_by_label("Your reply to Alice Jones")
    expect(reply_box).to_be_focused()
    axe(page)
    # Cancel returns focus to the link; opening again works.
    item.get_by_role("button", name="Cancel").click()
    expect(item.get_by_role("link", name="Reply to Alice Jones")).to_be_focused()
    item.get_by_role("link", name="Reply to Alice Jones").click()
    item.get_by_label("Your reply to Alice Jones").fill("Bob answers Alice inline.")
    item.get_by_role("button", name="Post reply").click()
    reply = item.locator("[data-replies-for] li.comment", has_text="Bob answers Alice inline.")
    expect(reply).to_be_focused()
    expect(area.get_by_role("status")).to_have_text("Your reply has been posted.")
    expect(item.locator("[data-inline-reply]")).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True
    assert Comment.objects.get(comment="Bob answers Alice inline.").parent_id == earlier.pk
    axe(page)

    # What JavaScript inserted is what the server renders after a reload.
    page.reload()
    expect(page.locator(f"#comment-{earlier.pk} [data-replies-for] li.comment")).to_contain_text(
        "Bob answers"
    )
    assert errors == []


def test_public_reader_in_review_sees_the_discussion_but_no_form(
    asgi_server, new_context, browser_login, axe
):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    add_comment(member_of(tree["group"], display_name="Alice Jones"), section, "Members only for now.")
    page = signed_in_page(
        new_context, asgi_server, browser_login, person_in_role("verified_public", tree), javascript=True
    )
    page.goto(asgi_server.url + section.url)
    expect(page.locator("main")).to_contain_text("Members only for now.")
    expect(page.locator("form[data-comment-form]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("only members of the invited working groups can comment")
    expect(page.get_by_role("link", name="Reply to Alice Jones")).to_have_count(0)
    axe(page)


def test_moderated_comment_shows_a_tombstone_and_keeps_its_replies(asgi_server, page, axe):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    alice = member_of(tree["group"], display_name="Alice Jones")
    bob = member_of(tree["group"], display_name="Bob Evans")
    comment = add_comment(alice, section, "My phone number is 07700 900123.")
    add_comment(bob, section, "Please remove personal details.", parent=comment)
    comment_hide(
        comment=comment, moderator=person_in_role("moderator", tree), reason="It contained a phone number."
    )

    page.goto(asgi_server.url + section.url)
    tombstone = page.locator(f"#comment-{comment.pk}")
    expect(tombstone).to_contain_text("Removed by a moderator on")
    expect(tombstone).to_contain_text("It contained a phone number.")
    expect(tombstone).to_contain_text("Please remove personal details.")
    expect(page.locator("main")).not_to_contain_text("07700")
    axe(page)

    page.goto(asgi_server.url + tree["paper"].url)
    page.get_by_role("link", name="Moderation log for this consultation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation log")
    expect(page.locator("main")).to_contain_text("It contained a phone number.")
    expect(page.locator("main")).not_to_contain_text("07700")
    axe(page)


def test_flagging_a_comment(asgi_server, new_context, browser_login, axe):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    comment = add_comment(member_of(tree["group"], display_name="Alice Jones"), section, "Buy cheap watches!")
    reader = person_in_role("verified_public", tree)
    page = signed_in_page(new_context, asgi_server, browser_login, reader, javascript=False)
    page.goto(asgi_server.url + section.url)
    page.get_by_role("link", name="Flag the comment by Alice Jones for a moderator").click()
    axe(page)
    page.get_by_role("button", name="Send to the moderators").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a reason.")
    axe(page)
    page.get_by_label("Spam or advertising").check()
    page.get_by_role("button", name="Send to the moderators").click()
    assert page.url.endswith(f"#comment-{comment.pk}")
    expect(page.get_by_role("status").first).to_contain_text("A moderator will look at this comment.")
    assert comment.reports.get().reason == "spam"
