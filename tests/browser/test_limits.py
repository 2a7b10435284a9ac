"""What a person sees past a limit, and on a confirmation link: in a real browser, checked with axe."""

import pytest

from accounts.services import email_verification_token
from tests.support.factories import PASSWORD, UserFactory
from tests.support.services import cache_clear

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _counts_start_at_zero():
    cache_clear()
    yield
    cache_clear()


def test_a_locked_sign_in_keeps_the_username_explains_and_refuses_the_right_password(
    asgi_server, page, axe, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="alice")
    for attempt in ("wrong-1", "wrong-2"):
        page.goto(f"{asgi_server.url}/accounts/login/")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill(attempt)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    alert = page.get_by_role("alert")
    assert "Too many wrong passwords for this username" in alert.inner_text()
    assert page.get_by_label("Username").input_value() == "alice"
    axe(page)

    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/accounts/login/")) as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429
    assert "Too many wrong passwords" in page.get_by_role("alert").inner_text()


def test_a_limited_sign_up_comes_back_with_what_was_typed(asgi_server, page, axe, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup_ip": "1/d"}
    for n in range(2):
        page.goto(f"{asgi_server.url}/accounts/signup/")
        page.get_by_label("Username").fill(f"newperson{n}")
        page.get_by_label("Email address").fill(f"new{n}@example.org")
        page.get_by_label("Your name").fill("New Person")
        page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase-42")
        page.get_by_label("Password confirmation").fill("a-long-unusual-passphrase-42")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_load_state()

    assert "too many times" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Your name").input_value() == "New Person"
    assert page.get_by_label("Email address").input_value() == "new1@example.org"
    axe(page)


def test_a_confirmation_link_asks_for_a_button_press(asgi_server, page, axe):
    user = UserFactory(email_verified=False)
    page.goto(f"{asgi_server.url}/accounts/verify/{email_verification_token(user)}/")
    axe(page)
    user.refresh_from_db()
    assert not user.email_verified
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Email address confirmed"
    user.refresh_from_db()
    assert user.email_verified
