"""Scale-out: two ASGI server processes share Redis. A reaction made through one
reaches a websocket client connected to the other."""

import json
import os
import secrets

import pytest
import requests
from django.test import Client
from websockets.sync.client import connect

from consultation.models import Reaction
from tests.support.contributions import counted
from tests.support.people import member_of
from tests.support.processes import ROOT_DIR, SITE_DIR, ServerProcess
from tests.support.services import database_url
from tests.support.trees import reaction_tree

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def two_servers(redis_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # The apps live at the repository root, the project package in site/.
        "PYTHONPATH": os.pathsep.join([str(SITE_DIR), str(ROOT_DIR)]),
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        # CHANNELS_PREFIX and PYTEST_XDIST_WORKER come from os.environ: the test
        # settings derive the same per-worker prefix in both servers as in this process.
    }
    servers = [ServerProcess(env), ServerProcess(env)]
    yield servers
    for server in servers:
        server.stop()


def test_a_reaction_made_through_one_process_reaches_a_viewer_on_the_other(two_servers):
    tree = reaction_tree(sections=2)
    member = member_of(tree["groups"][0])
    client = Client()
    client.force_login(member)
    session = client.cookies["sessionid"].value
    paper, section = tree["paper"], tree["sections"][1]
    writer, reader = two_servers
    for server in two_servers:
        server.wait_until_serving(f"/consultation/papers/{paper.pk}/tallies/")

    origin = reader.url
    with connect(f"ws://127.0.0.1:{reader.port}/ws/papers/{paper.pk}/", origin=origin, open_timeout=20) as ws:
        snapshot = json.loads(ws.recv(timeout=10))
        assert snapshot["type"] == "snapshot"

        csrf = secrets.token_hex(16)  # a 32-character secret, as Django's cookie holds
        response = requests.post(
            f"{writer.url}/consultation/reactions/section/{section.pk}/",
            data={"choice": "disagree"},
            headers={"Accept": "application/json", "X-CSRFToken": csrf, "Referer": writer.url + "/"},
            cookies={"sessionid": session, "csrftoken": csrf},
            timeout=20,
        )
        assert response.status_code == 200, response.text
        assert response.json()["choice"] == "disagree"

        update = json.loads(ws.recv(timeout=10))
        assert update["type"] == "tallies"
        assert update["epoch"] == snapshot["epoch"]  # one clock in Redis for every process
        assert update["version"] > snapshot["version"]
        (tally,) = update["tallies"]
        assert tally == counted(paper, "section", section.pk)
        assert tally["counts"]["disagree"] == 1
    assert Reaction.objects.get().user == member
