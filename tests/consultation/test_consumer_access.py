"""An open socket stops streaming a paper its viewer may no longer read.

When a paper is restricted (or unpublished) after a viewer connected, its
open sockets ask the rule again and close with the documented code (4403),
the close reason naming the explainer's reason code.
"""

from datetime import date

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from consultation.models import PolicyPaperPage, RestrictionCategory
from tests.support.trees import build_site_tree

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://testserver")


def _restrict(paper_id):
    paper = PolicyPaperPage.objects.get(pk=paper_id)
    paper.restricted = True
    paper.restriction_category = RestrictionCategory.SECURITY
    paper.restriction_reason = "Withdrawn for a security review."
    paper.restriction_review_on = date(2027, 1, 1)
    paper.save_revision().publish()


def _unpublish(paper_id):
    PolicyPaperPage.objects.get(pk=paper_id).unpublish()


async def _open(paper_id):
    communicator = WebsocketCommunicator(application, f"/ws/papers/{paper_id}/", headers=[ORIGIN])
    ok, _ = await communicator.connect(timeout=10)
    assert ok
    snapshot = await communicator.receive_json_from(timeout=10)
    assert snapshot["type"] == "snapshot"
    return communicator


async def _close_message(communicator):
    while True:
        message = await communicator.receive_output(timeout=10)
        if message["type"] == "websocket.close":
            return message


@pytest.mark.parametrize(("change", "reason"), [(_restrict, "restricted"), (_unpublish, "not_found")])
async def test_an_open_socket_closes_when_the_paper_becomes_unreadable(change, reason):
    tree = await database_sync_to_async(build_site_tree)(sections=2, stage="review")
    paper_id = tree["paper"].pk
    watching = [await _open(paper_id), await _open(paper_id)]
    await database_sync_to_async(change)(paper_id)
    for communicator in watching:
        message = await _close_message(communicator)
        assert message["code"] == 4403
        assert message["reason"] == reason
