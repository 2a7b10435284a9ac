"""Accounts: sign up, confirm the email address, sign in and out, reset a password, edit the profile."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing

from accounts.services import VERIFY_SALT, email_verification_token
from tests.support.accounts import SITE, link_in, signup_data
from tests.support.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def test_sign_up_sends_a_confirmation_link_that_confirms_on_a_button_press(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", signup_data())
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/done/"
    user = User.objects.get(username="newperson")
    assert (user.email, user.display_name, user.email_verified) == ("new@example.org", "New Person", False)
    # Not signed in: the same answer must not differ for an address that already had an account.
    done = client.get("/accounts/signup/done/")
    assert "Check your email" in done.content.decode() and not done.context["user"].is_authenticated

    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    link = link_in(mail.outbox[0].body)
    assert link.startswith(f"{SITE}/accounts/verify/")

    # Opening the link (as a mail scanner does) only shows a button.
    response = client.get(link.removeprefix(SITE))
    html = response.content.decode()
    assert response.status_code == 200 and 'method="post"' in html and "Confirm my email address" in html
    user.refresh_from_db()
    assert not user.email_verified

    response = client.post(link.removeprefix(SITE))
    assert response.status_code == 200 and "Email address confirmed" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": ""}, "Enter your email address."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"display_name": ""}, "Enter your name."),
        ({"password2": "different-passphrase-99"}, "The two password fields didn"),
        ({"password1": "123", "password2": "123"}, "This password is too short."),
        ({"username": "bad name!"}, "Enter a valid username."),
    ],
)
def test_sign_up_errors_are_explained_and_typed_values_kept(client, overrides, message):
    response = client.post("/accounts/signup/", signup_data(**overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html
    if overrides.get("display_name", None) != "":
        assert 'value="New Person"' in html
    assert not User.objects.filter(username="newperson").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("tamper", ["forged", "other-email", "other-salt"])
def test_confirmation_links_that_are_forged_stale_or_for_another_address_do_nothing(client, tamper, settings):
    user = UserFactory(email_verified=False, email="me@example.org")
    if tamper == "forged":
        token = email_verification_token(user)[:-4] + "abcd"
    elif tamper == "other-email":
        token = email_verification_token(user)
        user.email = "new@example.org"
        user.save()
    else:
        token = signing.dumps({"u": user.pk, "e": user.email}, salt="something-else")
    for method in (client.get, client.post):
        response = method(f"/accounts/verify/{token}/")
        assert response.status_code == 400 and "This link does not work" in response.content.decode()
    user.refresh_from_db()
    assert not user.email_verified


@pytest.mark.parametrize(("days_old", "works"), [(6, True), (8, False)])
def test_confirmation_links_last_a_week(client, days_old, works):
    user = UserFactory(email_verified=False, email="me@example.org")
    signer = signing.TimestampSigner(salt=VERIFY_SALT)
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - days_old * 86400)
    token = signer.sign_object({"u": user.pk, "e": user.email})
    assert client.post(f"/accounts/verify/{token}/").status_code == (200 if works else 400)
    user.refresh_from_db()
    assert user.email_verified is works


def test_sign_in_and_sign_out(client):
    user = UserFactory(username="alice")
    page = client.get("/accounts/login/").content.decode()
    assert 'autocomplete="current-password"' in page and "/accounts/password/reset/" in page
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert "did not match" in response.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/groups/"}
    )
    assert response.status_code == 302 and response["Location"] == "/groups/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_in_refuses_redirects_to_other_sites(client):
    UserFactory(username="alice")
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_password_reset_by_email_with_a_link_on_the_site_address(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="alice@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the email is a job started on commit
        response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    link = link_in(mail.outbox[0].body)
    assert link.startswith(f"{SITE}/accounts/password/reset/")

    response = client.get(link.removeprefix(SITE), follow=True)
    assert "Choose a new password" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "another-long-passphrase-7", "new_password2": "another-long-passphrase-7"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase-7")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert "If an account uses that address" in response.content.decode()
    assert mail.outbox == []


def test_profile_edit_name_organisation_and_pseudonym(client):
    user = UserFactory(display_name="Alice Jones")
    client.force_login(user)
    assert client.get("/accounts/profile/").status_code == 200
    response = client.post(
        "/accounts/profile/",
        {
            "display_name": "Alice B. Jones",
            "organisation": "Shelter",
            "pseudonym": "Tenant in Cardiff",
            "use_pseudonym": "on",
            "email": user.email,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.organisation, user.public_name) == (
        "Alice B. Jones",
        "Shelter",
        "Tenant in Cardiff",
    )
    assert user.email_verified  # address unchanged


def test_profile_errors_keep_the_form_and_the_saved_name(client):
    user = UserFactory(display_name="Alice Jones")
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {"display_name": "", "pseudonym": "", "use_pseudonym": "on", "email": user.email},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter your name." in html and "Enter a pseudonym, or untick the box" in html
    user.refresh_from_db()
    assert user.display_name == "Alice Jones" and not user.use_pseudonym


def test_changing_the_email_address_waits_for_the_new_one_to_be_confirmed_with_a_button(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="old@example.org", display_name="Alice")
    client.force_login(user)
    data = {"display_name": "Alice", "organisation": "", "pseudonym": "", "email": "new@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/profile/", data, follow=True)
    assert "We have sent a link to new@example.org" in response.content.decode()
    user.refresh_from_db()
    assert (user.email, user.email_verified) == ("old@example.org", True)  # unchanged until confirmed
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    link = link_in(mail.outbox[0].body).removeprefix(SITE)
    assert link.startswith("/accounts/email/confirm/")

    response = client.get(link)
    assert response.status_code == 200 and 'method="post"' in response.content.decode()
    user.refresh_from_db()
    assert user.email == "old@example.org"

    response = client.post(link)
    assert response.status_code == 200 and "Email address changed" in response.content.decode()
    user.refresh_from_db()
    assert (user.email, user.email_verified) == ("new@example.org", True)
    # Used once: the account's address changed, so the link no longer works.
    assert client.post(link).status_code == 400


def test_resending_the_confirmation_link(client, django_capture_on_commit_callbacks):
    user = UserFactory(email_verified=False)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/verify/resend/")
    assert response.status_code == 302 and len(mail.outbox) == 1
    assert client.get("/accounts/verify/resend/").status_code == 405


def test_account_pages_need_sign_in(client):
    for url in ("/accounts/profile/", "/accounts/password/change/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_site_domain_follows_site_url(settings):
    from django.contrib.sites.models import Site

    from accounts.apps import sync_site_domain

    sync_site_domain(sender=None)
    assert Site.objects.get(pk=settings.SITE_ID).domain == "openpolicy.example.gov"
