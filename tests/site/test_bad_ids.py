"""Bad ids get a clean 4xx on every route, on SQLite as on PostgreSQL.

Every URL pattern of the project (and every sub-page route of the paper and
consultation pages) is requested with ids that cannot exist: 0, one past the
largest 64-bit integer (SQLite raised OverflowError for it, a 500), and a
30-digit number. As anonymous and as a superuser (who reaches the admin
views). Forms that name an id get the same treatment. And a websocket to a
path nobody serves is closed quietly.
"""

import re

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.urls import URLPattern, URLResolver, get_resolver

from config.asgi import application
from consultation.models import ConsultationPage, PolicyPaperPage
from tests.support.factories import UserFactory
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db

BAD_IDS = ["0", str(2**63), "9" * 30]
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _routes_with_ids():
    for route in _patterns():
        if route.startswith("^") or "(?P<" in route:
            continue  # Wagtail's own regex routes: covered through the pages below
        params = PARAM.findall(route)
        if any(conv in ("id", "int") for conv, _ in params):
            yield route


def _fill(route, bad):
    def value(match):
        conv = match.group(1)
        return (
            bad if conv in ("id", "int") else {"slug": "section", "str": "token", "path": "x"}.get(conv, "x")
        )

    return "/" + PARAM.sub(value, route)


@pytest.fixture
def site():
    return build_site_tree(sections=1, stage="review")


def test_every_id_route_answers_a_bad_id_without_a_server_error(client, site):
    routes = list(_routes_with_ids())
    assert len(routes) > 20  # the crawl found the project's routes
    superuser = UserFactory(is_superuser=True, is_staff=True)
    failures = []
    for who in ("anonymous", "superuser"):
        if who == "superuser":
            client.force_login(superuser)
        for route in routes:
            for bad in BAD_IDS:
                url = _fill(route, bad)
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    if response.status_code >= 500:
                        failures.append((who, method, url, response.status_code))
    assert failures == []


def test_every_page_sub_route_answers_a_bad_id_without_a_server_error(client, site):
    paper = PolicyPaperPage.objects.get(pk=site["paper"].pk)
    consultation = ConsultationPage.objects.get(pk=site["consultation"].pk)
    failures = []
    for bad in BAD_IDS:
        for url in (
            f"{paper.url}versions/{bad}/",
            f"{paper.url}versions/{bad}/changes/",
            f"{paper.url}versions/1/sections/{bad}/",
            f"{paper.url}versions/sections/{bad}/",
            f"{paper.url}versions/compare/?old={bad}&new={bad}",
            f"{paper.url}report/frozen/{bad}/",
            f"{paper.url}report/frozen/{bad}/report.csv",
            f"{consultation.url}record/{bad}/",
            f"{consultation.url}record/?page={bad}",
            f"/admin/consultation-proposals/?page={bad}",
        ):
            response = client.get(url)
            if response.status_code >= 500:
                failures.append((url, response.status_code))
    assert failures == []


def test_a_comment_form_naming_a_bad_id_is_refused_cleanly(client, site):
    client.force_login(UserFactory())
    for bad in BAD_IDS:
        for content_type in (
            "consultation.sectionpage",
            "consultation.proposal",
            "consultation.policypaperpage",
        ):
            response = client.post(
                "/consultation/comments/post/",
                {"content_type": content_type, "object_pk": bad, "comment": "Hello."},
            )
            assert response.status_code < 500, (content_type, bad)


@pytest.mark.django_db(transaction=True)
def test_a_websocket_to_an_unknown_path_is_closed_quietly():
    async def connect(path):
        communicator = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://testserver")])
        return await communicator.connect(timeout=5)

    for path in ("/ws/nothing/", f"/ws/papers/{2**63}/", "/ws/papers/9999999999999999999999/", "/"):
        connected, code = async_to_sync(connect)(path)
        assert (connected, code) == (False, 4404), path
