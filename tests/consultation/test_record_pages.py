"""The public process record: HTML timeline, one entry, Atom feed and JSON."""

import hashlib
import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command

from consultation.models import RecordEntry
from consultation.record.services import record_event
from consultation.versions.responses import response_create
from consultation.versions.services import version_publish
from tests.support.factories import ConsultationPageFactory, UserFactory
from tests.support.people import editor_of
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# The keys entry_hash covers, as documented (consultation_hash covers the consultation's chain).
HASHED = (
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


@pytest.fixture
def tree(settings):
    settings.SITE_URL = "https://policy.example.gov"
    tree = build_site_tree(sections=2)
    tree["editor"] = editor_of(tree["consultation"])
    return tree


def record_url(tree, suffix=""):
    return f"{tree['consultation'].url}record/{suffix}"


def some_events(tree):
    """A version, a stage change, a response and a sign-off, by different people, plus noise elsewhere."""
    consultation, editor = tree["consultation"], tree["editor"]
    version = version_publish(paper=tree["paper"], actor=editor, change_note="First draft für alle.")
    record_event(
        consultation=consultation,
        kind="stage_changed",
        actor=UserFactory(display_name="Stage Mover"),
        summary="The consultation moved to working-group review.",
    )
    other = ConsultationPageFactory(parent=tree["index"])
    record_event(consultation=other, kind="stage_changed", actor=None, summary="Elsewhere entirely.")
    response_create(actor=editor, section=tree["sections"][0], outcome="accepted", reason="Noted, thank you.")
    record_event(consultation=consultation, kind="sign_off", actor=None, summary="A group endorsed v1.")
    return version


def test_the_timeline_lists_every_event_in_order_with_time_and_actor(client, tree):
    some_events(tree)
    response = client.get(record_url(tree))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    entries = soup.select("li.record__entry")
    expected = list(RecordEntry.objects.filter(consultation=tree["consultation"]).order_by("sequence"))
    assert [int(li["data-sequence"]) for li in entries] == [e.sequence for e in expected]
    assert [li.select_one(".record__kind").get_text() for li in entries] == [
        "Version published",
        "Stage changed",
        "Response to feedback",
        "Sign-off",
    ]
    for li, entry in zip(entries, expected, strict=True):
        assert li.time["datetime"] == entry.created_at.astimezone(li_tz()).isoformat()
        assert li.select_one(".record__actor").get_text() == f"by {entry.actor_name}"
        assert li.select_one(".record__summary").get_text() == entry.summary
    assert "Elsewhere entirely." not in soup.get_text()
    assert soup.find("link", rel="alternate", type="application/atom+xml")


def li_tz():
    from django.utils import timezone

    return timezone.get_current_timezone()


def test_the_timeline_pages_and_filters_by_kind(client, tree):
    for n in range(60):
        record_event(consultation=tree["consultation"], kind="moderation", actor=None, summary=f"Event {n}.")
    record_event(consultation=tree["consultation"], kind="stage_changed", actor=None, summary="Moved on.")
    first = BeautifulSoup(client.get(record_url(tree)).content.decode(), "html.parser")
    assert len(first.select("li.record__entry")) == 50
    assert first.select_one("ol.record")["start"] == "1"
    second = BeautifulSoup(client.get(record_url(tree) + "?page=2").content.decode(), "html.parser")
    assert [li.select_one(".record__summary").get_text() for li in second.select("li.record__entry")][-1] == (
        "Moved on."
    )
    assert second.select_one("ol.record")["start"] == "51"
    only = BeautifulSoup(client.get(record_url(tree) + "?kind=stage_changed").content.decode(), "html.parser")
    assert [li.select_one(".record__summary").get_text() for li in only.select("li.record__entry")] == [
        "Moved on."
    ]
    assert client.get(record_url(tree) + "?page=999").status_code == 200  # the last page, not an error


def test_one_entry_has_its_own_page_with_its_fingerprints(client, tree):
    some_events(tree)
    entry = RecordEntry.objects.filter(consultation=tree["consultation"]).first()
    response = client.get(record_url(tree, f"{entry.sequence}/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert entry.entry_hash in html and entry.previous_hash in html and entry.summary in html
    assert entry.consultation_hash in html and entry.consultation_previous_hash in html
    elsewhere = RecordEntry.objects.exclude(consultation=tree["consultation"]).first()
    assert client.get(record_url(tree, f"{elsewhere.sequence}/")).status_code == 404
    assert client.get(record_url(tree, "999999/")).status_code == 404


def test_the_atom_feed_has_the_latest_entries_with_absolute_links(client, tree):
    some_events(tree)
    response = client.get(record_url(tree, "feed/"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314  (our own output, in a test)
    assert feed.find(f"{ATOM}title").text == f"Process record: {tree['consultation'].title}"
    items = feed.findall(f"{ATOM}entry")
    expected = list(RecordEntry.objects.filter(consultation=tree["consultation"]).order_by("-sequence"))
    assert [i.find(f"{ATOM}id").text for i in items] == [f"urn:sha256:{e.entry_hash}" for e in expected]
    first = items[0]
    assert first.find(f"{ATOM}link").get("href") == (
        f"https://policy.example.gov{tree['consultation'].url}record/{expected[0].sequence}/"
    )
    assert first.find(f"{ATOM}author/{ATOM}name").text == expected[0].actor_name
    assert expected[0].summary in first.find(f"{ATOM}summary").text


def test_the_json_has_every_entry_in_order_and_each_hash_can_be_checked(client, tree):
    some_events(tree)
    response = client.get(record_url(tree, "json/"))
    assert response.status_code == 200
    payload = response.json()
    assert payload["consultation"]["title"] == tree["consultation"].title
    entries = payload["entries"]
    expected = list(RecordEntry.objects.filter(consultation=tree["consultation"]).order_by("sequence"))
    assert [e["sequence"] for e in entries] == [e.sequence for e in expected]
    assert [e["actor_name"] for e in entries] == [e.actor_name for e in expected]
    for published in entries:
        covered = {key: published[key] for key in HASHED}
        digest = hashlib.sha256(
            json.dumps(covered, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        assert digest == published["entry_hash"], published["sequence"]


def test_a_tampered_entry_shows_in_the_json_and_verify_record_names_it(client, tree):
    some_events(tree)
    victim = RecordEntry.objects.filter(consultation=tree["consultation"], kind="response").get()
    RecordEntry.objects.filter(pk=victim.pk).update(summary="Response: rejected.")
    published = next(
        e for e in client.get(record_url(tree, "json/")).json()["entries"] if e["sequence"] == victim.sequence
    )
    covered = {key: published[key] for key in HASHED}
    digest = hashlib.sha256(json.dumps(covered, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert digest != published["entry_hash"]
    with pytest.raises(CommandError, match=rf"entry #{victim.sequence} "):
        call_command("verify_record")


@pytest.mark.parametrize("suffix", ["", "feed/", "json/"])
def test_record_outputs_cost_the_same_for_5_or_60_entries(
    client, tree, suffix, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            record_event(consultation=tree["consultation"], kind="moderation", actor=None, summary=f"E{i}.")

    add(5)
    with django_assert_max_num_queries(30) as few:
        assert client.get(record_url(tree, suffix)).status_code == 200
    add(55)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(record_url(tree, suffix)).status_code == 200


NAME_PAYLOAD = '<img src=x onerror="alert(1)">Mallory'
REASON_PAYLOAD = "<script>alert('reason')</script> & more"


def test_the_atom_feed_carries_names_and_reasons_as_plain_text_never_html(client, tree):
    """A display name and a restriction reason with markup reach a feed reader as text, not as HTML."""
    from tests.support.trees import restrict

    record_event(
        consultation=tree["consultation"],
        kind="stage_changed",
        actor=UserFactory(display_name=NAME_PAYLOAD),
        summary="The consultation moved to working-group review.",
    )
    restrict(tree["sections"][1], reason=REASON_PAYLOAD)

    response = client.get(record_url(tree, "feed/"))

    assert response.status_code == 200
    raw = response.content.decode()
    assert "<script" not in raw and "<img" not in raw
    assert 'type="html"' not in raw
    feed = ET.fromstring(response.content)  # noqa: S314  (our own output, in a test)
    entries = feed.findall(f"{ATOM}entry")
    summaries = [entry.find(f"{ATOM}summary") for entry in entries]
    assert summaries and all(summary.get("type") == "text" for summary in summaries)
    assert all(entry.find(f"{ATOM}title").get("type") in (None, "text") for entry in entries)
    texts = [summary.text for summary in summaries]
    # Kept as the person typed it, shown literally.
    assert any(NAME_PAYLOAD in text for text in texts)
    assert any(REASON_PAYLOAD in text for text in texts)
    names = [entry.findtext(f"{ATOM}author/{ATOM}name") for entry in entries]
    assert any(name and NAME_PAYLOAD in name for name in names)
