"""Following one section: the button (no JavaScript needed), the emails, and the unfollow link."""

import re

import pytest
from django.core import mail

from consultation.comments.services import paper_follow, section_follow
from consultation.explain import explain
from consultation.models import SectionFollow
from tests.support.contributions import add_comment
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
    return tree | {"alice": alice, "section": tree["sections"][0]}


def test_following_needs_a_confirmed_address_and_the_page_says_so(client, people):
    section = people["section"]
    page = client.get(section.url).content.decode()
    assert (
        "Follow this section" in page
        and "Sign in</a> to get an email when someone comments on this section" in page
    )
    unverified = UserFactory(email_verified=False)
    assert explain(unverified, "consultation.follow_section", section).code == "verify_email"
    client.force_login(unverified)
    assert "Confirm your email address to follow this section" in client.get(section.url).content.decode()
    response = client.post(f"/consultation/sections/{section.pk}/follow/", {"action": "follow"})
    assert response.status_code == 302 and not SectionFollow.objects.exists()
    client.logout()
    response = client.post(f"/consultation/sections/{section.pk}/follow/", {"action": "follow"})
    assert (
        response.status_code == 302 and "login" in response["Location"] and not SectionFollow.objects.exists()
    )


def test_a_follower_hears_of_comments_on_that_section_only_and_unfollows_from_the_email(
    client, people, django_capture_on_commit_callbacks
):
    section, other_section = people["sections"][0], people["sections"][1]
    follower = UserFactory(email="follower@example.org")
    client.force_login(follower)
    response = client.post(f"/consultation/sections/{section.pk}/follow/", {"action": "follow"})
    assert response.status_code == 302 and response["Location"].endswith("#follow-section")
    assert SectionFollow.objects.filter(section=section, user=follower).exists()
    assert "Stop following this section" in client.get(section.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        add_comment(people["alice"], other_section, "On section two.")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(people["alice"], section, "On section one.")
    assert [m.to for m in mail.outbox] == [["follower@example.org"]]
    body = mail.outbox[0].body
    assert "On section one." in body and f'you follow "{section.title}"' in body
    unfollow = next(url for url in re.findall(r"https?://[^\s\"<>]+", body) if "/unfollow/" in url)
    assert unfollow.startswith(SITE + "/consultation/sections/unfollow/")

    client.logout()
    path = unfollow.removeprefix(SITE)
    assert "Stop following" in client.get(path).content.decode()
    assert SectionFollow.objects.exists()  # a GET only asks
    client.post(path)
    assert not SectionFollow.objects.exists()
    assert client.get(path[:-3] + "xyz/").status_code == 404


def test_unfollowing_with_the_button(client, people):
    section = people["section"]
    follower = UserFactory()
    section_follow(section=section, user=follower)
    client.force_login(follower)
    client.post(f"/consultation/sections/{section.pk}/follow/", {"action": "unfollow"})
    assert not SectionFollow.objects.exists()
    assert "Follow this section</button>" in client.get(section.url).content.decode()


def test_following_the_paper_and_the_section_means_one_email_and_authors_hear_nothing_of_their_own(
    people, django_capture_on_commit_callbacks
):
    section = people["section"]
    follower = UserFactory(email="both@example.org")
    paper_follow(paper=people["paper"], user=follower)
    section_follow(section=section, user=follower)
    section_follow(section=section, user=people["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(people["alice"], section, "Once only.")
    assert [m.to for m in mail.outbox] == [["both@example.org"]]
