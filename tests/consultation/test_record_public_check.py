"""One consultation's record checks from its published JSON alone, with docs/verify_record.py.

The script runs as a third party would run it: a separate Python in isolated
mode (no project on the path), reading the JSON the real view served, from a
file or a URL.
"""

import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from consultation.models import RecordEntry
from consultation.record.services import record_event
from tests.support.factories import ConsultationPageFactory, UserFactory
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_record.py"
ATOM = "{http://www.w3.org/2005/Atom}"
RECORD_NS = "{urn:x-open-policy:record}"


@pytest.fixture
def consultations():
    """Two consultations whose events interleave in the whole record, and one event of neither."""
    tree = build_site_tree(sections=1)
    a, b = tree["consultation"], ConsultationPageFactory(parent=tree["index"])
    actor = UserFactory(display_name="Zoë Ångström")
    data = {"when": tree["paper"].first_published_at, "share": 0.1 + 0.2, "tags": ["ä", "→"], "n": 7}
    for n, consultation in enumerate([a, b, a, None, a, b, a], start=1):
        record_event(
            consultation=consultation,
            kind="moderation",
            actor=actor,
            summary=f"Event {n}: “quoted”.",
            data=data,
        )
    return a, b


def published(client, consultation):
    response = client.get(f"{consultation.url}record/json/")
    assert response.status_code == 200
    return response.json()


def run_script(tmp_path, document, *args, raw=None):
    path = tmp_path / "record.json"
    path.write_bytes(raw if raw is not None else json.dumps(document).encode())
    return subprocess.run(  # noqa: S603  (our own script, in a test)
        [sys.executable, "-I", str(SCRIPT), str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def rehash(document):
    """What a forger does to a downloaded copy: recompute every hash and the head."""
    previous = "0" * 64
    for entry in document["entries"]:
        covered = {k: entry[k] for k in _ENTRY}
        entry["entry_hash"] = _sha(covered)
        entry["consultation_previous_hash"] = previous
        entry["consultation_hash"] = _sha({k: entry[k] for k in _CHAIN})
        previous = entry["consultation_hash"]
    document["head"] = {"consultation_sequence": len(document["entries"]), "consultation_hash": previous}
    return document


_ENTRY = (
    "sequence",
    "consultation",
    "kind",
    "created_at",
    "actor_name_digest",
    "subject_name_digest",
    "summary",
    "data",
    "previous_hash",
)
_CHAIN = ("consultation", "consultation_sequence", "consultation_previous_hash", "entry_hash")


def _sha(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def test_each_consultations_json_verifies_on_its_own_as_served(client, consultations, tmp_path):
    for consultation, count in zip(consultations, [4, 2], strict=True):
        response = client.get(f"{consultation.url}record/json/")
        document = response.json()
        # Its entries' previous_hash values point into the other consultation: the script never needs them.
        assert len(document["entries"]) == count
        result = run_script(tmp_path, document, raw=response.content)
        assert result.returncode == 0, result.stdout + result.stderr
        head = document["head"]
        assert f"OK: {count} entries" in result.stdout
        assert f"Head to keep: {count}:{head['consultation_hash']}" in result.stdout


def test_the_json_publishes_the_stored_heads(client, consultations):
    a, _ = consultations
    document = published(client, a)
    last = RecordEntry.objects.filter(consultation=a).order_by("sequence").last()
    assert document["head"] == {"consultation_sequence": 4, "consultation_hash": last.consultation_hash}
    newest = RecordEntry.objects.order_by("sequence").last()
    assert document["record_head"] == {"sequence": newest.sequence, "entry_hash": newest.entry_hash}
    assert [e["consultation_sequence"] for e in document["entries"]] == [1, 2, 3, 4]


def test_the_script_reads_a_url(client, consultations, tmp_path):
    a, _ = consultations
    path = tmp_path / "record.json"
    path.write_bytes(client.get(f"{a.url}record/json/").content)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-I", str(SCRIPT), path.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_feed_publishes_the_same_head_as_the_json(client, consultations):
    a, _ = consultations
    feed = ET.fromstring(client.get(f"{a.url}record/feed/").content)  # noqa: S314  (our own output)
    head = feed.find(f"{RECORD_NS}head")
    document = published(client, a)
    assert head.text == document["head"]["consultation_hash"]
    assert head.get("sequence") == "4"
    assert head.get("json").endswith(f"{a.url}record/json/")
    assert len(feed.findall(f"{ATOM}entry")) == 4


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (
            lambda d: d["entries"][1].update(summary="Nothing happened."),
            "entry 2): its contents do not match",
        ),
        (lambda d: d["entries"][0]["data"].update(n=8), "entry 1): its contents do not match"),
        (lambda d: d["entries"].pop(1), "numbered 3 where 2 belongs: entries are missing"),
        (lambda d: d["entries"].pop(), "is not the end of the chain"),
        (lambda d: d["entries"].reverse(), "numbered 4 where 1 belongs"),
        (lambda d: d["entries"][2].update(consultation_hash="f" * 64), "consultation_hash does not match"),
        (lambda d: d["head"].update(consultation_sequence=5), "is not the end of the chain"),
        (lambda d: d["entries"][3].pop("consultation_hash"), "lacks a field"),
    ],
)
def test_a_tampered_json_fails_the_script_naming_it(client, consultations, tmp_path, tamper, message):
    document = published(client, consultations[0])
    tamper(document)
    result = run_script(tmp_path, document)
    assert result.returncode == 1, result.stdout
    assert message in result.stdout


def test_a_tail_deleted_in_the_database_shows_in_the_published_json(client, consultations, tmp_path):
    a, _ = consultations
    RecordEntry.objects.filter(consultation=a).order_by("-sequence").first().delete()
    result = run_script(tmp_path, published(client, a))
    assert result.returncode == 1
    assert "head (4:" in result.stdout and "is not the end of the chain (3:" in result.stdout


def test_an_entry_moved_in_from_another_consultation_fails(client, consultations, tmp_path):
    a, b = consultations
    document = published(client, a)
    document["entries"].append(published(client, b)["entries"][-1])
    result = run_script(tmp_path, rehash(document))
    assert result.returncode == 1 and "belongs to consultation" in result.stdout


def test_a_rewritten_json_passes_alone_but_not_against_a_head_kept_earlier(client, consultations, tmp_path):
    a, _ = consultations
    original = published(client, a)
    kept_early = f"1:{original['entries'][0]['consultation_hash']}"
    kept = f"{original['head']['consultation_sequence']}:{original['head']['consultation_hash']}"
    assert run_script(tmp_path, original, "--head", kept_early, "--head", kept).returncode == 0

    forged = published(client, a)
    forged["entries"][1]["summary"] = "Nothing happened."
    rehash(forged)
    assert run_script(tmp_path, forged).returncode == 0  # consistent on its own: hashes prove no author
    assert run_script(tmp_path, forged, "--head", kept_early).returncode == 0  # before the change
    result = run_script(tmp_path, forged, "--head", kept)
    assert result.returncode == 1
    assert "entry 4 no longer has the hash you kept" in result.stdout

    shortened = published(client, a)
    shortened["entries"].pop()
    result = run_script(tmp_path, rehash(shortened), "--head", kept)
    assert result.returncode == 1 and "names entry 4, but the chain now ends at 3" in result.stdout


def test_the_script_refuses_what_is_not_json(tmp_path):
    result = run_script(tmp_path, None, raw=b"<html>not the record</html>")
    assert result.returncode == 2 and "Cannot read" in result.stderr
