"""The read API's manners: refusals, paging, conditional requests, CORS, the rate limit,
and a fixed number of queries per list."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from consultation.api.http import cursor_encode
from consultation.comments.services import comment_create
from tests.support.contributions import react
from tests.support.people import member_of
from tests.support.services import cache_clear
from tests.support.trees import groups_tree, restrict

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return groups_tree(stage="review", groups=1, sections=2)


def test_unknown_and_unpublished_objects_are_404_in_json(client, tree):
    for url in ("/api/v1/papers/999999", "/api/v1/consultations/999999", "/api/v1/sections/999999"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    tree["paper"].unpublish()
    assert client.get(f"/api/v1/papers/{tree['paper'].pk}").status_code == 404
    assert client.get(f"/api/v1/papers/{tree['paper'].pk}/comments").status_code == 404


def test_a_restricted_papers_tallies_sign_offs_and_report_are_refused_with_the_reason(client, tree):
    paper = restrict(tree["paper"])
    for suffix in ("tallies", "sign-offs", "report"):
        response = client.get(f"/api/v1/papers/{paper.pk}/{suffix}")
        assert response.status_code == 403
        assert response.json()["code"] == "restricted"
    body = client.get(f"/api/v1/papers/{paper.pk}").json()
    assert body["summary_html"] is None and body["withheld"]["code"] == "restricted"
    assert all(section["body_html"] is None for section in body["sections"])


BAD_CURSORS = ["nonsense", cursor_encode(-1), "eyJhZnRlciI6ICJ4In0", cursor_encode(2**64)]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_made_up_cursors_and_limits_are_refused(client, tree, cursor):
    response = client.get(f"/api/v1/papers/{tree['paper'].pk}/comments", {"cursor": cursor})
    assert response.status_code == 400
    assert client.get("/api/v1/consultations", {"limit": 0}).status_code == 400
    assert client.get("/api/v1/consultations", {"limit": 201}).status_code == 400


def test_cursor_paging_walks_every_thread_once(client, tree):
    section = tree["sections"][0]
    convenor = tree["convenors"][0]
    tops = [comment_create(author=convenor, target=section, text=f"Point {n}.") for n in range(5)]
    comment_create(author=member_of(tree["groups"][0]), target=section, text="A reply.", parent=tops[2])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"/api/v1/papers/{tree['paper'].pk}/comments", params).json()
        pages += 1
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [c.pk for c in tops]
    assert pages == 3
    third = client.get(f"/api/v1/papers/{tree['paper'].pk}/comments").json()["items"][2]
    assert [r["text"] for r in third["replies"]] == ["A reply."]


def test_an_unchanged_response_is_a_304_and_a_change_makes_a_new_etag(client, tree):
    url = f"/api/v1/papers/{tree['paper'].pk}/tallies"
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    react([tree["convenors"][0]], tree["sections"][0], "agree")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_last_modified_is_given_and_honoured(client, tree):
    section = tree["sections"][0]
    comment_create(author=tree["convenors"][0], target=section, text="Dated.")
    url = f"/api/v1/papers/{tree['paper'].pk}/comments"
    response = client.get(url)
    assert response["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_head_has_the_get_headers_and_no_body(client, tree):
    url = f"/api/v1/consultations/{tree['consultation'].pk}"
    got, head = client.get(url), client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == got["ETag"]


def test_cors_lets_any_origin_read_without_credentials(client, tree):
    response = client.get("/api/v1/consultations", HTTP_ORIGIN="https://research.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/consultations",
        HTTP_ORIGIN="https://research.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 204
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    # Other pages of the site are not opened to other origins.
    assert "Access-Control-Allow-Origin" not in client.get("/search/")


def test_the_api_is_rate_limited(client, tree):
    cache_clear()
    limits = {"api": "3/m"}
    with override_settings(RATE_LIMITS={**settings.RATE_LIMITS, **limits}):
        codes = [client.get("/api/v1/consultations").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    cache_clear()


def test_writes_are_not_accepted(client, tree):
    assert client.post("/api/v1/consultations", {}).status_code == 405


def test_lists_cost_a_fixed_number_of_queries(client, tree):
    section = tree["sections"][0]
    convenor = tree["convenors"][0]
    url = f"/api/v1/papers/{tree['paper'].pk}/comments"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    comment_create(author=convenor, target=section, text="One.")
    few = queries()
    for n in range(6):
        comment_create(author=convenor, target=section, text=f"More {n}.")
    assert queries() == few
