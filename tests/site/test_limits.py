"""Rate limits: past each limit the answer is 429, the form comes back with what
was typed and says why, and nothing is stored or sent.

The test settings keep every limit out of reach; each test lowers one with
override_settings (pytest-django's `settings` fixture). Rates are per day so
that no counting window can end in the middle of a test.
"""

import pytest
from django.core import mail
from django_ratelimit.core import get_usage

from consultation.comments.services import comment_create
from consultation.models import Comment, CommentReport, Proposal, Reaction, Subscription
from core.limits import limit_exceeded
from tests.support.accounts import signup_data
from tests.support.contributions import post_data
from tests.support.factories import PASSWORD, UserFactory
from tests.support.people import member_of
from tests.support.services import cache_clear
from tests.support.trees import comment_tree, groups_tree, proposal_tree

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _counts_start_at_zero():
    # Counts live in the cache, which outlives a test's database.
    cache_clear()
    yield
    cache_clear()


@pytest.fixture
def lower(settings):
    def _lower(**rates):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return _lower


# ---------------------------------------------------------------- signing in


def test_51_rapid_wrong_passwords_lock_the_username_and_then_the_right_one_is_refused(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    user = UserFactory(username="alice")
    statuses = [
        client.post("/accounts/login/", {"username": "alice", "password": f"guess-{n}"}).status_code
        for n in range(51)
    ]
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}, statuses

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/groups/"}
    )
    html = response.content.decode()
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many wrong passwords for this username" in html and 'role="alert"' in html
    assert 'value="alice"' in html and 'value="/groups/"' in html  # what was typed is kept

    # The lockout is for this username from this address: the owner elsewhere still signs in.
    elsewhere = client_from("203.0.113.9")
    response = elsewhere.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and int(elsewhere.session["_auth_user_id"]) == user.pk


def client_from(address):
    from django.test import Client

    return Client(REMOTE_ADDR=address)


def test_sign_in_attempts_from_one_network_are_limited_even_with_the_right_password(client, lower):
    lower(login_ip="3/d")
    UserFactory(username="alice")
    for username in ("bob", "carol", "dave"):
        assert client.post("/accounts/login/", {"username": username, "password": "x"}).status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "too many times" in html and 'value="alice"' in html


def test_sign_in_attempts_at_one_username_are_limited_across_networks(lower):
    lower(login_username="2/d")
    UserFactory(username="alice")
    for n in range(2):
        client_from(f"198.51.100.{n}").post("/accounts/login/", {"username": "Alice", "password": "x"})
    response = client_from("198.51.100.7").post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 429


# ---------------------------------------------------------------- emails


def test_password_reset_mails_to_one_mailbox_are_limited_whatever_the_spelling(
    client, lower, django_capture_on_commit_callbacks
):
    lower(password_reset_email="2/d")
    UserFactory(email="alice@example.org")
    for spelling in ("alice@example.org", "Alice+1@example.org"):
        with django_capture_on_commit_callbacks(execute=True):  # the email is a job started on commit
            assert client.post("/accounts/password/reset/", {"email": spelling}).status_code == 302
    response = client.post("/accounts/password/reset/", {"email": "alice+2@example.org"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "too many times" in html and 'value="alice+2@example.org"' in html
    assert len(mail.outbox) == 2


def test_password_reset_requests_from_one_network_are_limited(client, lower):
    lower(password_reset_ip="2/d")
    for n in range(2):
        client.post("/accounts/password/reset/", {"email": f"someone{n}@example.org"})
    assert client.post("/accounts/password/reset/", {"email": "x@example.org"}).status_code == 429


def test_resending_the_confirmation_link_is_limited(client, lower, django_capture_on_commit_callbacks):
    lower(verify_email="1/d")
    client.force_login(UserFactory(email_verified=False))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/accounts/verify/resend/").status_code == 302
        response = client.post("/accounts/verify/resend/")
    assert response.status_code == 429 and "too many times" in response.content.decode()
    assert len(mail.outbox) == 1


def test_email_changes_are_limited_but_name_changes_are_not(
    client, lower, django_capture_on_commit_callbacks
):
    lower(email_change="1/d")
    user = UserFactory(email="old@example.org", display_name="Alice")
    client.force_login(user)
    data = {"display_name": "Alice", "organisation": "", "pseudonym": "", "email": "new1@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/accounts/profile/", data).status_code == 302
        response = client.post("/accounts/profile/", data | {"email": "new2@example.org"})
    html = response.content.decode()
    assert response.status_code == 429 and 'value="new2@example.org"' in html and "too many times" in html
    assert [m.to for m in mail.outbox] == [["new1@example.org"]]
    for name in ("Alice B", "Alice C"):
        assert (
            client.post("/accounts/profile/", data | {"email": user.email, "display_name": name}).status_code
            == 302
        )


def test_sign_ups_from_one_network_are_limited_and_the_form_keeps_what_was_typed(client, lower):
    lower(signup_ip="2/d")
    for n in range(2):
        client.post("/accounts/signup/", signup_data(username=f"person{n}x", email=f"p{n}@example.org"))
    response = client.post("/accounts/signup/", signup_data())
    html = response.content.decode()
    assert response.status_code == 429
    assert "too many times" in html and 'value="New Person"' in html and 'value="new@example.org"' in html
    assert not UserFactory._meta.model.objects.filter(username="newperson").exists()


# ---------------------------------------------------------------- taking part


def test_comments_are_limited_per_person_and_the_text_is_kept(client, lower):
    lower(comment="2/d")
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    member = member_of(tree["group"])
    client.force_login(member)
    for n in range(2):
        assert (
            client.post("/consultation/comments/post/", post_data(section, text=f"Point {n}.")).status_code
            == 302
        )
    response = client.post("/consultation/comments/post/", post_data(section, text="My third point."))
    html = response.content.decode()
    assert response.status_code == 429 and "too many times" in html and "My third point." in html
    fetch = client.post(
        "/consultation/comments/post/",
        post_data(section, text="From the page."),
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert fetch.status_code == 429 and "data-comment-form" in fetch.content.decode()
    assert Comment.objects.count() == 2

    # Someone else's count is their own.
    client.force_login(member_of(tree["group"]))
    assert client.post("/consultation/comments/post/", post_data(section, text="Mine.")).status_code == 302


def test_reactions_are_limited_per_person(client, lower):
    lower(reaction="2/d")
    tree = comment_tree(stage="review")
    section = tree["sections"][0]
    client.force_login(member_of(tree["group"]))
    url = f"/consultation/reactions/section/{section.pk}/"
    for choice in ("agree", "disagree"):
        assert client.post(url, {"choice": choice}, **JSON).status_code == 200
    response = client.post(url, {"choice": "agree"}, **JSON)
    assert response.status_code == 429 and "too many times" in response.json()["error"]
    page = client.post(url, {"choice": "agree"})
    assert page.status_code == 429 and "Your reaction was not recorded" in page.content.decode()
    assert Reaction.objects.get().choice == "disagree"


def test_proposals_are_limited_per_person_and_the_wording_is_kept(client, lower):
    lower(proposal="1/d")
    tree = proposal_tree(per_group=1)
    section = tree["sections"][0]
    client.force_login(tree["members"][0][0])
    url = f"/consultation/sections/{section.pk}/propose/"
    assert client.post(url, {"kind": "addition", "text": "One.", "rationale": "A."}).status_code == 302
    response = client.post(url, {"kind": "addition", "text": "Two more words.", "rationale": "Because B."})
    html = response.content.decode()
    assert response.status_code == 429 and "too many times" in html
    assert "Two more words." in html and "Because B." in html
    assert Proposal.objects.count() == 1


def test_flags_are_limited_per_person_and_the_details_are_kept(client, lower):
    lower(flag="1/d")
    tree = comment_tree(stage="review")
    author = member_of(tree["group"])
    from tests.support.contributions import add_comment

    comments = [add_comment(author, tree["sections"][0], f"Comment {n}.") for n in range(2)]
    client.force_login(UserFactory())
    first = client.post(
        f"/consultation/comments/{comments[0].pk}/flag/", {"reason": "spam", "details": "Ads."}
    )
    assert first.status_code == 302
    response = client.post(
        f"/consultation/comments/{comments[1].pk}/flag/", {"reason": "spam", "details": "More ads here."}
    )
    html = response.content.decode()
    assert response.status_code == 429 and "too many times" in html and "More ads here." in html
    assert CommentReport.objects.count() == 1


def test_register_interest_is_limited_per_network_and_the_address_is_kept(client, lower):
    lower(register_interest_ip="1/d")
    consultation = groups_tree(stage="drafting", groups=1)["consultation"]
    url = f"/consultation/{consultation.pk}/register-interest/"
    assert client.post(url, {"email": "one@example.org"}).status_code == 302
    response = client.post(url, {"email": "two@example.org"})
    html = response.content.decode()
    assert response.status_code == 429 and "too many times" in html and 'value="two@example.org"' in html
    assert list(Subscription.objects.values_list("email", flat=True)) == ["one@example.org"]


def test_an_unreachable_cache_lets_requests_through_rather_than_refusing_everyone(client, lower, settings):
    # Port 1: nothing listens, so every count fails at once.
    settings.CACHES = settings.CACHES | {
        "unreachable": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.RATELIMIT_USE_CACHE = "unreachable"
    lower(signup_ip="1/d")
    for n in range(3):
        response = client.post(
            "/accounts/signup/", signup_data(username=f"person{n}x", email=f"p{n}@example.org")
        )
        assert response.status_code == 302


# ---------------------------------------------------------------- searching


def test_searches_past_the_limit_search_nothing_and_keep_the_words(client, lower):
    tree = comment_tree()
    comment = comment_create(author=member_of(tree["group"]), target=tree["sections"][0], text="Eel ladders.")
    lower(search="2/d")
    for _ in range(2):
        found = client.get("/search/", {"q": "ladders"})
        assert found.status_code == 200 and f"/consultation/comments/{comment.pk}/" in found.text
    refused = client.get("/search/", {"q": "ladders"})
    assert refused.status_code == 429
    assert "Nothing was searched" in refused.text and 'role="alert"' in refused.text
    assert 'value="ladders"' in refused.text
    assert f"/consultation/comments/{comment.pk}/" not in refused.text
    assert client.get("/search/").status_code == 200  # the empty form is not counted


# ---------------------------------------------------------------- the count itself


def test_each_request_is_counted_once_where_django_ratelimit_would_count_it(rf, lower):
    # Counted in one trip where the cache is Redis (core/limits.py): the count must be the
    # one django-ratelimit itself reads, in the same key and window, with the same expiry.
    lower(reaction="3/d")
    person = UserFactory()
    request = rf.post("/")
    request.user = person
    for expected_over in (False, False, False, True, True):
        assert limit_exceeded(request, "reaction") is expected_over
    usage = get_usage(request, group="openpolicy.reaction", key="user_or_ip", rate="3/d", increment=False)
    assert usage["count"] == 5 and usage["should_limit"]
    other = rf.post("/")
    other.user = UserFactory()
    assert limit_exceeded(other, "reaction") is False
