"""The demo data shows versions, a word-level diff and responses, and loads only once."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Site

from consultation.demo import content
from consultation.models import PaperVersion, PolicyPaperPage, RecordEntry, Response

pytestmark = pytest.mark.django_db


def load():
    call_command("load_demo", stdout=StringIO())
    # The demo builder moves the Site with a queryset update, which skips
    # Wagtail's cache invalidation; with a shared (Redis) cache the root paths
    # of an earlier test's tree would linger.
    Site.clear_site_root_paths_cache()


def test_the_demo_paper_has_v1_and_v2_with_three_revised_sections_and_responses(client):
    load()
    paper = PolicyPaperPage.objects.get(slug=content.PAPER_SLUG)
    versions = list(PaperVersion.objects.filter(paper=paper).order_by("number"))
    assert [v.label for v in versions] == ["v1", "v2"]
    assert paper.version_label == "v2"
    v2_entry = RecordEntry.objects.get(kind="version_published", data__version=2, data__paper=paper.pk)
    assert len(v2_entry.data["changed"]) == 3
    assert Response.objects.filter(paper=paper, changed_in=versions[1]).count() == 2
    diff = client.get(f"{paper.url}versions/compare/?from=1&to=2").content.decode()
    assert "3 sections changed" in diff and "six years" in diff


def test_loading_the_demo_twice_adds_no_version_or_response():
    load()
    counts = (PaperVersion.objects.count(), Response.objects.count(), RecordEntry.objects.count())
    load()
    assert (PaperVersion.objects.count(), Response.objects.count(), RecordEntry.objects.count()) == counts
