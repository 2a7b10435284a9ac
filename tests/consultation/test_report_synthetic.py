"""The synthetic consultation for the benchmark, at a tiny scale."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.models import Comment, PolicyPaperPage, Reaction
from consultation.report.builder import report_build
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


def test_generates_exactly_the_asked_amounts_as_real_rows(capsys):
    build_site_tree(sections=1)
    call_command("generate_synthetic", sections=3, comments=30, reactions=300, groups=5, seed=1)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    assert paper.get_children().count() == 3
    assert paper.consultation.invited_groups.count() == 5
    # 80 % of the reactions on sections (every participant on every section), the rest on comments.
    assert Reaction.objects.filter(paper=paper, target_kind="section").count() == 240
    assert Reaction.objects.filter(paper=paper, target_kind="comment").count() == 60
    comments = Comment.objects.filter(paper=paper)
    assert comments.count() == 30
    # Real threaded comments: each its own thread, readable through the ORM like any other.
    first = comments.first()
    assert first.thread_id == first.pk and first.parent_id == first.pk and first.section.paper.pk == paper.pk
    assert f"{paper.url}report/" in capsys.readouterr().out

    snapshot = report_build(paper=paper)
    assert snapshot["participation"]["reactions"] == 240
    assert snapshot["participation"]["comments"] == 30
    assert len(snapshot["groups"]) == 6  # five groups and the public


def test_scale_multiplies_every_count_and_the_report_query_count_stays_put():
    build_site_tree(sections=1)
    counts = []
    for scale in (0.0002, 0.0008):
        call_command("generate_synthetic", scale=scale, seed=2)
        paper = PolicyPaperPage.objects.filter(title__startswith="Synthetic paper").order_by("-pk").first()
        report_build(paper=paper)
        with CaptureQueriesContext(connection) as queries:
            report_build(paper=paper)
        counts.append(len(queries))
    papers = PolicyPaperPage.objects.filter(title__startswith="Synthetic paper").order_by("pk")
    assert [p.get_children().count() for p in papers] == [1, 1]  # 100 × scale, at least one
    assert [Reaction.objects.filter(paper=p).count() for p in papers] == [100, 400]
    assert [Comment.objects.filter(paper=p).count() for p in papers] == [10, 40]
    assert counts[0] == counts[1]


def test_nonsense_scales_are_refused():
    with pytest.raises(CommandError):
        call_command("generate_synthetic", scale=0)
    with pytest.raises(CommandError):
        call_command("generate_synthetic", groups=0)
