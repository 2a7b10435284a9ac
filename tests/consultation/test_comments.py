"""Posting and replying: threads, attribution, refusals, errors that keep the text, depth, atomicity."""

import re
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consultation.comments.services import comment_hide
from consultation.models import Comment
from tests.support.contributions import add_comment, post_data
from tests.support.factories import OrganisationFactory, UserFactory
from tests.support.people import member_of, person_in_role
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db

POST_URL = "/consultation/comments/post/"
FORM = f'<form method="post" action="{POST_URL}"'


def comment_ids_in(html):
    return [int(n) for n in re.findall(r'<li class="comment[^"]*" id="comment-(\d+)"', html)]


def test_member_posts_replies_and_replies_again_and_the_thread_nests_with_names_and_counts(client):
    """Acceptance 1: comment → reply → reply to the reply, nested, attributed, counted."""
    tree = comment_tree(stage="review")
    section, paper = tree["sections"][0], tree["paper"]
    alice = member_of(
        tree["group"], display_name="Alice Jones", organisation=OrganisationFactory(name="Shelter Cymru")
    )
    bob = member_of(
        tree["group"],
        role="convenor",
        display_name="Bob Evans",
        organisation=OrganisationFactory(name="Crisis"),
    )

    client.force_login(alice)
    response = client.post(POST_URL, post_data(section, text="Paragraph 2 is unclear.", next_url=paper.url))
    first = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{paper.url}#comment-{first.pk}"

    client.force_login(bob)
    client.post(POST_URL, post_data(section, text="Agreed, we suggest a rewrite.", reply_to=first.pk))
    reply = Comment.objects.exclude(pk=first.pk).get()
    client.force_login(alice)
    client.post(POST_URL, post_data(section, text="Here is our wording.", reply_to=reply.pk))
    reply2 = Comment.objects.order_by("-pk").first()

    assert (first.level, reply.level, reply2.level) == (0, 1, 2)
    assert reply.parent_id == first.pk and reply2.parent_id == reply.pk
    assert {reply.thread_id, reply2.thread_id} == {first.pk}

    html = client.get(paper.url).content.decode()
    # Nested: the reply's list sits inside the first comment's <li>, and so on.
    first_li = html[html.index(f'id="comment-{first.pk}"') :]
    assert first_li.index(f'data-replies-for="{first.pk}"') < first_li.index(f'id="comment-{reply.pk}"')
    assert first_li.index(f'data-replies-for="{reply.pk}"') < first_li.index(f'id="comment-{reply2.pk}"')
    for name, org in (("Alice Jones", "Shelter Cymru"), ("Bob Evans", "Crisis")):
        assert name in html and org in html
    assert "Housing working group" in html
    assert "on version v1" in html
    # The table of contents and the section heading count the three comments.
    assert f'data-comment-count-for="section-{section.pk}">3 comments<' in html
    assert re.search(r"Comments on section 1 <span[^>]*>\(<span data-comment-count>3</span>\)", html)
    assert f'data-comment-count-for="section-{tree["sections"][1].pk}">0 comments<' in html


def test_snapshot_keeps_group_organisation_version_and_stage_even_after_they_change():
    tree = comment_tree(stage="review")
    paper = tree["paper"]
    author = member_of(
        tree["group"], display_name="Alice Jones", organisation=OrganisationFactory(name="Shelter")
    )
    comment = add_comment(author, tree["sections"][0], "On v1.")
    assert (comment.organisation_name, comment.working_group_id, comment.working_group_name) == (
        "Shelter",
        tree["group"].pk,
        "Housing working group",
    )
    assert (comment.version_label, comment.stage, comment.paper_id) == ("v1", "review", paper.pk)

    paper.version_label = "v2"
    paper.save_revision().publish()
    author.memberships.update(organisation=OrganisationFactory(name="Another org"))
    comment.refresh_from_db()
    assert (comment.version_label, comment.organisation_name) == ("v1", "Shelter")


def test_members_speak_under_their_name_and_the_public_may_use_a_pseudonym():
    tree = comment_tree(stage="scrutiny")
    section = tree["sections"][0]
    member = member_of(tree["group"], display_name="Real Name", pseudonym="Hidden", use_pseudonym=True)
    public = UserFactory(
        display_name="Pat Public", pseudonym="Concerned resident", use_pseudonym=True, organisation="Own org"
    )
    assert add_comment(member, section).author_name == "Real Name"
    public_comment = add_comment(public, section, "From the public.")
    assert public_comment.author_name == "Concerned resident"
    assert public_comment.organisation_name == "Own org"
    assert public_comment.working_group is None


def test_paper_level_comments_have_no_section_and_show_at_the_end_of_the_paper(client):
    tree = comment_tree(stage="review")
    paper = tree["paper"]
    member = member_of(tree["group"])
    client.force_login(member)
    client.post(POST_URL, post_data(paper, text="The paper as a whole is good."))
    comment = Comment.objects.get()
    assert comment.section_id is None and comment.paper_id == paper.pk
    html = client.get(paper.url).content.decode()
    paper_part = html[html.index('id="paper-comments-heading"') :]
    assert "The paper as a whole is good." in paper_part
    assert "(<span data-comment-count>1</span>)" in paper_part


# ---------------------------------------------------------------- refusals store nothing


def test_public_user_in_review_gets_no_form_and_a_direct_post_is_refused_with_nothing_stored(client):
    """Acceptance 2, first half."""
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    public = UserFactory()
    client.force_login(public)
    html = client.get(section.url).content.decode()
    assert FORM not in html
    assert "only members of the invited working groups can comment" in html

    response = client.post(POST_URL, post_data(section, text="Let me in."))
    assert response.status_code == 403
    assert "Nothing was saved." in response.content.decode()
    assert Comment.objects.count() == 0


def test_in_scrutiny_the_same_user_comments_once_their_email_is_verified(client):
    """Acceptance 2, second half."""
    tree = comment_tree(stage="scrutiny")
    section = tree["sections"][0]
    public = UserFactory(email_verified=False)
    client.force_login(public)
    html = client.get(section.url).content.decode()
    assert FORM not in html and "Confirm your email address to comment" in html
    assert client.post(POST_URL, post_data(section, text="Too early.")).status_code == 403
    assert Comment.objects.count() == 0

    public.email_verified = True
    public.save()
    assert FORM in client.get(section.url).content.decode()
    assert client.post(POST_URL, post_data(section, text="Now I can.")).status_code == 302
    assert Comment.objects.get().comment == "Now I can."


def test_anonymous_post_is_refused_and_invited_to_sign_in(client):
    tree = comment_tree(stage="scrutiny")
    section = tree["sections"][0]
    assert "Sign in</a> or" in client.get(section.url).content.decode()
    response = client.post(POST_URL, post_data(section, text="Anon"))
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_get_is_not_allowed_on_the_post_endpoint(client):
    assert client.get(POST_URL).status_code == 405


@pytest.mark.parametrize(
    "tamper",
    [
        {"content_type": "accounts.user"},
        {"content_type": "consultation.consultationpage"},
        {"object_pk": "999999"},
        {"object_pk": "x"},
    ],
)
def test_posts_to_anything_but_a_live_section_or_paper_are_rejected(client, tamper):
    tree = comment_tree(stage="review")
    client.force_login(member_of(tree["group"]))
    data = post_data(tree["sections"][0], text="Hi") | tamper
    assert client.post(POST_URL, data).status_code == 400
    assert Comment.objects.count() == 0


def test_a_forged_security_hash_is_rejected(client):
    tree = comment_tree(stage="review")
    client.force_login(member_of(tree["group"]))
    data = post_data(tree["sections"][0], text="Hi") | {"security_hash": "0" * 40}
    assert client.post(POST_URL, data).status_code == 400
    assert Comment.objects.count() == 0


def test_a_form_left_open_for_hours_comes_back_with_the_text_and_fresh_security_fields(client):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    client.force_login(member_of(tree["group"]))
    data = post_data(section, text="Written slowly over lunch.")
    # Sign an old timestamp properly, as the form did three hours ago.
    from consultation.comments.forms import CommentForm

    old = int(time.time()) - 3 * 3600
    form = CommentForm(section)
    data.update(timestamp=str(old), security_hash=form.initial_security_hash(old))
    response = client.post(POST_URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "has expired" in html
    assert "Written slowly over lunch.</textarea>" in html
    assert f'name="timestamp" value="{old}"' not in html
    assert Comment.objects.count() == 0


# ---------------------------------------------------------------- bad input keeps the text


def test_too_long_comment_is_refused_with_a_clear_message_and_the_text_kept(client, settings):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    client.force_login(member_of(tree["group"]))
    text = "Long <b>words</b> " * 200  # 3,400 characters
    response = client.post(POST_URL, post_data(section, text=text))
    html = response.content.decode()
    assert response.status_code == 400
    assert "The limit is 3,000: shorten it by" in html
    assert 'aria-invalid="true"' in html
    # The text is back in the textarea (escaped, so it stays text).
    assert "Long &lt;b&gt;words&lt;/b&gt; Long" in html
    assert "<b>words</b>" not in html
    assert Comment.objects.count() == 0


def test_empty_comment_is_refused_with_a_message(client):
    tree = comment_tree(stage="review")
    client.force_login(member_of(tree["group"]))
    response = client.post(POST_URL, post_data(tree["sections"][0], text="   \n  "))
    assert response.status_code == 400
    assert "Write your comment before posting it." in response.content.decode()
    assert Comment.objects.count() == 0


def test_errors_from_javascript_come_back_as_the_form_alone(client):
    tree = comment_tree(stage="review")
    client.force_login(member_of(tree["group"]))
    response = client.post(
        POST_URL, post_data(tree["sections"][0], text=""), headers={"x-requested-with": "XMLHttpRequest"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.lstrip().startswith("<form") and "data-error-summary" in html
    assert "<html" not in html


def test_javascript_post_returns_the_new_comment_and_the_new_count(client):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    member = member_of(tree["group"])
    add_comment(member, section, "Earlier.")
    client.force_login(member)
    response = client.post(
        POST_URL, post_data(section, text="Sent by fetch."), headers={"x-requested-with": "XMLHttpRequest"}
    )
    comment = Comment.objects.get(comment="Sent by fetch.")
    html = response.content.decode()
    assert response.status_code == 201
    assert response["X-Comment-Id"] == str(comment.pk)
    assert response["X-Comment-Count"] == "2"
    assert html.lstrip().startswith(f'<li class="comment" id="comment-{comment.pk}"')


def test_posting_the_same_text_twice_quickly_keeps_one_comment(client):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    client.force_login(member_of(tree["group"]))
    first = client.post(POST_URL, post_data(section, text="Double click."))
    second = client.post(POST_URL, post_data(section, text="Double click."))
    assert Comment.objects.count() == 1
    assert first["Location"] == second["Location"]


# ---------------------------------------------------------------- depth


def test_reply_past_the_maximum_depth_is_refused_in_the_form_and_nothing_is_half_saved(client, settings):
    assert settings.COMMENTS_XTD_MAX_THREAD_LEVEL == 2  # three levels: the default depth
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    member = member_of(tree["group"])
    top = add_comment(member, section, "Level 0")
    one = add_comment(member, section, "Level 1", parent=top)
    two = add_comment(member, section, "Level 2", parent=one)
    client.force_login(member)

    response = client.post(POST_URL, post_data(section, text="Level 3?", reply_to=two.pk))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Conversations go at most 3 levels deep" in html
    assert "Level 3?</textarea>" in html
    assert Comment.objects.count() == 3
    assert Comment.objects.filter(level=0).count() == 1  # no orphan row from comments-xtd's first save

    # The page offers no reply link at the deepest level, and the reply page says why.
    page = client.get(section.url).content.decode()
    assert f'data-reply-to="{one.pk}"' in page and f'data-reply-to="{two.pk}"' not in page
    reply_page = client.get(f"/consultation/comments/{two.pk}/reply/").content.decode()
    assert FORM not in reply_page and "at most 3 levels deep" in reply_page


def test_service_refuses_too_deep_replies_before_writing(settings):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    member = member_of(tree["group"])
    top = add_comment(member, section, "0")
    two = add_comment(member, section, "2", parent=add_comment(member, section, "1", parent=top))
    with pytest.raises(ValidationError):
        add_comment(member, section, "3", parent=two)
    assert Comment.objects.count() == 3


def test_reply_must_be_on_the_same_page_as_its_parent(client):
    tree = comment_tree(stage="review")
    member = member_of(tree["group"])
    parent = add_comment(member, tree["sections"][0], "On section 1")
    client.force_login(member)
    response = client.post(POST_URL, post_data(tree["sections"][1], text="Sneaky", reply_to=parent.pk))
    assert response.status_code == 400
    assert "does not exist here" in response.content.decode()
    assert Comment.objects.count() == 1


def test_replying_to_a_hidden_comment_is_refused(client):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    member = member_of(tree["group"])
    parent = add_comment(member, section, "To be hidden")
    comment_hide(comment=parent, moderator=person_in_role("moderator", tree), reason="Off topic.")
    client.force_login(member)
    response = client.post(POST_URL, post_data(section, text="Reply", reply_to=parent.pk))
    assert response.status_code == 400
    assert "cannot take replies" in response.content.decode()
    assert Comment.objects.count() == 1


def test_no_javascript_reply_page_shows_the_comment_and_a_reply_form(client):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    member = member_of(tree["group"], display_name="Alice Jones")
    parent = add_comment(member, section, "What about rural areas?")
    client.force_login(member)
    html = client.get(f"/consultation/comments/{parent.pk}/reply/?next={tree['paper'].url}").content.decode()
    assert "What about rural areas?" in html
    assert f'name="reply_to" value="{parent.pk}"' in html
    assert "Your reply to Alice Jones" in html
    assert f'name="next" value="{tree["paper"].url}"' in html


def test_reply_page_refuses_foreign_next_urls(client):
    tree = comment_tree(stage="review")
    member = member_of(tree["group"])
    parent = add_comment(member, tree["sections"][0])
    client.force_login(member)
    html = client.get(
        f"/consultation/comments/{parent.pk}/reply/?next=https://evil.example/"
    ).content.decode()
    assert "evil.example" not in html


def test_service_checks_the_rule_itself():
    tree = comment_tree(stage="drafting")
    with pytest.raises(PermissionDenied):
        add_comment(member_of(tree["group"]), tree["sections"][0])
    assert Comment.objects.count() == 0


# ---------------------------------------------------------------- restricted text


def test_comments_on_a_restricted_section_are_withheld_and_refused(client):
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    member = member_of(tree["group"])
    add_comment(member, section, "Quotes the text: secret clause.")
    section.restricted = True
    section.restriction_category = "security"
    section.restriction_reason = "Under legal review."
    section.save_revision().publish()

    client.force_login(member)
    html = client.get(tree["paper"].url).content.decode()
    assert "secret clause" not in html
    assert "not shown while its text is restricted" in html
    assert client.post(POST_URL, post_data(section, text="More")).status_code == 403
    assert Comment.objects.count() == 1


def test_comment_permalink_redirects_to_its_anchor(client):
    tree = comment_tree(stage="review")
    comment = add_comment(member_of(tree["group"]), tree["sections"][0])
    response = client.get(f"/consultation/comments/{comment.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{tree['sections'][0].url}#comment-{comment.pk}"
    assert client.get("/consultation/comments/999999/").status_code == 404
