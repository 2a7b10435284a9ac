"""Register your interest: double opt-in, one-click unsubscribe, privacy, no floods."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consultation.models import RecordEntry, Subscription
from consultation.stages.services import consultation_move_stage
from consultation.subscriptions.services import (
    MAX_PROMPTS,
    subscription_request,
    subscriptions_notify_new_version,
    subscriptions_purge_unconfirmed,
)
from tests.support.trees import another_consultation, groups_tree

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/consultation/updates/(?:confirm|unsubscribe)/\S+/")


@pytest.fixture
def tree():
    return groups_tree(stage="drafting", groups=1)


def register_url(consultation):
    return reverse("consultation:register_interest", args=[consultation.pk])


def path_of(message, kind):
    for url in LINK.findall(message.body):
        if f"/{kind}/" in url:
            assert url.startswith(settings.SITE_URL + "/")
            return urlsplit(url).path
    raise AssertionError(f"no {kind} link in {message.body}")


def sign_up(client, consultation, email, capture):
    with capture(execute=True):
        return client.post(register_url(consultation), {"email": email}, follow=True)


# ---------------------------------------------------------------- refusals and privacy


@pytest.mark.parametrize(
    "email", ["", "not-an-address", "a@b", "two@@example.org", "x" * 250 + "@example.org"]
)
def test_a_bad_address_gets_a_clear_message_keeps_the_text_and_sends_nothing(client, tree, email):
    response = client.post(register_url(tree["consultation"]), {"email": email})
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.text or "Enter your email address" in (
        response.text
    )
    if email and len(email) < 254:
        assert f'value="{email}"' in response.text
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_the_service_refuses_a_malformed_address_too(tree):
    with pytest.raises(ValidationError, match="correct format"):
        subscription_request(consultation=tree["consultation"], email="nobody at example.org")
    assert not Subscription.objects.exists()


def test_a_duplicate_gets_the_same_answer_and_no_second_email_within_the_hour(
    client, tree, django_capture_on_commit_callbacks
):
    consultation = tree["consultation"]
    first = sign_up(client, consultation, "Ada@Example.org", django_capture_on_commit_callbacks)
    second = sign_up(client, consultation, "ada@example.ORG ", django_capture_on_commit_callbacks)
    assert "Check your inbox" in first.text
    assert first.text == second.text, "the answer must not reveal that the address is already known"
    assert len(mail.outbox) == 1
    assert Subscription.objects.get().email == "ada@example.org"


def test_an_already_confirmed_address_gets_the_same_page_and_its_owner_is_told(
    client, tree, django_capture_on_commit_callbacks
):
    consultation = tree["consultation"]
    Subscription.objects.create(consultation=consultation, email="known@example.org", status="confirmed")
    unknown = sign_up(client, consultation, "new@example.org", django_capture_on_commit_callbacks)
    known = sign_up(client, consultation, "known@example.org", django_capture_on_commit_callbacks)
    assert unknown.text == known.text
    notice = next(m for m in mail.outbox if m.to == ["known@example.org"])
    assert "already" in notice.subject and "/consultation/updates/unsubscribe/" in notice.body


def test_repeated_signups_are_capped_so_the_form_cannot_flood_an_inbox(tree):
    consultation = tree["consultation"]
    for hour in range(MAX_PROMPTS + 3):
        subscription_request(consultation=consultation, email="victim@example.org")
        # Pretend an hour has passed since the last email.
        Subscription.objects.update(last_prompted_at=timezone.now() - timedelta(hours=1, minutes=hour))
    assert Subscription.objects.get().prompts_sent == MAX_PROMPTS


def test_no_address_appears_on_public_pages_or_in_the_record(
    client, tree, django_capture_on_commit_callbacks
):
    consultation = tree["consultation"]
    sign_up(client, consultation, "private.person@example.org", django_capture_on_commit_callbacks)
    Subscription.objects.update(status="confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        consultation_move_stage(consultation=consultation, to_stage="review", actor=None)
    for url in [consultation.url, tree["paper"].url, tree["groups"][0].get_absolute_url()]:
        assert "private.person" not in client.get(url).text
    assert not RecordEntry.objects.filter(summary__icontains="private.person").exists()
    assert "private.person" not in str(Subscription.objects.get())


# ---------------------------------------------------------------- the journey (acceptance 4)


def test_signup_confirm_stage_email_unsubscribe(client, tree, django_capture_on_commit_callbacks):
    consultation = tree["consultation"]
    response = sign_up(client, consultation, "reader@example.org", django_capture_on_commit_callbacks)
    assert "Check your inbox" in response.text
    assert Subscription.objects.get().status == "pending"
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["reader@example.org"]
    confirm_path = path_of(confirmation, "confirm")

    # Unconfirmed addresses receive nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consultation_move_stage(consultation=consultation, to_stage="review", actor=None)
    assert mail.outbox == []

    # Opening the link alone confirms nothing (mail scanners open links); the button does.
    page = client.get(confirm_path)
    assert "Confirm and start updates" in page.text
    assert Subscription.objects.get().status == "pending"
    client.post(confirm_path)
    subscription = Subscription.objects.get()
    assert subscription.status == "confirmed" and subscription.confirmed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        consultation_move_stage(consultation=consultation, to_stage="signoff", actor=None)
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    update = mail.outbox[0]
    assert "Sign-off" in update.subject and consultation.title in update.body
    unsubscribe_path = path_of(update, "unsubscribe")
    assert update.extra_headers["List-Unsubscribe"] == f"<{settings.SITE_URL}{unsubscribe_path}>"

    # One click from a mail program (RFC 8058): a POST without a CSRF token.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(unsubscribe_path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "You have unsubscribed" in response.text
    assert not Subscription.objects.exists(), "unsubscribing deletes the address"

    mail.outbox.clear()
    consultation_move_stage(
        consultation=consultation, to_stage="review", actor=None, reason="Back for edits."
    )
    assert mail.outbox == []
    # The old link now explains instead of failing.
    assert client.get(unsubscribe_path).status_code == 404
    assert client.post(unsubscribe_path).status_code == 200


def test_unsubscribe_link_in_a_browser_asks_for_one_press(client, tree):
    subscription = Subscription.objects.create(
        consultation=tree["consultation"], email="a@example.org", status="confirmed"
    )
    path = reverse("consultation:unsubscribe", args=[subscription.make_token("unsubscribe")])
    assert "Unsubscribe" in client.get(path).text
    assert Subscription.objects.exists()
    client.post(path)
    assert not Subscription.objects.exists()


def test_links_cannot_be_forged_swapped_or_reused_after_expiry(client, tree):
    subscription = Subscription.objects.create(consultation=tree["consultation"], email="a@example.org")
    confirm = subscription.make_token("confirm")
    unsubscribe = subscription.make_token("unsubscribe")
    # A confirm token does not unsubscribe and an unsubscribe token does not confirm.
    assert client.post(reverse("consultation:unsubscribe", args=[confirm])).status_code == 200
    assert Subscription.objects.exists()
    assert client.post(reverse("consultation:subscription_confirm", args=[unsubscribe])).status_code == 404
    assert (
        client.post(reverse("consultation:subscription_confirm", args=[confirm[:-3] + "abc"])).status_code
        == 404
    )
    assert Subscription.objects.get().status == "pending"


def test_confirmation_links_expire_after_seven_days(client, tree, monkeypatch):
    subscription = Subscription.objects.create(consultation=tree["consultation"], email="slow@example.org")
    token = subscription.make_token("confirm")
    later = timezone.now() + timedelta(days=7, minutes=1)
    monkeypatch.setattr("time.time", lambda: later.timestamp())
    response = client.post(reverse("consultation:subscription_confirm", args=[token]))
    assert response.status_code == 404 and "expired" in response.text
    assert Subscription.objects.get().status == "pending"


def test_new_version_email_goes_to_confirmed_subscribers_of_that_consultation_only(
    tree, django_capture_on_commit_callbacks
):
    consultation = tree["consultation"]
    Subscription.objects.create(consultation=consultation, email="yes@example.org", status="confirmed")
    Subscription.objects.create(consultation=consultation, email="no@example.org")
    other = another_consultation(tree)
    Subscription.objects.create(consultation=other, email="elsewhere@example.org", status="confirmed")
    # A background job, started after commit.
    with django_capture_on_commit_callbacks(execute=True):
        sent = subscriptions_notify_new_version(
            paper=tree["paper"], version_label="v2", change_note="Clearer costs."
        )
    assert sent == 1
    assert mail.outbox[0].to == ["yes@example.org"]
    assert "v2" in mail.outbox[0].subject and "Clearer costs." in mail.outbox[0].body
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


def test_unconfirmed_addresses_are_purged_after_their_links_expire(tree):
    consultation = tree["consultation"]
    old = Subscription.objects.create(consultation=consultation, email="old@example.org")
    Subscription.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    Subscription.objects.create(consultation=consultation, email="fresh@example.org")
    Subscription.objects.create(consultation=consultation, email="kept@example.org", status="confirmed")
    Subscription.objects.filter(email="kept@example.org").update(
        created_at=timezone.now() - timedelta(days=80)
    )
    assert subscriptions_purge_unconfirmed() == 1
    assert sorted(Subscription.objects.values_list("email", flat=True)) == [
        "fresh@example.org",
        "kept@example.org",
    ]


def test_signup_form_is_on_the_consultation_page_and_works_without_javascript(client, tree):
    page = client.get(tree["consultation"].url).text
    assert f'action="{register_url(tree["consultation"])}"' in page
    assert '<label for="register-interest-email">Email address</label>' in page
