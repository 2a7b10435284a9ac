"""The snapshot a paper's relay shares with the viewers who connect together.

A thousand viewers arriving at once cost one snapshot read; but the shared
text is never older than a message a viewer could have missed, and nobody gets
it without asking the rule (consultation.view_tallies) for themselves.

Runs on whichever channel layer the settings give (in-memory, or Redis with REDIS_URL)."""

import asyncio
import json
from datetime import date

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from consultation.models import PolicyPaperPage, RestrictionCategory
from consultation.reactions import broadcast, consumers
from consultation.reactions.services import reaction_set
from tests.support.people import member_of
from tests.support.trees import reaction_tree

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def tree():
    tree = reaction_tree(sections=2)
    tree["member"] = member_of(tree["groups"][0])
    return tree


def socket(paper_id):
    return WebsocketCommunicator(application, f"/ws/papers/{paper_id}/", headers=[ORIGIN])


async def connected(paper_id):
    communicator = socket(paper_id)
    ok, _ = await communicator.connect(timeout=10)
    assert ok
    return communicator, await communicator.receive_json_from(timeout=10)


@database_sync_to_async
def react(tree, choice):
    user = type(tree["member"]).objects.get(pk=tree["member"].pk)
    section = type(tree["sections"][0]).objects.get(pk=tree["sections"][0].pk)
    reaction_set(user=user, target=section, choice=choice)


def agree(snapshot, section):
    return {t["target"]: t for t in snapshot["tallies"]}[f"section:{section.pk}"]["counts"]["agree"]


@pytest.fixture
def reads(monkeypatch):
    """Counts the relay's snapshot reads (the real read, only counted)."""
    calls = []
    real = consumers._snapshot_text

    def counting(paper_id):
        calls.append(paper_id)
        return real(paper_id)

    monkeypatch.setattr(consumers, "_snapshot_text", counting)
    return calls


async def test_viewers_connecting_together_share_one_snapshot_read(tree, reads):
    paper_id = tree["paper"].pk
    viewers = await asyncio.gather(*(connected(paper_id) for _ in range(12)))
    assert len(reads) == 1
    snapshots = [snapshot for _, snapshot in viewers]
    assert all(snapshot == snapshots[0] for snapshot in snapshots)
    for communicator, _ in viewers:
        await communicator.disconnect()


async def test_a_message_reaching_the_relay_retires_the_shared_snapshot(tree, reads):
    paper_id, section = tree["paper"].pk, tree["sections"][0]
    first, before = await connected(paper_id)
    assert agree(before, section) == 0
    await react(tree, "agree")
    update = await first.receive_json_from(timeout=5)
    assert update["type"] == "tallies"

    second, after = await connected(paper_id)
    assert len(reads) == 2  # read again, not the text shared before the update
    assert agree(after, section) == 1
    assert after["version"] >= update["version"]
    await broadcast.coalescer().idle()
    for communicator in (first, second):
        await communicator.disconnect()


async def test_a_read_begun_before_a_message_is_not_shared_with_a_viewer_who_joins_after_it(
    tree, monkeypatch
):
    """The race the generations close: a snapshot read before an update, finishing
    after it, would hand a later viewer tallies older than an update it never gets."""
    paper_id, section = tree["paper"].pk, tree["sections"][0]
    first, _ = await connected(paper_id)
    relay = consumers.relays()[paper_id]

    # The early read reads the database at once but is handed back only when the
    # gate opens; later reads are not held.
    gate, held = asyncio.Event(), []
    real = consumers.database_sync_to_async

    def held_back(func):
        read = real(func)

        async def call(*args):
            result = await read(*args)
            if not held:
                held.append(True)
                await gate.wait()
            return result

        return call

    monkeypatch.setattr(consumers, "database_sync_to_async", held_back)
    relay._forget_snapshot()
    early = asyncio.ensure_future(relay.snapshot_text())
    while not held:
        await asyncio.sleep(0.05)

    await react(tree, "agree")
    await first.receive_json_from(timeout=5)  # the update has passed the relay
    late = await asyncio.wait_for(relay.snapshot_text(), 10)
    gate.set()
    early = await early

    assert agree(json.loads(early), section) == 0
    assert agree(json.loads(late), section) == 1
    assert relay.snapshot == late  # the early read, finishing last, was not kept
    await broadcast.coalescer().idle()
    await first.disconnect()


async def test_a_shared_snapshot_is_never_handed_out_without_the_rule(tree):
    """Restricted behind the relay's back (no announcement reaches it): the relay
    still holds the text, and the next member of the public is refused all the same."""
    paper_id = tree["paper"].pk
    first, _ = await connected(paper_id)
    assert consumers.relays()[paper_id].snapshot is not None

    await database_sync_to_async(
        lambda: PolicyPaperPage.objects.filter(pk=paper_id).update(
            restricted=True,
            restriction_category=RestrictionCategory.SECURITY,
            restriction_reason="Withdrawn for a security review.",
            restriction_review_on=date(2027, 1, 1),
        )
    )()
    ok, code = await socket(paper_id).connect(timeout=10)
    assert (ok, code) == (False, 4403)
    await first.disconnect()


async def test_viewers_checked_together_each_get_their_own_verdict_from_their_session(
    tree, reads, monkeypatch
):
    """On a restricted paper, an editor (named by their session cookie) and members of
    the public connecting at the same moment share one check of the paper; the editor
    is let in, the rest refused, and the refused never cause a snapshot read."""
    from django.test import Client

    from tests.support.people import editor_of
    from tests.support.trees import restrict

    paper_id = tree["paper"].pk

    @database_sync_to_async
    def editor_cookie():
        restrict(tree["paper"])
        client = Client()
        client.force_login(editor_of(tree["paper"]))
        return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())

    cookie = await editor_cookie()
    batches = []
    real = consumers._check_batch

    def counting(paper_id, scopes):
        batches.append(len(scopes))
        return real(paper_id, scopes)

    monkeypatch.setattr(consumers, "_check_batch", counting)
    editor = WebsocketCommunicator(application, f"/ws/papers/{paper_id}/", headers=[ORIGIN, cookie])
    public = [socket(paper_id) for _ in range(6)]
    results = await asyncio.gather(editor.connect(timeout=10), *(p.connect(timeout=10) for p in public))
    assert results[0] == (True, None)
    assert all(result == (False, 4403) for result in results[1:])
    snapshot = await editor.receive_json_from(timeout=10)
    assert snapshot["type"] == "snapshot"
    assert len(reads) == 1
    # Checked in batches, each viewer once; the one let in once more, after joining
    # the relay (see the next test).
    assert sum(batches) == 8 and len(batches) < 8
    await editor.disconnect()


@pytest.mark.parametrize("relay_before", [False, True], ids=["first viewer", "relay running"])
async def test_a_restriction_between_the_check_and_the_join_still_refuses(tree, monkeypatch, relay_before):
    """The paper is restricted (and the change announced) after a viewer's check has
    said yes but before the viewer is in the relay, so the announcement cannot reach
    it: the viewer is asked again once in, and refused, never sent a snapshot."""
    paper_id = tree["paper"].pk
    watcher = None
    if relay_before:  # an editor keeps the relay running through the restriction
        from django.test import Client

        from tests.support.people import editor_of

        @database_sync_to_async
        def editor_cookie():
            client = Client()
            client.force_login(editor_of(tree["paper"]))
            return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())

        watcher = WebsocketCommunicator(
            application, f"/ws/papers/{paper_id}/", headers=[ORIGIN, await editor_cookie()]
        )
        assert (await watcher.connect(timeout=10))[0]
        await watcher.receive_json_from(timeout=10)

    real, calls = consumers._check_batch, []

    def restricted_right_after(paper_id, scopes):
        results = real(paper_id, scopes)
        calls.append(len(scopes))
        if len(calls) == 1:  # the check said yes; now restrict, as an editor would
            from tests.support.trees import restrict

            with_effects = restrict(PolicyPaperPage.objects.get(pk=paper_id))
            assert with_effects.restricted
            broadcast.paper_access_changed(paper_id=paper_id)
        return results

    monkeypatch.setattr(consumers, "_check_batch", restricted_right_after)
    ok, code = await socket(paper_id).connect(timeout=10)
    assert (ok, code) == (False, 4403)
    assert len(calls) >= 2  # asked again after joining
    if watcher is not None:  # the editor may still read it: rechecked, not closed
        assert await watcher.receive_nothing(timeout=0.5)
        await watcher.disconnect()
