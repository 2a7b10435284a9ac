"""A version may carry a name beside its number: "v1 — after working-group review"."""

import pytest
from django.core.exceptions import ValidationError

from consultation.models import PaperVersion, RecordEntry
from consultation.versions.services import version_publish
from tests.support.people import editor_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    tree = build_site_tree(sections=2)
    tree["editor"] = editor_of(tree["consultation"])
    return tree


def test_a_name_too_long_is_refused_and_nothing_is_published(tree):
    with pytest.raises(ValidationError) as error:
        version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First.", name="x" * 121)
    assert "Keep the name to 120 characters." in str(error.value)
    assert not PaperVersion.objects.exists()


def test_a_named_version_shows_its_name_beside_its_number(client, tree):
    paper = tree["paper"]
    version = version_publish(
        paper=paper, actor=tree["editor"], change_note="First.", name="  after working-group   review "
    )
    assert version.label == "v1"  # what comments, reactions and sign-offs cite
    assert version.display_label == "v1 — after working-group review"
    assert "v1 — after working-group review of" in RecordEntry.objects.get(kind="version_published").summary
    assert "v1 — after working-group review" in client.get(f"{paper.url}versions/").text
    assert "(v1 — after working-group review)" in client.get(f"{paper.url}versions/1/").text


def test_a_version_without_a_name_is_just_its_number(tree):
    version = version_publish(paper=tree["paper"], actor=tree["editor"], change_note="First.")
    assert version.display_label == "v1"
