"""Acceptance 5 (second half): a paper page costs the same number of SQL queries
whatever the number of comments, threads and replies on it (and shows a bounded number
of them; tests/consultation/test_comments_bounded.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.comments.services import comment_flag, comment_hide
from tests.support.contributions import add_comment
from tests.support.factories import UserFactory
from tests.support.people import member_of, person_in_role
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db


def add_threads(tree, authors, *, threads, start=0):
    """`threads` conversations spread over the sections and the paper, each three levels deep."""
    targets = [*tree["sections"], tree["paper"]]
    made = 0
    for number in range(start, start + threads):
        target = targets[number % len(targets)]
        top = add_comment(authors[number % len(authors)], target, f"Thread {number}")
        reply = add_comment(authors[(number + 1) % len(authors)], target, f"Reply {number}", parent=top)
        add_comment(authors[(number + 2) % len(authors)], target, f"Reply to reply {number}", parent=reply)
        made += 3
    return made


def queries_for(client, url):
    client.get(url)  # warm caches that are not per request (Site root paths, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("viewer", ["anonymous", "member", "moderator"])
def test_paper_page_query_count_does_not_grow_with_comments(client, viewer, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the rendering, not the anonymous cache
    tree = comment_tree(stage="review", sections=4)
    authors = [member_of(tree["group"]) for _ in range(4)]
    if viewer != "anonymous":
        client.force_login(authors[0] if viewer == "member" else person_in_role("moderator", tree))
    url = tree["paper"].url

    made = add_threads(tree, authors, threads=2)  # 6 comments
    few, html = queries_for(client, url)
    assert html.count('class="comment"') == made

    made += add_threads(tree, authors, threads=20, start=2)  # 66 comments in 22 threads
    some = add_comment(authors[1], tree["sections"][0], "To hide")
    comment_hide(comment=some, moderator=person_in_role("moderator", tree), reason="Test.")
    comment_flag(
        comment=some.__class__.objects.exclude(pk=some.pk).first(), reporter=UserFactory(), reason="spam"
    )
    many, html = queries_for(client, url)
    # The paper page is bounded: per target (4 sections and the paper) the three most recent
    # threads of three comments, but in section 0 the newest thread is the hidden comment
    # (a tombstone). Every comment is read on its section's page (test_comments_bounded).
    assert html.count('class="comment"') == 5 * 3 * 3 - 3
    assert made > 5 * 3 * 3
    assert "Removed by a moderator" in html

    assert many == few, f"{few} queries with 6 comments, {many} with {made + 1}"


def test_section_page_query_count_does_not_grow_with_comments(client):
    tree = comment_tree(stage="review", sections=2)
    authors = [member_of(tree["group"]) for _ in range(3)]
    client.force_login(authors[0])
    section = tree["sections"][0]
    add_comment(authors[1], section, "One")
    few, _ = queries_for(client, section.url)
    for number in range(30):
        parent = add_comment(authors[number % 3], section, f"Top {number}")
        add_comment(authors[(number + 1) % 3], section, f"Reply {number}", parent=parent)
    many, html = queries_for(client, section.url)
    assert html.count('class="comment"') == 2 * 20  # the first page: 20 threads of 2
    assert many == few
    _, html = queries_for(client, f"{section.url}?page=2")
    assert html.count('class="comment"') == 21  # the rest: 10 threads of 2, and "One"
