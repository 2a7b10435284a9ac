"""A proposal's author is told when the editors decide on it: once, after the decision commits."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from consultation.proposals.services import proposal_decline, proposal_incorporate
from tests.support.contributions import propose
from tests.support.trees import proposal_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return proposal_tree()


def test_a_refused_decision_sends_nothing(tree, django_capture_on_commit_callbacks):
    proposal = propose(tree["members"][0][0], tree["sections"][0], text="An alternative.")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        proposal_decline(proposal=proposal, editor=tree["editor"], reason="")
    assert mail.outbox == []


def test_the_author_learns_a_proposal_was_not_taken_forward_and_why(tree, django_capture_on_commit_callbacks):
    author = tree["members"][0][0]
    proposal = propose(author, tree["sections"][0], text="An alternative.")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        proposal_decline(proposal=proposal, editor=tree["editor"], reason="It would double the cost.")
        assert mail.outbox == []  # not before the decision is committed
    assert len(callbacks) >= 1
    [message] = mail.outbox
    assert message.to == [author.email]
    assert f"Your proposal {proposal.pk} has been decided" == message.subject
    assert "They did not take it forward." in message.body
    assert "It would double the cost." in message.body
    assert f"http://127.0.0.1:8000/consultation/proposals/{proposal.pk}/" in message.body


def test_the_author_learns_a_proposal_was_accepted(tree, django_capture_on_commit_callbacks):
    author = tree["members"][1][0]
    proposal = propose(author, tree["sections"][0], text="Better wording.")
    with django_capture_on_commit_callbacks(execute=True):
        proposal_incorporate(proposal=proposal, editor=tree["editor"], note="Clearer, thank you.")
    [message] = mail.outbox
    assert message.to == [author.email]
    assert "They accepted it" in message.body
    assert "Clearer, thank you." in message.body
