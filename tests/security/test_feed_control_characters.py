"""A character XML cannot carry, in a name or a reason, does not break the record's feed.

Django's feed writer raises on C0 control characters, and the record is
append-only: before the fix one such character (a group named with a
vertical tab, a moderation reason pasted with a form feed) made the feed a
500 for good. The feed shows U+FFFD in its place; the JSON keeps the exact text.
"""

import json
import xml.etree.ElementTree as ET

import pytest

from consultation.record.feeds import xml_text
from consultation.record.services import record_event
from tests.support.factories import UserFactory
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db

HOSTILE = "Reason:\x0bvertical tab,\x0cform feed,\x1bescape,\x00null\ufffe and <b>markup</b>"


def test_xml_text_replaces_only_what_xml_cannot_carry():
    assert xml_text("tab\tnewline\ncr\r ok «é» \u202e") == "tab\tnewline\ncr\r ok «é» \u202e"
    replaced = "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg\ufffd"
    assert xml_text("a\x00b\x08c\x0bd\x0ce\x1ff\ufffeg\uffff") == replaced


def test_the_feed_survives_control_characters_and_the_json_keeps_them(client):
    tree = build_site_tree(sections=1)
    consultation = tree["consultation"]
    actor = UserFactory(display_name="Name\x07with a bell")
    summary = HOSTILE.replace("\x00", "")  # PostgreSQL text cannot hold NUL at all
    record_event(consultation=consultation, kind="moderation", actor=actor, summary=summary)

    feed = client.get(consultation.url + "record/feed/")
    assert feed.status_code == 200
    root = ET.fromstring(feed.content)  # noqa: S314 - our own output; raises unless well-formed
    text = "".join(root.itertext())
    assert "vertical tab" in text and "\ufffdform feed" in text and "\x0c" not in text

    entries = json.loads(client.get(consultation.url + "record/json/").content)["entries"]
    assert entries[-1]["summary"] == summary
    assert entries[-1]["actor_name"] == "Name\x07with a bell"
