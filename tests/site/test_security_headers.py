"""Every response carries a Content-Security-Policy without inline scripts, and a Permissions-Policy."""

import json

import pytest

from tests.support.factories import UserFactory
from tests.support.services import cache_clear
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


def directives(header):
    policy = {}
    for part in header.split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


@pytest.fixture
def tree():
    return build_site_tree(sections=2)


def urls(tree):
    paper = tree["paper"]
    return [
        "/",
        tree["consultation"].url,
        paper.url,
        f"{tree['consultation'].url}record/",
        f"{tree['consultation'].url}record/feed/",
        f"{tree['consultation'].url}record/json/",
        f"/consultation/papers/{paper.pk}/tallies/",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
        "/static/js/live-tallies.js",
        "/admin/login/",
    ]


def test_every_response_has_a_script_policy_without_inline_or_eval(client, tree):
    for url in urls(tree):
        response = client.get(url)
        assert response.status_code in (200, 302, 404), url
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["base-uri"] == ["'self'"], url
        assert "'unsafe-inline'" not in policy.get("default-src", []), url


def test_every_response_has_a_permissions_policy_that_denies_camera_microphone_and_location(client, tree):
    for url in urls(tree):
        header = client.get(url)["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in header, (url, header)


def test_public_pages_allow_no_inline_styles_and_the_admin_only_inline_styles(client, tree):
    public = directives(client.get(tree["paper"].url)["Content-Security-Policy"])
    assert public["style-src"] == ["'self'"]

    editor = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    admin = directives(response["Content-Security-Policy"])
    assert admin["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in admin["style-src"]


# ---------------------------------------------------------------- violation reports

REPORT = {
    "csp-report": {
        "document-uri": "https://example.org/consultation/paper/?token=secret-token#top",
        "blocked-uri": "https://evil.example/steal.js?who=alex@example.org",
        "effective-directive": "script-src-elem",
        "original-policy": "script-src 'self'",
    }
}


def post_report(client, body, **headers):
    return client.post("/security/csp-report/", body, content_type="application/csp-report", **headers)


def test_browsers_are_told_where_to_report_and_reports_are_logged_without_query_strings(client, tree, caplog):
    policy = directives(client.get(tree["paper"].url)["Content-Security-Policy"])
    assert policy["report-uri"] == ["/security/csp-report/"]
    with caplog.at_level("WARNING", logger="core.csp"):
        response = post_report(client, json.dumps(REPORT))
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "core.csp"]
    logged = record.getMessage()
    assert "https://evil.example/steal.js" in logged and "script-src-elem" in logged
    assert "/consultation/paper/" in logged
    assert "secret-token" not in logged and "alex@example.org" not in logged


def test_what_is_not_a_report_is_refused_and_nothing_is_logged(client, caplog, settings):
    with caplog.at_level("WARNING", logger="core.csp"):
        assert client.get("/security/csp-report/").status_code == 405
        assert post_report(client, "not json").status_code == 400
        assert post_report(client, json.dumps({"csp-report": ["a list"]})).status_code == 400
        assert post_report(client, json.dumps(REPORT) + " " * 20_000).status_code == 413
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "csp_report": "1/d"}
        cache_clear()
        assert post_report(client, json.dumps(REPORT)).status_code == 204
        assert post_report(client, json.dumps(REPORT)).status_code == 429
    assert len([r for r in caplog.records if r.name == "core.csp"]) == 1
    cache_clear()
