"""The tally in the answer to a reaction POST (`target_tally`) is the one `reaction_tallies`
gives for the same target, whatever the target's kind and the wordings and versions its
reactions were made on."""

import pytest

from consultation.models import PolicyPaperPage, Proposal, Reaction, SectionPage
from consultation.reactions.selectors import reaction_tallies, target_tally
from consultation.versions.services import version_publish
from tests.support.contributions import add_comment, propose, react
from tests.support.factories import UserFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import reaction_tree

pytestmark = pytest.mark.django_db


def _reword(section, *, user, text):
    """Publish new wording for `section`, as an editor does in Wagtail."""
    page = SectionPage.objects.get(pk=section.pk)
    page.body = [("paragraph", f"<p>{text}</p>")]
    page.save_revision(user=user).publish(user=user)


def _legacy(user, section, choice, version_label):
    """A reaction stored before reactions carried their wording's fingerprint."""
    return Reaction.objects.create(
        user=user,
        paper_id=section.paper.pk,
        section_id=section.pk,
        target_kind="section",
        target_id=section.pk,
        choice=choice,
        is_member=False,
        paper_version=version_label,
        text_hash="",
    )


def _tally_of(paper, key, **facts):
    paper = PolicyPaperPage.objects.get(pk=paper.pk)
    if key.startswith("section:"):
        facts.setdefault("wording", SectionPage.objects.get(pk=int(key.split(":")[1])).wording_hash)
    return target_tally(paper_id=paper.pk, target_key=key, version_label=paper.version_label, **facts)


@pytest.fixture
def history():
    """Two versions of a paper: section one reworded in v2 (reactions to both wordings,
    and some from before fingerprints), section two unchanged; a comment and a proposal
    reacted to on both versions; groups and the public."""
    tree = reaction_tree(sections=2, groups=2)
    editor = editor_of(tree["consultation"])
    paper, (reworded, kept) = tree["paper"], tree["sections"]
    first = [member_of(tree["groups"][0]) for _ in range(3)]
    second = [member_of(tree["groups"][1]) for _ in range(2)]
    version_publish(paper=paper, actor=editor, change_note="First.")
    react(first[:2], reworded, "agree")
    react(second[:1], reworded, "disagree")
    react(first, kept, "neutral")
    comment = add_comment(second[1], reworded, text="Clearer, please.")
    react(first[:2], comment, "agree")
    proposal = propose(first[2], SectionPage.objects.get(pk=kept.pk))
    react(second, proposal, "disagree")
    _legacy(UserFactory(), reworded, "neutral", "v1")
    _legacy(UserFactory(), reworded, "agree", "a version never published")

    _reword(reworded, user=editor, text="Reworded for v2.")
    version_publish(paper=paper, actor=editor, change_note="Second: section one reworded.")
    react(first[:1], SectionPage.objects.get(pk=reworded.pk), "disagree")
    react(second[:1], SectionPage.objects.get(pk=kept.pk), "agree")
    react(first[2:], comment, "disagree")
    react(first[:1], Proposal.objects.get(pk=proposal.pk), "agree")  # read anew: on v2
    _legacy(UserFactory(), reworded, "agree", "v2")
    return {
        "paper": paper,
        "author": second[1],
        "keys": [
            f"section:{reworded.pk}",
            f"section:{kept.pk}",
            f"comment:{comment.pk}",
            f"proposal:{proposal.pk}",
        ],
    }


def test_each_targets_tally_is_the_one_reaction_tallies_gives(history):
    paper = history["paper"]
    for key in history["keys"]:
        assert _tally_of(paper, key) == reaction_tallies(paper_id=paper.pk, targets=[key])[key], key
    reworded = _tally_of(paper, history["keys"][0])
    # The scenario reaches every branch: the previous wording, legacy rows, the public and groups.
    assert reworded["previous"]["label"] == "v1"
    assert reworded["previous"]["counts"] == {"agree": 2, "disagree": 1, "neutral": 1}
    assert reworded["counts"] == {"agree": 1, "disagree": 1, "neutral": 0}
    assert reworded["public"]["agree"] == 1 and reworded["members"]["disagree"] == 1
    # A proposal counts the reactions made on the current version only.
    assert _tally_of(paper, history["keys"][3])["counts"] == {"agree": 1, "disagree": 0, "neutral": 0}


def test_a_target_without_reactions_has_the_zero_tally(history):
    paper = history["paper"]
    section = SectionPage.objects.get(pk=int(history["keys"][1].split(":")[1]))
    key = f"comment:{add_comment(history['author'], section, text='Unread so far.').pk}"
    assert _tally_of(paper, key) == reaction_tallies(paper_id=paper.pk, targets=[key])[key]
    assert _tally_of(paper, key)["total"] == 0


def test_a_tally_on_the_wording_shown_is_one_query_and_an_earlier_wording_one_more(
    history, django_assert_num_queries
):
    paper = PolicyPaperPage.objects.get(pk=history["paper"].pk)
    reworded, kept = (SectionPage.objects.get(pk=int(key.split(":")[1])) for key in history["keys"][:2])
    facts = {"paper_id": paper.pk, "version_label": paper.version_label}
    with django_assert_num_queries(1):
        target_tally(target_key=history["keys"][1], wording=kept.wording_hash, **facts)
    with django_assert_num_queries(1):
        target_tally(target_key=history["keys"][2], **facts)
    with django_assert_num_queries(2):  # and the section's wordings, for the reactions to v1's
        target_tally(target_key=history["keys"][0], wording=reworded.wording_hash, **facts)
