"""Absolute links in emails and feeds point where the site is served.

In production SITE_URL is the only source (the Host header is never trusted there); in
development it is unset and links follow the request's address, so `make run PORT=8123`
sends working links. Outside a request they fall back to the default development address.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.links import DEV_SITE_URL, public_origin, site_url
from tests.support.factories import UserFactory
from tests.support.trees import groups_tree

DEV_HOST = "127.0.0.1:8123"
URL = re.compile(r"https?://[^\s<>\"]+")


@pytest.fixture
def tree(db):
    return groups_tree(stage="drafting", groups=1)


def _links(text):
    return URL.findall(text)


# ---------------------------------------------------------------- production: SITE_URL wins


def test_with_site_url_set_the_host_header_never_makes_a_link(
    client, tree, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://policy.example.gov"
    consultation = tree["consultation"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("consultation:register_interest", args=[consultation.pk]),
            {"email": "reader@example.org"},
            HTTP_HOST="evil.example.net",
        )
    links = _links(mail.outbox[-1].body)
    assert links and all(link.rstrip("/").startswith("https://policy.example.gov") for link in links)

    feed = client.get(f"{consultation.url}record/feed/", HTTP_HOST="evil.example.net").content.decode()
    assert "evil.example.net" not in feed
    assert 'href="https://policy.example.gov/' in feed


def test_outside_a_request_with_no_site_url_links_use_the_development_address(db, settings):
    settings.SITE_URL = ""
    assert public_origin() == DEV_SITE_URL
    assert site_url("/groups/") == f"{DEV_SITE_URL}/groups/"


# ---------------------------------------------------------------- development: the request's port
# Transactional, so emails go out on commit inside the request, as they do when served.


@pytest.mark.django_db(transaction=True)
def test_emails_link_to_the_port_the_site_is_served_on(client, settings):
    settings.SITE_URL = ""
    consultation = groups_tree(stage="drafting", groups=1)["consultation"]
    client.post(
        reverse("consultation:register_interest", args=[consultation.pk]),
        {"email": "reader@example.org"},
        HTTP_HOST=DEV_HOST,
    )
    body = mail.outbox[-1].body
    links = _links(body)
    assert any("/consultation/updates/confirm/" in link for link in links)
    assert links and all(link.rstrip("/").startswith(f"http://{DEV_HOST}") for link in links)
    assert ":8000" not in body


@pytest.mark.django_db(transaction=True)
def test_password_reset_email_links_to_the_port_the_site_is_served_on(client, settings):
    settings.SITE_URL = ""
    UserFactory(email="reset-me@example.org")
    client.post(reverse("password_reset"), {"email": "reset-me@example.org"}, HTTP_HOST=DEV_HOST)
    body = mail.outbox[-1].body
    assert f"http://{DEV_HOST}/accounts/password/reset/" in body
    assert ":8000" not in body


def test_the_atom_feed_links_to_the_port_the_site_is_served_on(client, tree, settings):
    settings.SITE_URL = ""
    feed = client.get(f"{tree['consultation'].url}record/feed/", HTTP_HOST=DEV_HOST).content.decode()
    hrefs = re.findall(r'href="([^"]+)"', feed)
    assert hrefs and all(href.startswith(f"http://{DEV_HOST}/") for href in hrefs)
    assert ":8000" not in feed
