"""Small things people expect: an icon, avatars that load, honest words."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/favicon.svg")
    assert finders.find("favicon.svg")
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
def test_every_page_names_its_icon(client, site_tree):
    page = client.get(site_tree["home"].url).text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_wagtail_asks_no_avatar_service():
    # Gravatar cannot be reached from where the site runs: avatars are broken images.
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None


@pytest.mark.django_db
def test_without_javascript_the_report_does_not_claim_to_update_live(client, site_tree):
    page = client.get(site_tree["paper"].url + "report/").text
    # Shown as served: the page changes only when reloaded.
    assert (
        '<p class="report__static" data-report-static-status>Reload this page for the latest figures.</p>'
        in page
    )
    # The live claim is there for live-report.js to reveal, hidden until it runs.
    assert "data-report-live-status hidden>These figures update as people react" in page
