"""Recording a group's position: the service's own checks, history and the public record."""

import pytest
from django.core.exceptions import ValidationError

from consultation.models import RecordEntry
from tests.support.contributions import sign_off
from tests.support.factories import PolicyPaperPageFactory, SectionPageFactory
from tests.support.trees import groups_tree
from workinggroups.models import Position, SectionPosition, SignOff
from workinggroups.services.signoffs import SectionPositionInput, signoff_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return groups_tree(stage="signoff", groups=2, sections=2)


def record(tree, **kwargs):
    defaults = {
        "group": tree["groups"][0],
        "paper": tree["paper"],
        "version_label": "v1",
        "position": Position.ENDORSE,
        "statement": "",
        "actor": tree["convenors"][0],
    }
    return signoff_record(**{**defaults, **kwargs})


@pytest.mark.parametrize("position", [Position.RESERVATIONS, Position.DO_NOT_ENDORSE])
def test_a_statement_is_required_with_reservations_or_refusal(tree, position):
    with pytest.raises(ValidationError, match="Give a statement"):
        record(tree, position=position, statement="   ")
    assert not SignOff.objects.exists()
    assert not RecordEntry.objects.filter(kind="sign_off").exists()


def test_an_unknown_position_is_refused(tree):
    with pytest.raises(ValidationError, match="Choose a position"):
        record(tree, position="abstain")
    assert not SignOff.objects.exists()


def test_a_section_position_needs_its_own_statement_and_nothing_is_half_saved(tree):
    section = tree["sections"][0]
    with pytest.raises(ValidationError, match="for the section"):
        record(
            tree,
            position=Position.ENDORSE,
            section_positions=[SectionPositionInput(section=section, position=Position.DO_NOT_ENDORSE)],
        )
    assert not SignOff.objects.exists()
    assert not SectionPosition.objects.exists()


def test_a_section_of_another_paper_is_refused(tree):
    other_paper = PolicyPaperPageFactory(parent=tree["consultation"])
    stray = SectionPageFactory(parent=other_paper)
    with pytest.raises(ValidationError, match="is not a section of this paper"):
        record(tree, section_positions=[SectionPositionInput(section=stray, position=Position.ENDORSE)])
    assert not SignOff.objects.exists()


def test_endorsement_needs_no_statement_and_section_positions_are_kept(tree):
    first, second = tree["sections"]
    signoff = record(
        tree,
        section_positions=[
            SectionPositionInput(section=first, position=Position.ENDORSE),
            SectionPositionInput(
                section=second, position=Position.RESERVATIONS, statement="Define 'public task'."
            ),
        ],
    )
    assert signoff.position == Position.ENDORSE and signoff.statement == ""
    positions = {p.section_id: (p.position, p.statement) for p in signoff.section_positions.all()}
    assert positions == {first.pk: ("endorse", ""), second.pk: ("reservations", "Define 'public task'.")}


def test_recording_again_supersedes_and_keeps_the_earlier_position(tree):
    first = record(tree)
    second = record(tree, position=Position.DO_NOT_ENDORSE, statement="We changed our mind.")
    first.refresh_from_db()
    assert first.superseded_at == second.recorded_at
    assert list(SignOff.objects.current()) == [second]
    assert SignOff.objects.count() == 2
    summaries = list(RecordEntry.objects.filter(kind="sign_off").values_list("summary", flat=True))
    title = tree["paper"].title
    assert summaries[0].endswith(f"recorded its position on “{title}”, version v1: Endorse.")
    assert "changed its position" in summaries[1] and summaries[1].endswith("Do not endorse.")


def test_every_signoff_goes_into_the_consultations_public_record(tree):
    signoff = sign_off(tree, 1, Position.RESERVATIONS, "Costs are understated.")
    entry = RecordEntry.objects.get(kind="sign_off")
    assert entry.consultation_id == tree["consultation"].pk
    assert entry.actor == tree["convenors"][1]
    assert tree["groups"][1].name in entry.summary and "Endorse with reservations" in entry.summary
    assert entry.data["signoff"] == signoff.pk and entry.data["version"] == "v1"
