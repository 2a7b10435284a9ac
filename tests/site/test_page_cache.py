"""core/page_cache.py on its own: what the middleware refuses to store or serve, and the
`{% shared_fragment %}` tag. The pages that use them: tests/consultation/test_page_cache.py."""

import gzip
import time
import zlib

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from core.page_cache import (
    PageCacheMiddleware,
    Piece,
    PiecedResponse,
    PieceMarks,
    _tag_key,
    bump,
    cacheable_for,
    generations,
    gzip_of_parts,
)

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


def test_text_and_stored_pieces_make_one_gzip_member_of_the_whole_text():
    parts = [
        b"<main>",
        Piece.of("<p>caf\u00e9</p>" * 50),
        b"\n",
        Piece.of(""),
        Piece.of("<p>two</p>"),
        b"</main>",
    ]
    text = b"<main>" + "<p>caf\u00e9</p>".encode() * 50 + b"\n<p>two</p></main>"
    body = gzip_of_parts(parts)
    reader = zlib.decompressobj(16 + zlib.MAX_WBITS)  # one gzip member, its CRC and length checked
    assert reader.decompress(body) == text and reader.eof and reader.unused_data == b""
    assert gzip.decompress(gzip_of_parts([b"only text"])) == b"only text"


def _rendering_with_marks(template, context):
    request = RequestFactory().get("/")
    request.piece_marks = marks = PieceMarks()
    rendered = Template(template).render(RequestContext(request, context)).encode()
    return rendered, marks.parts(rendered)


def test_a_stored_fragment_is_marked_as_its_piece_and_a_look_alike_mark_is_only_text():
    template = "{% load page_cache %}<{{ forged }}>{% shared_fragment key %}[{{ x }}]{% endshared_fragment %}"
    forged = "\x00" + "0" * 16 + "0\x00"
    _, first = _rendering_with_marks(template, {"key": "m", "x": 1, "forged": forged})
    rendered, again = _rendering_with_marks(template, {"key": "m", "x": 2, "forged": forged})
    assert b"[" not in rendered  # the stored rendering is a mark, not its text
    assert [type(part) for part in again] == [bytes, Piece, bytes]
    assert again[0] == f"<{forged}>".encode() and again[1].text() == "[1]"


def test_a_fragment_inside_a_fragment_is_stored_as_text_within_it():
    template = (
        "{% load page_cache %}{% shared_fragment outer %}({% shared_fragment inner %}[{{ x }}]"
        "{% endshared_fragment %}){% endshared_fragment %}"
    )
    _, parts = _rendering_with_marks(template, {"outer": "o", "inner": "i", "x": 1})
    pieces = [part for part in parts if isinstance(part, Piece)]
    assert [piece.text() for piece in pieces] == ["([1])"]


def test_a_pieced_page_is_whole_to_a_client_without_gzip_and_one_member_to_others():
    def view(request):
        return PiecedResponse([b"<p>", Piece.of("stored"), b"</p>"], like=HttpResponse())

    middleware = PageCacheMiddleware(view)
    plain = get(middleware, "/page/?render")
    compressed = get(middleware, "/page/?render", HTTP_ACCEPT_ENCODING="gzip, br")
    assert plain.content == b"<p>stored</p>" and plain["Content-Length"] == "13"
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == b"<p>stored</p>"
    assert compressed["Content-Length"] == str(len(compressed.content))
