"""The demo's consensus report shows every label, who disagrees, and the heat-map."""

from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from wagtail.models import Site

from consultation.consensus.statistics import Classification
from consultation.demo import content
from consultation.models import PolicyPaperPage
from consultation.report.builder import report_build

pytestmark = pytest.mark.django_db


def test_the_demo_report_shows_every_label_and_names_who_disagrees(client):
    call_command("load_demo", stdout=StringIO())
    Site.clear_site_root_paths_cache()
    paper = PolicyPaperPage.objects.get(slug=content.PAPER_SLUG)
    snapshot = report_build(paper=paper)
    labels = {s["classification"]["key"] for s in snapshot["sections"]}
    assert labels == set(Classification.LABELS), sorted(set(Classification.LABELS) - labels)

    # The summary (the report's first screen) names who disagrees on each contested section.
    contested = [s for s in snapshot["sections"] if s["classification"]["key"] == "contested"]
    assert any("Safeguards and oversight disagrees" in s["classification"]["headline"] for s in contested)
    page = BeautifulSoup(client.get(f"{paper.url}report/").content.decode(), "html.parser")
    heatmap = page.select_one("#report-heatmap-table")
    assert heatmap is not None
    assert len(heatmap.select("tbody tr")) == len(snapshot["sections"])
    assert "Disagrees" in heatmap.get_text()
    summary = page.select_one("#report-summary").get_text(" ", strip=True)
    assert "Safeguards and oversight disagrees" in summary
