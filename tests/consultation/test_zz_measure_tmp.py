import time
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.consultation.comments_support import add_comment, comment_tree, member_of
from tests.consultation.test_comments_queries import add_threads

pytestmark = pytest.mark.django_db

def measure(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as c:
        t = time.perf_counter(); r = client.get(url); d = time.perf_counter() - t
    return len(c), d

def test_measure(client):
    tree = comment_tree(stage="review", sections=10)
    authors = [member_of(tree["group"]) for _ in range(5)]
    client.force_login(authors[0])
    url = tree["paper"].url
    total = 0
    start = 0
    for n in (2, 20, 166):
        total += add_threads(tree, authors, threads=n - start, start=start)
        start = n
        q, d = measure(client, url)
        print(f"\ncomments={total} queries={q} time={d*1000:.0f}ms")
