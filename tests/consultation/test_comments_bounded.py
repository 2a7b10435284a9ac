"""Pages bounded by design: the paper page shows a fixed number of comments whatever
their number, so its size and its queries are the same at 100 and at 10,000 comments;
every comment is still read on its section's own page, where threads are paged."""

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.comments.selectors import paper_page_limits
from consultation.management.commands.generate_synthetic import generate, more_comments
from consultation.models import Comment, PolicyPaperPage
from tests.support.contributions import add_comment
from tests.support.people import member_of
from tests.support.trees import comment_tree

pytestmark = pytest.mark.django_db


def fetch(client, url):
    client.get(url)  # warm caches that are not per request (Site root paths, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_paper_page_size_and_queries_equal_at_100_and_10000_comments(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the rendering itself (bulk inserts send no signals)
    paper = generate(rng=random.Random(5), sections=4, comments=100, reactions=40, groups=2)
    paper = PolicyPaperPage.objects.get(pk=paper.pk)
    few_queries, few_html = fetch(client, paper.url)

    more_comments(paper=paper, count=9_900, seed=6)
    assert Comment.objects.filter(paper=paper).count() == 10_000
    many_queries, many_html = fetch(client, paper.url)

    assert many_queries == few_queries
    threads_each, _ = paper_page_limits()  # synthetic comments have no replies
    assert few_html.count('class="comment"') == many_html.count('class="comment"') == 4 * threads_each
    # Equal but for the words of the comments shown (random lengths) and the counts' digits.
    assert abs(len(many_html) - len(few_html)) < 0.05 * len(few_html), (len(few_html), len(many_html))
    counts = re.findall(
        r"All comments on section \d+<span class=\"visually-hidden\">[^<]*</span> \((\d+)\)", many_html
    )
    assert len(counts) == 4 and sum(map(int, counts)) == 10_000


def test_every_comment_is_reachable_from_the_paper_page_through_its_section(client, settings):
    settings.COMMENT_THREADS_PER_PAGE = 4
    tree = comment_tree(stage="review", sections=1)
    authors = [member_of(tree["group"]) for _ in range(2)]
    section = tree["sections"][0]
    comments = [add_comment(authors[n % 2], section, f"Conversation {n}") for n in range(10)]

    paper_html = client.get(tree["paper"].url).content.decode()
    assert "Conversation 9" in paper_html and "Conversation 7" in paper_html
    assert "Conversation 6" not in paper_html  # beyond the three most recent
    assert f'href="{section.url}#comments-{section.pk}"' in paper_html
    assert "All comments on section 1<" in paper_html and " (10)</a>" in paper_html

    seen = set()
    for number in (1, 2, 3):
        html = client.get(f"{section.url}?page={number}").content.decode()
        seen |= {c.pk for c in comments if f"Conversation {c.comment[len('Conversation ') :]}<" in html}
        assert f"Page {number} of 3." in html
        assert 'aria-label="Pages of comments on this section"' in html
    assert seen == {c.pk for c in comments}
    first = client.get(section.url).content.decode()
    assert first.index("Conversation 9") < first.index("Conversation 8")  # newest first
    assert "?page=2#comments-" in first and 'rel="next"' in first

    # A comment's permalink goes to the page of threads it is on.
    response = client.get(f"/consultation/comments/{comments[0].pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{section.url}?page=3#comment-{comments[0].pk}"


def test_a_long_conversation_is_cut_on_the_paper_page_and_whole_on_the_section_page(client, settings):
    settings.PAPER_THREAD_COMMENTS = 3
    tree = comment_tree(stage="review", sections=1)
    authors = [member_of(tree["group"]) for _ in range(2)]
    section = tree["sections"][0]
    top = add_comment(authors[0], section, "Opening")
    for n in range(6):
        add_comment(authors[(n + 1) % 2], section, f"Answer {n}", parent=top)

    paper_html = client.get(tree["paper"].url).content.decode()
    assert "Answer 1" in paper_html and "Answer 2" not in paper_html
    assert "4 more replies in this conversation" in paper_html
    assert f'href="{section.url}#comment-{top.pk}"' in paper_html
    section_html = client.get(section.url).content.decode()
    assert all(f"Answer {n}" in section_html for n in range(6))


def test_comments_on_the_paper_as_a_whole_have_a_paged_page_of_their_own(client, settings):
    settings.COMMENT_THREADS_PER_PAGE = 2
    tree = comment_tree(stage="review", sections=1)
    author = member_of(tree["group"])
    paper = tree["paper"]
    for n in range(5):
        add_comment(author, paper, f"About the whole {n}")
    paper_html = client.get(paper.url).content.decode()
    assert "About the whole 4" in paper_html and "About the whole 1" not in paper_html
    assert "All comments on the paper as a whole (5)" in paper_html
    html = client.get(f"{paper.url}comments/?page=3").content.decode()
    assert "About the whole 0" in html and "About the whole 4" not in html
    assert "Page 3 of 3." in html
