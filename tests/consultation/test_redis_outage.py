"""Redis goes away mid-test and comes back: the site degrades, it does not fall over.

Redis is the cache (which Wagtail asks to resolve every page URL), the channel
layer and the tally clock. With it stopped, pages render, people sign in, and
comments and reactions are saved; open websockets stay open, and once Redis
is back each server process rejoins its groups and pushes a fresh snapshot,
so the live tallies are right again within seconds.

The Redis here is the test's own, on a spare port, stopped and started again
by the test: never the machine's shared one.
"""

import json
import time

import pytest
import requests
from websockets.sync.client import connect

from consultation.models import Comment, Reaction
from tests.support.contributions import counted, post_data
from tests.support.factories import PASSWORD
from tests.support.people import member_of
from tests.support.processes import RECOVERY_LIMIT, spare_port
from tests.support.trees import reaction_tree

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.slow]

OUTAGE_AT_LEAST = 5  # seconds


class Browser:
    """A requests session that answers CSRF the way a page's form does."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()
        self.session.cookies.set("csrftoken", "a" * 32, domain="127.0.0.1")
        self.statuses = []
        self.seconds = []

    def get(self, path, **kwargs):
        response = self.session.get(self.base + path, timeout=20, allow_redirects=False, **kwargs)
        self.statuses.append((path, response.status_code))
        self.seconds.append(response.elapsed.total_seconds())
        return response

    def post(self, path, data, **kwargs):
        headers = {"X-CSRFToken": self.session.cookies.get("csrftoken"), **kwargs.pop("headers", {})}
        response = self.session.post(
            self.base + path, data=data, headers=headers, timeout=20, allow_redirects=False, **kwargs
        )
        self.statuses.append((path, response.status_code))
        self.seconds.append(response.elapsed.total_seconds())
        return response


def receive_until(ws, predicate, timeout):
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            break
        if predicate(message):
            return message
    return None


def shows(paper, key, expected):
    def check(message):
        return any(tally == expected for tally in message.get("tallies", []) if tally["target"] == key)

    return check


def test_with_redis_stopped_the_site_works_and_live_tallies_recover_when_it_returns(own_redis, outage_server):
    server = outage_server
    tree = reaction_tree(sections=2)
    member = member_of(tree["groups"][0], username="outage-member")
    paper, section = tree["paper"], tree["sections"][0]
    key = f"section:{section.pk}"
    server.wait_until_serving(f"/consultation/papers/{paper.pk}/tallies/")
    ws_url = f"ws://127.0.0.1:{server.port}/ws/papers/{paper.pk}/"

    with connect(ws_url, origin=server.url, open_timeout=20) as before:
        first = json.loads(before.recv(timeout=10))
        assert first["type"] == "snapshot"

        own_redis.stop()
        outage_started = time.monotonic()

        visitor = Browser(server.url)
        for path in [
            "/",
            tree["consultation"].url,
            paper.url,
            f"{tree['consultation'].url}record/",
            "/accounts/login/",
            f"/consultation/papers/{paper.pk}/tallies/",
        ]:
            assert visitor.get(path).status_code == 200, path

        person = Browser(server.url)
        signed_in = person.post("/accounts/login/", {"username": member.username, "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.text[:500]
        assert person.get(paper.url).status_code == 200

        said = "Said during an outage."
        commented = person.post("/consultation/comments/post/", post_data(section, text=said))
        assert commented.status_code in (302, 303), commented.text[:500]
        assert Comment.objects.filter(user=member, comment=said).exists()

        reacted = person.post(
            f"/consultation/reactions/section/{section.pk}/",
            {"choice": "agree"},
            headers={"Accept": "application/json"},
        )
        assert reacted.status_code == 200, reacted.text[:500]
        assert Reaction.objects.filter(user=member, target_id=section.pk, choice="agree").exists()
        expected = counted(paper, "section", section.pk)
        assert reacted.json()["tally"] == expected

        # A page opened during the outage still gets its figures over the socket.
        with connect(ws_url, origin=server.url, open_timeout=20) as during:
            snapshot = json.loads(during.recv(timeout=10))
            assert snapshot["type"] == "snapshot"
            assert shows(paper, key, expected)(snapshot)
        # Long enough for the relay to fail several attempts to rejoin.
        time.sleep(max(0.0, OUTAGE_AT_LEAST - (time.monotonic() - outage_started)))
        outage_seconds = time.monotonic() - outage_started

        errors = [(path, status) for path, status in visitor.statuses + person.statuses if status >= 500]
        assert errors == []

        own_redis.start()
        back = time.monotonic()
        # The socket that was open all along hears the change it missed.
        caught_up = receive_until(before, shows(paper, key, expected), timeout=RECOVERY_LIMIT + 5)
        recovered_in = time.monotonic() - back
        assert caught_up is not None, "the open page never caught up"
        assert recovered_in <= RECOVERY_LIMIT

        # And live updates flow again: a change after the outage arrives as an update.
        again = person.post(
            f"/consultation/reactions/section/{section.pk}/",
            {"choice": "disagree"},
            headers={"Accept": "application/json"},
        )
        assert again.status_code == 200
        update = receive_until(
            before, shows(paper, key, counted(paper, "section", section.pk)), timeout=RECOVERY_LIMIT
        )
        assert update is not None and update["type"] == "tallies"

    server.stop()
    log = server.output()
    assert "Exception in ASGI application" not in log
    assert "Relay for paper" in log  # the outage was noticed, and said so
    requests_made = len(visitor.statuses) + len(person.statuses)
    slowest = max(visitor.seconds + person.seconds)
    print(
        f"\nRedis outage: {requests_made} requests over {outage_seconds:.1f} s, {len(errors)} answered 5xx, "
        f"slowest {slowest:.2f} s; open page right again {recovered_in:.2f} s after Redis returned"
    )


@pytest.mark.asyncio
async def test_a_socket_opened_while_redis_is_down_gets_its_snapshot_and_closes_cleanly(settings):
    """No relay yet, no Redis at all: the viewer is let in with figures from the database."""
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from consultation.reactions import broadcast

    nowhere = f"redis://127.0.0.1:{spare_port()}/0"  # a free port: nothing answers there
    settings.REDIS_URL = nowhere
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [nowhere]}}
    }
    broadcast._clock = None  # built again from these settings
    try:
        tree = await database_sync_to_async(reaction_tree)(sections=1)
        paper = tree["paper"]
        communicator = WebsocketCommunicator(
            application, f"/ws/papers/{paper.pk}/", headers=[(b"origin", b"http://testserver")]
        )
        connected, _ = await communicator.connect(timeout=10)
        assert connected
        snapshot = await communicator.receive_json_from(timeout=10)
        assert snapshot["type"] == "snapshot" and snapshot["paper"] == paper.pk
        assert {tally["target"] for tally in snapshot["tallies"]} <= {f"section:{tree['sections'][0].pk}"}
        await communicator.disconnect()
    finally:
        broadcast._clock = None
