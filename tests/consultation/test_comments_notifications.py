"""Emails: comments-xtd's follow-up on replies, following a paper, and the links in them."""

import re

import pytest
from django.core import mail

from consultation.comments.services import paper_follow
from consultation.models import Comment, PaperFollow
from tests.support.contributions import add_comment, post_data
from tests.support.factories import UserFactory
from tests.support.people import member_of
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db

SITE = "https://openpolicy.example.gov"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def people():
    tree = comment_tree(stage="review")
    alice = member_of(tree["group"], display_name="Alice Jones", email="alice@example.org")
    bob = member_of(tree["group"], display_name="Bob Evans", email="bob@example.org")
    carol = member_of(tree["group"], display_name="Carol Hughes", email="carol@example.org")
    return tree | {"alice": alice, "bob": bob, "carol": carol, "section": tree["sections"][0]}


def links(text):
    return re.findall(r"https?://[^\s\"<>]+", text)


def test_a_reply_emails_the_author_of_the_comment_it_answers(people, django_capture_on_commit_callbacks):
    section = people["section"]
    with django_capture_on_commit_callbacks(execute=True):
        parent = add_comment(people["alice"], section, "First point.")
    assert mail.outbox == []  # nobody to tell yet
    with django_capture_on_commit_callbacks(execute=True):
        reply = add_comment(people["bob"], section, "A reply to Alice.", parent=parent)

    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    message = mail.outbox[0]
    assert "New reply to your comment" in message.subject
    assert "Bob Evans" in message.body and "A reply to Alice." in message.body
    html = message.alternatives[0][0]
    assert "A reply to Alice." in html
    # Every link uses the configured public address over https.
    for url in links(message.body) + links(html):
        assert url == SITE or url.startswith(SITE + "/"), url
    assert f"{SITE}{section.url}#comment-{reply.pk}" in message.body


def test_a_reply_to_a_reply_tells_everyone_up_the_thread_once_but_never_the_replier(
    people, django_capture_on_commit_callbacks
):
    section = people["section"]
    top = add_comment(people["alice"], section, "Top.")
    middle = add_comment(people["bob"], section, "Middle.", parent=top)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(people["alice"], section, "Alice answers Bob.", parent=middle)
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]


def test_no_email_for_people_who_did_not_ask(people, django_capture_on_commit_callbacks):
    section = people["section"]
    parent = add_comment(people["alice"], section, "Quiet please.", followup=False)
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(people["bob"], section, "Reply.", parent=parent)
    assert mail.outbox == []


def test_no_email_is_sent_for_a_post_that_was_refused(client, people, django_capture_on_commit_callbacks):
    parent = add_comment(people["alice"], people["section"], "Hi.")
    client.force_login(UserFactory())  # not a member: refused during review
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/consultation/comments/post/", post_data(people["section"], text="Refused", reply_to=parent.pk)
        )
    assert response.status_code == 403 and mail.outbox == []


def test_the_mute_link_asks_first_then_stops_reply_emails(client, people, django_capture_on_commit_callbacks):
    section = people["section"]
    parent = add_comment(people["alice"], section, "First.")
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(people["bob"], section, "Reply one.", parent=parent)
    mute_url = next(url for url in links(mail.outbox[0].body) if "/comments/mute/" in url)
    path = mute_url.removeprefix(SITE)

    # A GET (a mail scanner following the link) changes nothing.
    assert "Stop these emails" in client.get(path).content.decode()
    assert Comment.objects.get(pk=parent.pk).followup is True
    response = client.post(path)
    assert response.status_code == 200 and "Reply emails stopped" in response.content.decode()
    assert Comment.objects.get(pk=parent.pk).followup is False

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(people["carol"], section, "Reply two.", parent=parent)
    assert mail.outbox == []


def test_followers_of_a_paper_hear_of_every_new_comment_and_can_unfollow_from_the_email(
    client, people, django_capture_on_commit_callbacks
):
    paper = people["paper"]
    follower = UserFactory(email="follower@example.org")
    client.force_login(follower)
    response = client.post(f"/consultation/papers/{paper.pk}/follow/", {"action": "follow"})
    assert response.status_code == 302 and response["Location"].endswith("#follow")
    assert PaperFollow.objects.filter(paper=paper, user=follower).exists()
    assert "Stop following this paper" in client.get(paper.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        add_comment(people["alice"], people["sections"][1], "On section two.")
    assert [m.to for m in mail.outbox] == [["follower@example.org"]]
    body = mail.outbox[0].body
    assert "On section two." in body and paper.title in body
    unfollow = next(url for url in links(body) if "/unfollow/" in url)
    assert unfollow.startswith(SITE + "/")

    client.logout()
    path = unfollow.removeprefix(SITE)
    assert "Stop following" in client.get(path).content.decode()
    assert PaperFollow.objects.filter(user=follower).exists()  # a GET only asks
    client.post(path)
    assert not PaperFollow.objects.filter(user=follower).exists()
    assert client.get(path[:-3] + "xyz/").status_code == 404


def test_a_follower_who_is_also_replied_to_gets_one_email_and_authors_get_none_about_their_own(
    people, django_capture_on_commit_callbacks
):
    paper, section = people["paper"], people["section"]
    paper_follow(paper=paper, user=people["alice"])
    paper_follow(paper=paper, user=people["bob"])
    parent = add_comment(people["alice"], section, "Alice.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(people["bob"], section, "Bob replies.", parent=parent)
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "New reply" in mail.outbox[0].subject


def test_unverified_people_cannot_follow(client, people):
    paper = people["paper"]
    client.force_login(UserFactory(email_verified=False))
    response = client.post(f"/consultation/papers/{paper.pk}/follow/", {"action": "follow"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert not PaperFollow.objects.exists()
    assert client.get(f"/consultation/papers/{paper.pk}/follow/").status_code == 405


def test_unfollow_button_stops_following(client, people):
    paper = people["paper"]
    user = UserFactory()
    paper_follow(paper=paper, user=user)
    client.force_login(user)
    client.post(f"/consultation/papers/{paper.pk}/follow/", {"action": "unfollow"})
    assert not PaperFollow.objects.exists()
