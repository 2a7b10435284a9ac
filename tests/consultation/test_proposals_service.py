"""Proposals: making, withdrawing, incorporating as a draft, declining — the services."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import Revision

from consultation.models import Proposal, RecordEntry, SectionPage
from consultation.proposals.services import (
    proposal_create,
    proposal_decline,
    proposal_incorporate,
    proposal_withdraw,
)
from consultation.versions.services import version_publish
from tests.support.contributions import propose, react
from tests.support.factories import ConsultationPageFactory, UserFactory, WorkingGroupFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import CURRENT_WORDING, fresh, proposal_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return proposal_tree()


def body_html(page):
    return "".join(str(block.render()) for block in page.body)


# ---------------------------------------------------------------- making


def test_a_proposal_keeps_who_made_it_and_what_it_answered(tree):
    author = tree["members"][0][0]
    section = tree["sections"][0]

    proposal = propose(
        author, section, text="Councils may share data\n\nwhen people agree.", rationale="Consent."
    )

    proposal.refresh_from_db()
    assert proposal.state == "open"
    assert proposal.paper_id == tree["paper"].pk and proposal.section_id == section.pk
    assert proposal.author_name == author.display_name
    assert proposal.working_group == tree["groups"][0]
    assert proposal.working_group_name == "Civil society"
    assert proposal.organisation_name == "Civil society organisation"
    assert proposal.version_label == "v1" and proposal.stage == "review"
    assert proposal.base_text == CURRENT_WORDING
    assert proposal.text == "Councils may share data\n\nwhen people agree."

    entry = RecordEntry.objects.get(kind="proposal_made")
    assert entry.data["proposal"] == proposal.pk and entry.data["section"] == section.pk
    assert author.display_name in entry.public_summary and "Civil society" in entry.public_summary
    # The record names the section, never the proposed words (they may be withheld later).
    assert "Councils may share" not in entry.summary


@pytest.mark.parametrize(
    "who", ["anonymous", "observer", "member of an uninvited group", "verified public", "editor"]
)
def test_people_outside_the_invited_groups_cannot_propose_during_review(tree, who):
    group = tree["groups"][0]
    person = {
        "anonymous": lambda: AnonymousUser(),
        "observer": lambda: member_of(group, role="observer"),
        "member of an uninvited group": lambda: member_of(WorkingGroupFactory(name="Uninvited")),
        "verified public": lambda: UserFactory(),
        "editor": lambda: tree["editor"],
    }[who]()

    with pytest.raises(PermissionDenied):
        propose(person, tree["sections"][0])
    assert not Proposal.objects.exists()
    assert not RecordEntry.objects.filter(kind="proposal_made").exists()


@pytest.mark.parametrize(
    ("kind", "text", "rationale", "field", "message"),
    [
        ("replacement", "   \n ", "Reasons.", "text", "Write the wording"),
        ("replacement", CURRENT_WORDING, "Reasons.", "text", "same as the current text"),
        (
            "replacement",
            "  " + CURRENT_WORDING.replace(" ", "  ") + "\n",
            "Reasons.",
            "text",
            "same as the current text",
        ),
        ("replacement", "x" * 10_001, "Reasons.", "text", "The limit is 10,000"),
        ("addition", "A new paragraph.", "  ", "rationale", "Say why"),
        ("addition", "A new paragraph.", "y" * 3_001, "rationale", "The limit is 3,000"),
        ("sideways", "A new paragraph.", "Reasons.", "kind", "Choose whether"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_saved(tree, kind, text, rationale, field, message):
    with pytest.raises(ValidationError) as refused:
        proposal_create(
            author=tree["members"][0][0],
            section=tree["sections"][0],
            kind=kind,
            text=text,
            rationale=rationale,
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not Proposal.objects.exists()
    assert not RecordEntry.objects.filter(kind="proposal_made").exists()


def test_proposing_the_same_thing_twice_gives_the_first_proposal(tree):
    author = tree["members"][0][0]
    first = propose(author, tree["sections"][0], text="Same words.")
    again = propose(author, tree["sections"][0], text="Same words.\n")
    assert again.pk == first.pk
    assert Proposal.objects.count() == 1
    assert RecordEntry.objects.filter(kind="proposal_made").count() == 1


# ---------------------------------------------------------------- withdrawing


def test_the_author_withdraws_and_the_proposal_stays_in_the_record_marked_withdrawn(tree):
    author = tree["members"][0][0]
    proposal = propose(author, tree["sections"][0])
    react(tree["members"][1][:2], proposal, "agree")

    proposal_withdraw(proposal=proposal, user=author)

    proposal.refresh_from_db()
    assert proposal.state == "withdrawn"
    assert proposal.decided_at is not None
    assert proposal.closing_tally["counts"] == {"agree": 2, "disagree": 0, "neutral": 0}
    entry = RecordEntry.objects.get(kind="proposal_withdrawn")
    assert entry.data["proposal"] == proposal.pk
    assert entry.data["tally"]["counts"]["agree"] == 2
    assert Proposal.objects.filter(pk=proposal.pk).exists()

    # A withdrawn proposal takes no more reactions, and cannot be withdrawn again.
    with pytest.raises(PermissionDenied):
        react(tree["members"][2][:1], proposal, "agree")
    with pytest.raises(PermissionDenied):
        proposal_withdraw(proposal=proposal, user=author)


@pytest.mark.parametrize("who", ["another member of the same group", "editor", "anonymous"])
def test_only_the_author_can_withdraw(tree, who):
    proposal = propose(tree["members"][0][0], tree["sections"][0])
    person = {
        "another member of the same group": tree["members"][0][1],
        "editor": tree["editor"],
        "anonymous": AnonymousUser(),
    }[who]
    with pytest.raises(PermissionDenied):
        proposal_withdraw(proposal=proposal, user=person)
    assert fresh(proposal).state == "open"
    assert not RecordEntry.objects.filter(kind="proposal_withdrawn").exists()


# ---------------------------------------------------------------- incorporating


def test_incorporating_a_replacement_makes_a_draft_revision_and_leaves_the_live_page_alone(tree):
    section, editor = tree["sections"][0], tree["editor"]
    proposal = propose(
        tree["members"][0][0], section, text="Councils may share data\nwith consent.\n\nA second paragraph."
    )
    react(tree["members"][1][:3], proposal, "agree")
    revisions_before = Revision.objects.filter(object_id=str(section.pk)).count()

    revision = proposal_incorporate(proposal=proposal, editor=editor, note="We will check the legal basis.")

    assert Revision.objects.filter(object_id=str(section.pk)).count() == revisions_before + 1
    assert revision.user == editor
    live = SectionPage.objects.get(pk=section.pk)
    assert CURRENT_WORDING in body_html(live)
    assert "second paragraph" not in body_html(live)
    assert live.has_unpublished_changes
    assert live.live_revision_id != revision.pk
    draft = revision.as_object()
    assert [block.block_type for block in draft.body] == ["paragraph", "paragraph"]
    assert str(draft.body[0].value) == "<p>Councils may share data<br/>with consent.</p>"
    assert str(draft.body[1].value) == "<p>A second paragraph.</p>"

    proposal.refresh_from_db()
    assert proposal.state == "accepted" and proposal.revision == revision
    assert proposal.decision_reason == "We will check the legal basis."
    assert proposal.closing_tally["counts"]["agree"] == 3
    entry = RecordEntry.objects.get(kind="proposal_accepted")
    assert entry.data["revision"] == revision.pk and "awaits review" in entry.summary


def test_incorporating_an_added_paragraph_appends_it_to_the_latest_draft(tree):
    section, editor = tree["sections"][0], tree["editor"]
    # An unpublished edit is waiting already: the proposal is added on top of it, not over it.
    draft = section.get_latest_revision_as_object()
    draft.title = "Sharing duties (draft title)"
    draft.save_revision(user=editor)
    proposal = propose(
        tree["members"][0][0], section, kind="addition", text="Councils publish what they share."
    )

    revision = proposal_incorporate(proposal=proposal, editor=editor)

    drafted = revision.as_object()
    assert drafted.title == "Sharing duties (draft title)"
    assert [str(block.value) for block in drafted.body] == [
        f"<p>{CURRENT_WORDING}</p>",
        "<p>Councils publish what they share.</p>",
    ]
    assert SectionPage.objects.get(pk=section.pk).title != "Sharing duties (draft title)"


def test_proposed_text_goes_into_the_draft_as_text_never_as_markup(tree):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)> & <b>bold</b>'
    proposal = propose(tree["members"][0][0], tree["sections"][0], text=payload)

    revision = proposal_incorporate(proposal=proposal, editor=tree["editor"])

    html = "".join(str(block.render()) for block in revision.as_object().body)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html


@pytest.mark.parametrize(
    "who", ["member", "author", "editor of another consultation", "moderator-like staff"]
)
def test_only_editors_who_may_publish_the_section_decide(tree, who):
    proposal = propose(tree["members"][0][0], tree["sections"][0])
    person = {
        "member": tree["members"][1][0],
        "author": tree["members"][0][0],
        "editor of another consultation": editor_of(
            ConsultationPageFactory(parent=tree["index"]), username="elsewhere"
        ),
        "moderator-like staff": UserFactory(is_staff=True),
    }[who]
    with pytest.raises(PermissionDenied):
        proposal_incorporate(proposal=proposal, editor=person)
    with pytest.raises(PermissionDenied):
        proposal_decline(proposal=proposal, editor=person, reason="No.")
    assert fresh(proposal).state == "open"
    assert not SectionPage.objects.get(pk=proposal.section_id).has_unpublished_changes


def test_a_stale_proposal_is_refused_before_anything_is_written(tree):
    author, editor = tree["members"][0][0], tree["editor"]
    proposal = propose(author, tree["sections"][0])
    stale = Proposal.objects.get(pk=proposal.pk)
    proposal_withdraw(proposal=proposal, user=author)
    revisions_before = Revision.objects.count()
    entries_before = RecordEntry.objects.count()

    # The editor's copy still says "open"; the locked row says otherwise.
    with pytest.raises(ValidationError):
        proposal_incorporate(proposal=stale, editor=editor)

    assert Revision.objects.count() == revisions_before
    assert RecordEntry.objects.count() == entries_before
    assert fresh(proposal).state == "withdrawn"


# ---------------------------------------------------------------- the next version


def test_acceptance_incorporated_in_v2_once_the_draft_is_published_and_v2_is_out(tree):
    paper, section, editor = tree["paper"], tree["sections"][0], tree["editor"]
    version_publish(paper=paper, actor=editor, change_note="First draft.")
    proposal = propose(tree["members"][0][0], section, text="Councils may share data with consent.")

    revision = proposal_incorporate(proposal=proposal, editor=editor)
    # Until the draft is published, the live page and the proposal wait.
    assert CURRENT_WORDING in body_html(SectionPage.objects.get(pk=section.pk))
    revision.publish(user=editor)
    assert "with consent" in body_html(SectionPage.objects.get(pk=section.pk))
    assert fresh(proposal).state == "accepted"

    v2 = version_publish(paper=fresh(paper), actor=editor, change_note="Consent added.")

    proposal.refresh_from_db()
    assert v2.label == "v2"
    assert proposal.state == "incorporated"
    assert proposal.incorporated_in == v2 and proposal.state_text == "Incorporated in v2"
    entry = RecordEntry.objects.get(kind="proposal_incorporated")
    assert entry.data["version"] == "v2" and "incorporated in v2" in entry.summary
    # The record reads in order: made, accepted, version published, incorporated.
    kinds = list(RecordEntry.objects.order_by("sequence").values_list("kind", flat=True))
    assert (
        kinds.index("proposal_made") < kinds.index("proposal_accepted") < kinds.index("proposal_incorporated")
    )


def test_a_version_published_before_the_draft_leaves_the_proposal_waiting(tree):
    paper, section, editor = tree["paper"], tree["sections"][0], tree["editor"]
    version_publish(paper=paper, actor=editor, change_note="First draft.")
    proposal = propose(tree["members"][0][0], section, text="Councils may share data with consent.")
    revision = proposal_incorporate(proposal=proposal, editor=editor)
    other = tree["sections"][1]
    other_draft = other.get_latest_revision_as_object()
    other_draft.body = [("paragraph", "<p>Another change.</p>")]
    other_draft.save_revision(user=editor).publish(user=editor)

    version_publish(paper=fresh(paper), actor=editor, change_note="Another section changed.")
    assert fresh(proposal).state == "accepted"

    revision.publish(user=editor)
    v3 = version_publish(paper=fresh(paper), actor=editor, change_note="Consent added.")
    assert fresh(proposal).state_text == "Incorporated in v3"
    assert fresh(proposal).incorporated_in == v3


# ---------------------------------------------------------------- not taken forward


def test_not_taken_forward_needs_a_public_reason(tree):
    proposal = propose(tree["members"][0][0], tree["sections"][0])
    with pytest.raises(ValidationError) as refused:
        proposal_decline(proposal=proposal, editor=tree["editor"], reason="   ")
    assert "reason" in refused.value.message_dict
    assert fresh(proposal).state == "open"
    assert not RecordEntry.objects.filter(kind="proposal_not_taken_forward").exists()

    proposal_decline(proposal=proposal, editor=tree["editor"], reason="It conflicts with section 4.")

    proposal.refresh_from_db()
    assert proposal.state == "not_taken_forward"
    assert proposal.decision_reason == "It conflicts with section 4."
    entry = RecordEntry.objects.get(kind="proposal_not_taken_forward")
    assert entry.summary.endswith("Reason: It conflicts with section 4.")
    with pytest.raises(PermissionDenied):
        proposal_decline(proposal=proposal, editor=tree["editor"], reason="Again.")


def test_an_accepted_proposal_can_still_be_declined_but_an_incorporated_one_cannot(tree):
    paper, section, editor = tree["paper"], tree["sections"][0], tree["editor"]
    first = propose(tree["members"][0][0], section, text="First alternative.")
    second = propose(tree["members"][1][0], section, text="Second alternative.")
    proposal_incorporate(proposal=first, editor=editor)
    proposal_decline(proposal=first, editor=editor, reason="On review the draft did not work.")
    assert fresh(first).state == "not_taken_forward"

    revision = proposal_incorporate(proposal=second, editor=editor)
    revision.publish(user=editor)
    version_publish(paper=paper, actor=editor, change_note="Second alternative taken.")
    with pytest.raises(PermissionDenied):
        proposal_decline(proposal=fresh(second), editor=editor, reason="Too late.")
    assert fresh(second).state == "incorporated"
