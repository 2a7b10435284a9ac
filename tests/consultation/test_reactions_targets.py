"""A reaction POST remembers the section it names, with its paper and consultation, while
the page cache's `site` generation stands (consultation/reactions/services.py): the next
reaction to that section, or to a comment or proposal on it, reads neither again, and any change to the
pages is seen at once."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultation.models import Comment, PolicyPaperPage, Proposal, Reaction, SectionPage
from consultation.proposals.services import proposal_withdraw
from consultation.reactions import services
from consultation.stages.services import consultation_move_stage
from core import page_cache
from tests.support.contributions import make_comment, propose
from tests.support.factories import PolicyPaperPageFactory
from tests.support.people import member_of
from tests.support.trees import reaction_tree, restrict

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fresh_cache"),
    pytest.mark.usefixtures("forgotten_targets"),
]


@pytest.fixture
def forgotten_targets():
    services._section_targets.clear()
    with override_settings(REACTION_TARGETS_REMEMBERED=True):
        yield
    services._section_targets.clear()


@pytest.fixture
def tree():
    return reaction_tree(sections=2)


@pytest.fixture
def signed_in(client, tree):
    client.force_login(member_of(tree["groups"][0]))
    return client


def react(client, section, choice="agree"):
    return client.post(
        f"/consultation/reactions/section/{section.pk}/", {"choice": choice}, HTTP_ACCEPT="application/json"
    )


# Sessions come from the cache when there is a shared one (Redis): a query fewer.
SESSION_QUERY = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


def page_queries(captured):
    return [q["sql"] for q in captured if "wagtailcore_page" in q["sql"]]


def test_a_second_reaction_to_a_section_reads_no_page(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = react(signed_in, section, "disagree")
    assert response.status_code == 200
    assert response.json()["tally"]["counts"]["disagree"] == 1
    assert page_queries(captured.captured_queries) == []


def test_a_remembered_section_is_read_again_after_its_minute_even_if_no_bump_arrived(
    signed_in, tree, monkeypatch
):
    # A bump lost to a Redis outage must not keep a section's old state for good.
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    monkeypatch.setattr(services, "_SECTION_TARGET_SECONDS", 0)  # every stored target is past its age
    with CaptureQueriesContext(connection) as captured:
        assert react(signed_in, section, "disagree").status_code == 200
    assert page_queries(captured.captured_queries)


def test_an_unpublished_section_refuses_reactions_at_once(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    section.unpublish()
    assert react(signed_in, section, "disagree").status_code == 404


def test_a_restricted_section_refuses_reactions_at_once(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    restrict(section)
    response = react(signed_in, section, "disagree")
    assert response.status_code == 403
    assert "restricted" in response.json()["error"]


def test_a_stage_change_is_obeyed_by_the_next_reaction(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    consultation_move_stage(
        consultation=tree["consultation"], to_stage="drafting", actor=None, reason="The text needs work."
    )
    response = react(signed_in, section, "disagree")
    assert response.status_code == 403
    assert "Drafting" in response.json()["error"]


def test_a_reworded_section_takes_reactions_on_its_new_wording(signed_in, tree):
    section = tree["sections"][0]
    assert react(signed_in, section).status_code == 200
    before = services._section_targets[section.pk][1].wording
    section.body = [("paragraph", "<p>Entirely new words.</p>")]
    section.save_revision().publish()
    assert react(signed_in, section, "disagree").status_code == 200
    assert services._section_targets[section.pk][1].wording not in ("", before)


def test_the_plain_form_answers_from_a_remembered_section_as_before(signed_in, tree):
    section = tree["sections"][1]
    assert react(signed_in, section).status_code == 200  # remembered now
    response = signed_in.post(f"/consultation/reactions/section/{section.pk}/", {"choice": "disagree"})
    assert response.status_code == 303
    assert response["Location"].endswith(f"#{section.anchor}")
    assert "Your reaction to section" in signed_in.get(response["Location"]).content.decode()


# A reaction to a comment borrows its section's remembered target (services.live_comment_target);
# the comment's own row is read on every POST.


@pytest.fixture
def comment(tree):
    return make_comment(paper=tree["paper"], section=tree["sections"][0], author=member_of(tree["groups"][1]))


def react_to_comment(client, comment, choice="agree"):
    return client.post(
        f"/consultation/reactions/comment/{comment.pk}/", {"choice": choice}, HTTP_ACCEPT="application/json"
    )


def test_a_reaction_to_a_comment_on_a_remembered_section_reads_no_page(signed_in, tree, comment):
    assert react(signed_in, tree["sections"][0]).status_code == 200  # the section is remembered
    with CaptureQueriesContext(connection) as captured:
        response = react_to_comment(signed_in, comment)
    assert response.status_code == 200
    assert response.json()["tally"]["counts"] == {"agree": 1, "disagree": 0}
    assert page_queries(captured.captured_queries) == []
    # The comment's row, the person, their memberships, the upsert, the tally: a section's four and one.
    assert len(captured.captured_queries) <= 5 + SESSION_QUERY
    reaction = Reaction.objects.get(target_kind="comment")
    assert (reaction.paper_id, reaction.section_id) == (tree["paper"].pk, tree["sections"][0].pk)


def test_a_comment_whose_paper_is_unpublished_refuses_reactions_at_once(signed_in, tree, comment):
    assert react_to_comment(signed_in, comment).status_code == 200
    # Unpublishing a paper now takes its sections with it (consultation/pages/services.py); a
    # bulk update, which sends no signal (or rows from before that rule), leaves a section live
    # under an unpublished paper, and the comment's own paper still refuses.
    PolicyPaperPage.objects.filter(pk=tree["paper"].pk).update(live=False)
    page_cache.bump("site")  # as a bulk write must (docs/architecture.md)
    assert SectionPage.objects.get(pk=tree["sections"][0].pk).live
    assert react_to_comment(signed_in, comment, "disagree").status_code == 404
    assert Reaction.objects.get(target_kind="comment").choice == "agree"


def test_a_comment_whose_section_is_unpublished_is_judged_from_its_own_rows(signed_in, tree, comment):
    assert react_to_comment(signed_in, comment).status_code == 200
    tree["sections"][0].unpublish()
    response = react_to_comment(signed_in, comment, "disagree")
    assert response.status_code == 403
    assert "published" in response.json()["error"]
    assert Reaction.objects.get(target_kind="comment").choice == "agree"


def test_a_comment_on_a_restricted_section_refuses_reactions_at_once(signed_in, tree, comment):
    assert react_to_comment(signed_in, comment).status_code == 200
    restrict(tree["sections"][0])
    response = react_to_comment(signed_in, comment, "disagree")
    assert response.status_code == 403
    assert "restricted" in response.json()["error"]


def test_a_hidden_or_moved_comment_is_seen_by_the_next_reaction(signed_in, tree, comment):
    for section in tree["sections"]:  # both sections remembered
        assert react(signed_in, section).status_code == 200
    # A bulk update sends no signal and bumps nothing: the comment's row is read afresh.
    Comment.objects.filter(pk=comment.pk).update(section=tree["sections"][1])
    assert react_to_comment(signed_in, comment).status_code == 200
    assert Reaction.objects.get(target_kind="comment").section_id == tree["sections"][1].pk
    Comment.objects.filter(pk=comment.pk).update(hidden_at=timezone.now())
    response = react_to_comment(signed_in, comment, "disagree")
    assert response.status_code == 403
    assert "hidden" in response.json()["error"]
    assert Reaction.objects.get(target_kind="comment").choice == "agree"


def test_a_comment_is_judged_by_its_own_paper_when_its_section_is_on_another(signed_in, tree, comment):
    assert react(signed_in, tree["sections"][0]).status_code == 200  # the section is remembered
    elsewhere = PolicyPaperPageFactory(parent=tree["consultation"])
    elsewhere.unpublish()
    Comment.objects.filter(pk=comment.pk).update(paper=elsewhere)
    assert react_to_comment(signed_in, comment).status_code == 404
    assert not Reaction.objects.filter(target_kind="comment").exists()


def test_a_comment_on_the_paper_itself_takes_reactions_with_targets_remembered(signed_in, tree):
    on_paper = make_comment(paper=tree["paper"], author=member_of(tree["groups"][1]))
    for choice in ("agree", "disagree"):
        response = react_to_comment(signed_in, on_paper, choice)
        assert response.status_code == 200
        assert response.json()["tally"]["counts"][choice] == 1
    reaction = Reaction.objects.get(target_kind="comment")
    assert (reaction.paper_id, reaction.section_id, reaction.choice) == (tree["paper"].pk, None, "disagree")


# A proposal's the same way (services.live_proposal_target).


def react_to_proposal(client, proposal, choice="agree"):
    return client.post(
        f"/consultation/reactions/proposal/{proposal.pk}/", {"choice": choice}, HTTP_ACCEPT="application/json"
    )


def test_a_reaction_to_a_proposal_on_a_remembered_section_reads_no_page(signed_in, tree):
    proposal = propose(member_of(tree["groups"][1]), tree["sections"][0])
    assert react(signed_in, tree["sections"][0]).status_code == 200  # the section is remembered
    with CaptureQueriesContext(connection) as captured:
        response = react_to_proposal(signed_in, proposal, "neutral")
    assert response.status_code == 200
    assert response.json()["tally"]["counts"] == {"agree": 0, "disagree": 0, "neutral": 1}
    assert page_queries(captured.captured_queries) == []
    assert len(captured.captured_queries) <= 5 + SESSION_QUERY
    reaction = Reaction.objects.get(target_kind="proposal")
    assert (reaction.paper_id, reaction.section_id) == (tree["paper"].pk, tree["sections"][0].pk)


def test_a_proposal_is_judged_by_its_own_paper_when_its_section_is_on_another(signed_in, tree):
    proposal = propose(member_of(tree["groups"][1]), tree["sections"][0])
    assert react(signed_in, tree["sections"][0]).status_code == 200  # the section is remembered
    elsewhere = PolicyPaperPageFactory(parent=tree["consultation"])
    restrict(elsewhere)
    Proposal.objects.filter(pk=proposal.pk).update(paper=elsewhere)
    response = react_to_proposal(signed_in, proposal)
    assert response.status_code == 403
    assert "restricted" in response.json()["error"]
    assert not Reaction.objects.filter(target_kind="proposal").exists()


def test_a_proposal_refuses_reactions_at_once_when_withdrawn_or_its_section_unpublished(signed_in, tree):
    author = member_of(tree["groups"][1])
    first, second = (propose(author, section) for section in tree["sections"])
    for proposal in (first, second):
        assert react_to_proposal(signed_in, proposal).status_code == 200
    proposal_withdraw(proposal=first, user=author)
    refused = react_to_proposal(signed_in, first, "disagree")
    assert refused.status_code == 403
    assert "withdrawn" in refused.json()["error"]
    tree["sections"][1].unpublish()
    assert react_to_proposal(signed_in, second, "disagree").status_code == 404
    assert set(Reaction.objects.filter(target_kind="proposal").values_list("choice", flat=True)) == {"agree"}
