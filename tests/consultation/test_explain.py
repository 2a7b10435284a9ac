"""The one explainer: a test per reason code, and the same reason on every route.

`explain()` answers from the rule's gates, so each case below checks the code
and that the rule itself refuses; then the reason a person sees on the page,
in a JSON error, in the websocket refusal and in a report export is shown to
come from it.
"""

from datetime import date

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from config.asgi import application
from consultation.comments.services import comment_create
from consultation.explain import REASONS, explain
from consultation.models import (
    ConsultationPage,
    PolicyPaperPage,
    ProposalKind,
    RestrictionCategory,
    SectionPage,
)
from consultation.proposals.services import proposal_create, proposal_withdraw
from consultation.stages.services import consultation_move_stage
from tests.support.factories import UserFactory
from tests.support.people import editor_of, forget, member_of
from tests.support.trees import groups_tree

pytestmark = pytest.mark.django_db

SECTION_RULES = ["consultation.comment_section", "consultation.react_section", "consultation.propose_section"]


@pytest.fixture
def tree():
    tree = groups_tree(stage="review", groups=1, sections=1)
    tree["member"] = member_of(tree["groups"][0])
    tree["editor"] = editor_of(tree["consultation"])
    return tree


def section_of(tree):
    return SectionPage.objects.get(pk=tree["sections"][0].pk)


def paper_of(tree):
    return PolicyPaperPage.objects.get(pk=tree["paper"].pk)


STAGES = ["drafting", "review", "signoff", "scrutiny", "final"]


def move(tree, stage):
    """Through the real service, one stage at a time (the editor overrides sign-off)."""
    consultation = ConsultationPage.objects.get(pk=tree["consultation"].pk)
    here, there = STAGES.index(consultation.current_stage), STAGES.index(stage)
    step = 1 if there > here else -1
    for index in range(here + step, there + step, step):
        consultation_move_stage(
            consultation=ConsultationPage.objects.get(pk=consultation.pk),
            to_stage=STAGES[index],
            actor=tree["editor"],
            reason="Test.",
            override=True,
        )


def restrict(page):
    page.restricted = True
    page.restriction_category = RestrictionCategory.SECURITY
    page.restriction_reason = "Names a site under review."
    page.restriction_review_on = date(2027, 5, 1)
    page.save_revision().publish()


def refused_with(user, rule, obj, code):
    verdict = explain(user, rule, obj)
    assert not user.has_perm(rule, obj), rule
    assert (verdict.allowed, verdict.code) == (False, code), (rule, verdict)
    assert verdict.message
    return verdict


# ---------------------------------------------------------------- one case per reason code


def test_allowed_has_no_reason(tree):
    verdict = explain(tree["member"], "consultation.comment_section", section_of(tree))
    assert verdict.allowed and bool(verdict) and verdict.code == "" and verdict.message == ""


def test_not_published(tree):
    section = section_of(tree)
    section.unpublish()
    section = SectionPage.objects.get(pk=section.pk)
    for rule in SECTION_RULES:
        refused_with(tree["member"], rule, section, "not_published")


def test_restricted(tree):
    section = section_of(tree)
    restrict(section)
    for rule in SECTION_RULES:
        verdict = refused_with(tree["member"], rule, SectionPage.objects.get(pk=section.pk), "restricted")
        assert "restricted" in verdict.message


def test_stage_drafting(tree):
    move(tree, "drafting")
    verdict = refused_with(tree["member"], "consultation.react_section", section_of(tree), "stage_drafting")
    assert "“Drafting” stage" in verdict.message and verdict.message.startswith("Reactions")


def test_stage_final(tree):
    move(tree, "final")
    verdict = refused_with(tree["member"], "consultation.comment_section", section_of(tree), "stage_final")
    assert verdict.message.startswith("Comments are closed") and "“Final” stage" in verdict.message


def test_stage_not_signoff(tree):
    refused_with(tree["convenors"][0], "consultation.sign_off_paper", paper_of(tree), "stage_not_signoff")


def test_sign_in(tree):
    for rule in SECTION_RULES:
        verdict = refused_with(AnonymousUser(), rule, section_of(tree), "sign_in")
        assert verdict.message.startswith("Sign in to ")


def test_members_only(tree):
    verdict = refused_with(UserFactory(), "consultation.propose_section", section_of(tree), "members_only")
    assert "only members of the invited working groups can propose a wording" in verdict.message


def test_verify_email(tree):
    move(tree, "scrutiny")
    verdict = refused_with(
        UserFactory(email_verified=False), "consultation.comment_section", section_of(tree), "verify_email"
    )
    assert verdict.message == "Confirm your email address to comment."


def test_convenors_only(tree):
    move(tree, "signoff")
    refused_with(tree["member"], "consultation.sign_off_paper", paper_of(tree), "convenors_only")


def test_hidden_comment(tree):
    comment = comment_create(author=tree["convenors"][0], target=section_of(tree), text="Seen.")
    comment.hidden_at = timezone.now()
    refused_with(tree["member"], "consultation.react_comment", comment, "hidden_comment")
    refused_with(tree["member"], "consultation.flag_comment", comment, "hidden_comment")


def test_own_comment(tree):
    comment = comment_create(author=tree["member"], target=section_of(tree), text="Mine.")
    verdict = refused_with(tree["member"], "consultation.react_comment", comment, "own_comment")
    assert verdict.message == "You cannot react to your own comment."
    refused_with(tree["member"], "consultation.flag_comment", comment, "own_comment")


def _proposal(tree, author):
    return proposal_create(
        author=author,
        section=section_of(tree),
        kind=ProposalKind.REPLACEMENT,
        text="Words.",
        rationale="Why.",
    )


def test_proposal_closed(tree):
    proposal = _proposal(tree, tree["member"])
    proposal_withdraw(proposal=proposal, user=tree["member"])
    proposal.refresh_from_db()
    verdict = refused_with(tree["convenors"][0], "consultation.comment_proposal", proposal, "proposal_closed")
    assert "so it takes no new comments" in verdict.message
    refused_with(tree["convenors"][0], "consultation.react_proposal", proposal, "proposal_closed")


def test_own_proposal(tree):
    proposal = _proposal(tree, tree["member"])
    verdict = refused_with(tree["member"], "consultation.react_proposal", proposal, "own_proposal")
    assert verdict.message == "You made this proposal, so you do not react to it."


def test_not_author(tree):
    proposal = _proposal(tree, tree["member"])
    refused_with(tree["convenors"][0], "consultation.withdraw_proposal", proposal, "not_author")


def test_not_comment_author(tree):
    comment = comment_create(author=tree["member"], target=section_of(tree), text="Mine.")
    verdict = refused_with(tree["convenors"][0], "consultation.edit_comment", comment, "not_comment_author")
    assert verdict.message == "Only the person who wrote this comment can edit this comment."
    refused_with(tree["convenors"][0], "consultation.withdraw_comment", comment, "not_comment_author")


def test_edit_window_closed(tree, settings):
    settings.COMMENT_EDIT_MINUTES = 15
    comment = comment_create(author=tree["member"], target=section_of(tree), text="Mine.")
    comment.submit_date = timezone.now() - timezone.timedelta(minutes=20)
    verdict = refused_with(tree["member"], "consultation.edit_comment", comment, "edit_window_closed")
    assert verdict.message.startswith("Comments can be edited for 15 minutes after posting")


def test_not_permitted_for_rules_without_gates(tree):
    verdict = refused_with(tree["member"], "consultation.move_stage", tree["consultation"], "not_permitted")
    assert verdict.message == REASONS["not_permitted"].format(verb="do this")


def test_every_reason_code_has_a_case_here():
    tested = {
        "not_published",
        "restricted",
        "stage_drafting",
        "stage_final",
        "stage_not_signoff",
        "sign_in",
        "members_only",
        "verify_email",
        "convenors_only",
        "hidden_comment",
        "own_comment",
        "proposal_closed",
        "own_proposal",
        "not_author",
        "not_comment_author",
        "edit_window_closed",
        "not_permitted",
    }
    assert set(REASONS) == tested


# ---------------------------------------------------------------- the same reason on every route


def test_the_page_shows_the_explainers_reason(client, tree):
    move(tree, "final")
    forget(tree["member"])
    client.force_login(tree["member"])
    expected = explain(tree["member"], "consultation.comment_section", section_of(tree)).message
    assert expected in client.get(section_of(tree).url).content.decode()


def test_a_json_refusal_carries_the_explainers_reason(client, tree):
    stranger = UserFactory()
    client.force_login(stranger)
    section = section_of(tree)
    response = client.post(
        f"/consultation/reactions/section/{section.pk}/",
        {"choice": "agree"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"] == explain(stranger, "consultation.react_section", section).message


@pytest.mark.django_db(transaction=True)
def test_the_websocket_refusal_carries_the_reason_code():
    tree = groups_tree(stage="review", groups=1, sections=1)
    paper = paper_of(tree)
    restrict(paper)

    async def close_message():
        communicator = WebsocketCommunicator(
            application, f"/ws/papers/{paper.pk}/", headers=[(b"origin", b"http://testserver")]
        )
        await communicator.send_input({"type": "websocket.connect"})
        return await communicator.receive_output(5)

    message = async_to_sync(close_message)()
    assert message["type"] == "websocket.close" and message["code"] == 4403
    assert (
        message["reason"] == explain(AnonymousUser(), "consultation.view_tallies", paper).code == "restricted"
    )


def test_a_refused_report_export_says_the_explainers_reason(client, tree):
    paper = paper_of(tree)
    restrict(paper)
    expected = explain(AnonymousUser(), "consultation.view_report", paper).message
    for kind in ("csv", "json", "pdf"):
        response = client.get(f"{paper.url}report.{kind}")
        assert response.status_code == 403
        assert response.content.decode().startswith(expected)
    page = client.get(f"{paper.url}report/")
    assert page.status_code == 403 and expected in page.content.decode()
