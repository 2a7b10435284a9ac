"""core/page_cache.py on its own: what the middleware refuses to store or serve, and the
`{% shared_fragment %}` tag. The pages that use them: tests/consultation/test_page_cache.py."""

import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from core.page_cache import PageCacheMiddleware, _tag_key, bump, cacheable_for, generations

pytestmark = [pytest.mark.usefixtures("fresh_cache"), pytest.mark.django_db]  # bump() waits for commit


def serving(body=b"<p>Page</p>", *, cookie=False, status=200, tags=("site",)):
    """A middleware around a view that counts its calls and offers what it returns."""
    calls = []

    def view(request):
        calls.append(request)
        seen = generations(tags)
        response = HttpResponse(body, status=status)
        if cookie:
            response.set_cookie("csrftoken", "one-visitors-token")
        return cacheable_for(response, seen)

    return PageCacheMiddleware(view), calls


def get(middleware, path="/page/", **extra):
    return middleware(RequestFactory().get(path, **extra))


def test_a_page_with_a_csrf_token_is_never_stored():
    middleware, calls = serving(b'<input name="csrfmiddlewaretoken" value="abc">')
    get(middleware)
    response = get(middleware)
    assert len(calls) == 2 and b"abc" in response.content


def test_a_response_that_sets_a_cookie_or_is_not_200_is_never_stored():
    for middleware, calls in (serving(cookie=True), serving(status=404)):
        get(middleware)
        get(middleware)
        assert len(calls) == 2


def test_signed_in_requests_neither_read_nor_fill_the_cache():
    middleware, calls = serving()
    get(middleware, HTTP_COOKIE="sessionid=abc")
    get(middleware, HTTP_COOKIE="sessionid=abc")
    assert len(calls) == 2
    get(middleware)  # anonymous: stored
    get(middleware, HTTP_COOKIE="sessionid=abc")
    assert len(calls) == 4
    get(middleware, HTTP_AUTHORIZATION="Bearer x")
    assert len(calls) == 5


def test_a_bump_of_any_tag_the_page_named_makes_it_stale():
    middleware, calls = serving(tags=("site", "paper:1"))
    get(middleware)
    get(middleware)
    assert len(calls) == 1
    bump("paper:2")
    get(middleware)
    assert len(calls) == 1
    bump("paper:1")
    get(middleware)
    assert len(calls) == 2


def test_a_response_not_offered_is_never_stored():
    calls = []

    def view(request):
        calls.append(request)
        return HttpResponse("<p>Not a page</p>")

    middleware = PageCacheMiddleware(view)
    get(middleware)
    get(middleware)
    assert len(calls) == 2


FRAGMENTS = Template(
    "{% load page_cache %}{% for x in xs %}"
    "{% shared_fragment key %}[{{ x }}]{% endshared_fragment %}"
    "{% endfor %}"
)


def test_a_fragment_without_a_key_is_never_shared():
    assert FRAGMENTS.render(Context({"xs": [1, 2]})) == "[1][2]"  # `key` missing
    assert FRAGMENTS.render(Context({"xs": [1, 2], "key": None})) == "[1][2]"


def test_a_fragment_with_a_key_is_shared_but_never_with_a_csrf_token():
    assert FRAGMENTS.render(Context({"xs": [1, 2], "key": "k"})) == "[1][1]"
    token = Template(
        "{% load page_cache %}{% shared_fragment key %}csrfmiddlewaretoken={{ x }}{% endshared_fragment %}"
    )
    assert token.render(Context({"x": 1, "key": "t"})) == "csrfmiddlewaretoken=1"
    assert token.render(Context({"x": 2, "key": "t"})) == "csrfmiddlewaretoken=2"


def test_one_bump_raises_each_of_its_tags_by_one_and_starts_a_missing_one_from_the_clock():
    # Redis: one script for every tag; other caches: one call each. The same rule both ways.
    before = generations(["paper:1", "section:2"])
    cache.delete(_tag_key("section:2"))  # evicted
    time.sleep(0.005)  # the clock moves on: a counter raised by one would stay below it
    started = int(time.time() * 1000)
    bump("paper:1", "section:2", "section:3")  # section:3 never bumped
    after = generations(["paper:1", "section:2", "section:3"])
    assert after["paper:1"] == before["paper:1"] + 1
    # A counter that was lost starts from the clock, never from a value a stored page saw.
    assert after["section:2"] >= started and after["section:3"] >= started
