"""The demo's comments: real threads on the demo paper, one hidden, loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command

from consultation.demo import comments as demo_comments
from consultation.demo import content
from consultation.models import Comment, PolicyPaperPage, RecordEntry

pytestmark = pytest.mark.django_db


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_comments_are_threaded_attributed_and_one_is_hidden(client):
    load()
    paper = PolicyPaperPage.objects.get(slug=content.PAPER_SLUG)
    comments = Comment.objects.filter(paper=paper)
    expected = sum(len(messages) for _, _, messages in demo_comments.THREADS) + 3
    assert comments.count() == expected
    assert comments.filter(level=2).exists()  # a conversation three levels deep
    assert comments.filter(section__isnull=True).exists()  # one on the paper as a whole
    # Members speak for their group and organisation, on the version they read.
    first = comments.get(user__username="safeguards-member2")
    assert (first.working_group_name, first.organisation_name, first.version_label) == (
        "Safeguards and oversight",
        "Independent",
        "v1",
    )
    hidden = comments.get(hidden_at__isnull=False)
    assert comments.filter(parent_id=hidden.pk).exclude(pk=hidden.pk).exists()
    assert RecordEntry.objects.filter(kind="moderation", data__comment_id=hidden.pk).exists()

    html = client.get(paper.url).content.decode()
    assert "Removed by a moderator on" in html and "name and town withheld" not in html
    assert "Two years is too short for access logs." in html


def test_loading_the_demo_again_adds_no_comments():
    load()
    before = sorted(Comment.objects.values_list("pk", "comment", "hidden_at"))
    load()
    assert sorted(Comment.objects.values_list("pk", "comment", "hidden_at")) == before
    assert RecordEntry.objects.filter(kind="moderation").count() == 1
