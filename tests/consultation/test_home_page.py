"""The home page lists consultations by what a reader can do now, with the current stage's dates;
a consultation's page links each paper's consensus report."""

import re
from datetime import date

import pytest

from consultation.models import ConsultationStageDates
from tests.support.trees import another_consultation, build_site_tree

pytestmark = pytest.mark.django_db


def _headings_and_titles(html):
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.findall(
        r"<h2 id=\"consultations-\w+\">([^<]+)</h2>|<h3 class=\"card__title\"><a [^>]+>([^<]+)</a>", main
    )


def test_home_page_groups_consultations_by_what_a_reader_can_do(client):
    tree = build_site_tree(stage="drafting")
    drafting = tree["consultation"]
    scrutiny = another_consultation(tree, stage="scrutiny")
    final = another_consultation(tree, stage="final")
    review = another_consultation(tree, stage="review")
    signoff = another_consultation(tree, stage="signoff")

    listing = [h or t for h, t in _headings_and_titles(client.get("/").text)]

    assert listing == [
        "Open for comment by working groups",
        review.title,
        signoff.title,
        "In public scrutiny: anyone can comment",
        scrutiny.title,
        "Finished",
        final.title,
        "Being drafted: not open yet",
        drafting.title,
    ]


def test_a_drafting_consultation_is_never_called_open(client):
    build_site_tree(stage="drafting")
    page = client.get("/").text
    assert "Open for comment" not in page
    assert "Being drafted: not open yet" in page


def test_each_consultation_shows_its_current_stage_dates(client):
    tree = build_site_tree(stage="review")
    consultation = tree["consultation"]
    ConsultationStageDates.objects.create(
        consultation=consultation, stage="drafting", starts_on=date(2026, 1, 5)
    )
    ConsultationStageDates.objects.create(
        consultation=consultation, stage="review", starts_on=date(2026, 3, 2), ends_on=date(2026, 4, 30)
    )
    page = client.get("/").text
    assert '<span class="tag tag--stage tag--review">Working-group review</span>' in page
    starts = '<time datetime="2026-03-02">2 March 2026</time>'
    ends = '<time datetime="2026-04-30">30 April 2026</time>'
    assert f"from {starts} to {ends}" in page
    assert "5 January 2026" not in page  # only the current stage's dates


def test_the_consultation_page_links_its_papers_reports_but_not_a_restricted_ones(client):
    tree = build_site_tree(stage="review")
    paper = tree["paper"]
    page = client.get(tree["consultation"].url).text
    assert f'href="{paper.url}report/"' in page

    paper.restricted = True
    paper.restriction_category = "legal_advice"
    paper.restriction_reason = "Under legal review."
    paper.save_revision().publish()
    assert f'href="{paper.url}report/"' not in client.get(tree["consultation"].url).text
