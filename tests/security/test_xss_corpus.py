"""An XSS corpus through every user-controlled field into every output (issue 13).

Every payload in payloads.txt (and a few with control characters, below) is
written through the real services into every field a person controls:

    comment and reply text, display name, pseudonym, organisation name (a
    member's organisation and a member of the public's own), working-group
    name and remit, proposal text and rationale, proposal decline reason,
    sign-off statement (paper and section), restriction reason, response
    ("you said, we did") reason, version change note, stage-move reason,
    flag details, moderation reason, join-request message.

Then every output that shows them is read and checked by parsing:

- HTML pages (paper, sections, proposals, versions, record, restrictions,
  report, groups, moderation): no element or attribute born of a payload,
  no `javascript:` URL, and the payloads are there as text;
- the Atom feed: well-formed XML; any HTML-typed content is inert;
- the record JSON and the report JSON: valid JSON holding the exact text;
- the report CSV: no cell a spreadsheet would run as a formula;
- emails: plain-text bodies carry the text as written, HTML bodies are inert;
- the report PDF: renders, the text is in it, nothing is fetched from a URL
  a person wrote.

One world is built for the whole module (inside a transaction rolled back at
the end) and every output is fetched once; the tests only read what was fetched.
"""

import copy
import csv
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import transaction
from django.test import Client, TestCase
from django.utils.html import escape
from wagtail.models import Site

from consultation.comments.services import comment_create, comment_flag, comment_hide, paper_follow
from consultation.models import (
    ConsultationPage,
    PolicyPaperPage,
    ProposalKind,
    RestrictionCategory,
    SectionPage,
    Subscription,
)
from consultation.proposals.selectors import text_lines
from consultation.proposals.services import proposal_create, proposal_decline
from consultation.reactions.services import reaction_set
from consultation.report import render as report_render
from consultation.report.builder import report_build
from consultation.rules import MODERATORS_GROUP
from consultation.stages.services import consultation_move_stage
from consultation.subscriptions.services import subscription_confirm, subscription_request
from consultation.versions.responses import response_create
from consultation.versions.services import version_publish
from tests.security.inert import assert_inert, load_payloads, problems_in, visible_text
from tests.support.contributions import post_data
from tests.support.factories import OrganisationFactory, UserFactory, WorkingGroupFactory
from tests.support.people import editor_of, member_of
from tests.support.trees import build_site_tree
from workinggroups.models import Position
from workinggroups.services.memberships import invitation_create, join_request_create
from workinggroups.services.signoffs import SectionPositionInput, signoff_record

# Control, bidirectional and zero-width characters cannot sit on one line of a text file.
CONTROL_PAYLOADS = [
    "\u202eexe.txt",
    "a\u200bb<script>alert(1)</script>",
    "line one\r\n=cmd|' /C calc'!A0",
    "\r=1+1",
    "\x1b[31mred\x1b[0m",
    "\u2028</script>\u2029<script>alert(1)</script>",
    "x\x0bx\x0cx<svg onload=alert(1)>",
    "\ufeff=1+1",
    "\u2066=1+1\u2069",
]
PAYLOADS = load_payloads() + CONTROL_PAYLOADS
N = len(PAYLOADS)

# Marked so that pytest-django creates the test database; the world itself is
# built once by the module fixture below.
pytestmark = pytest.mark.django_db


def test_the_corpus_has_at_least_a_hundred_distinct_payloads():
    assert N >= 100
    assert len(set(PAYLOADS)) == N


def test_the_checker_catches_the_payloads_when_they_are_not_escaped():
    """The inertness check would see a payload that got through unescaped."""
    caught = [p for p in PAYLOADS if problems_in(p)]
    # The rest are text even unescaped (encoded forms, template syntax, formulas, bare URLs).
    assert len(caught) >= 80, len(caught)


def chunks(limit, *, sep="\n"):
    """The payloads joined into as few texts of at most `limit` characters as possible."""
    out, current = [], ""
    for payload in PAYLOADS:
        candidate = f"{current}{sep}{payload}" if current else payload
        if len(candidate) > limit and current:
            out.append(current)
            current = payload
        else:
            current = candidate
    return [*out, current] if current else out


# ---------------------------------------------------------------- the hostile world


def _fresh(model, obj):
    return model.objects.get(pk=obj.pk)


def _build():  # noqa: PLR0915 - one story, told in order
    tree = build_site_tree(sections=3, stage="review", groups=[])
    consultation, paper = tree["consultation"], tree["paper"]
    section_a, section_b, section_c = tree["sections"]

    # One working group per payload, named and described by it, with a convenor
    # whose name and organisation are the payload too.
    groups, convenors = [], []
    for number, payload in enumerate(PAYLOADS):
        group = WorkingGroupFactory(name=payload[:150], remit=payload)
        groups.append(group)
        convenors.append(
            member_of(
                group,
                role="convenor",
                organisation=OrganisationFactory(name=f"{payload[:190]} {number}"),
                display_name=payload[:120],
                email=f"convenor{number}@example.org",
            )
        )
    consultation.invited_groups.set(groups)
    consultation.save_revision().publish()
    editor = editor_of(consultation)
    moderator = UserFactory(username="moderator", display_name="A moderator")
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    moderator.groups.get().permissions.add(Permission.objects.get(codename="access_admin"))
    follower = UserFactory(email="follower@example.org")
    paper_follow(paper=paper, user=follower)
    subscription_request(consultation=consultation, email="subscriber@example.org")
    subscription_confirm(subscription=Subscription.objects.get(email="subscriber@example.org"))

    # Versions: each change note is a batch of payloads; section B's text moves between them.
    notes = chunks(2000)
    for number, note in enumerate(notes):
        if number:
            section_b = _fresh(SectionPage, section_b)
            section_b.body = [("paragraph", f"<p>Revised text, round {number}.</p>")]
            section_b.save_revision().publish()
        version_publish(paper=_fresh(PolicyPaperPage, paper), actor=editor, change_note=note)
    paper = _fresh(PolicyPaperPage, paper)
    section_a, section_b = _fresh(SectionPage, section_a), _fresh(SectionPage, section_b)

    # Review: comments, replies, reactions, proposals, flags.
    comments = []
    for number, (payload, convenor) in enumerate(zip(PAYLOADS, convenors, strict=True)):
        comment = comment_create(author=convenor, target=section_a, text=payload)
        comments.append(comment)
        reaction_set(user=convenor, target=section_a, choice="agree" if number % 2 else "disagree")
    # Replies, flags and proposals carry the payloads in batches (every proposal is
    # shown with every group's tally, so one per payload would only make pages slow).
    for number, text in enumerate(chunks(3000)):
        parent, replier = comments[number], convenors[number + 1]
        comment_create(author=replier, target=section_a, text=text, parent=parent)
    for number, comment in enumerate(comments):
        replier = convenors[(number + 1) % N]
        reaction_set(user=replier, target=comment, choice="agree")
        comment_flag(comment=comment, reporter=replier, reason="other", details=PAYLOADS[number])
    proposals = [
        proposal_create(
            author=convenors[number],
            section=section_a,
            kind=ProposalKind.ADDITION if number % 2 else ProposalKind.REPLACEMENT,
            text=text,
            rationale=rationale,
        )
        for number, (text, rationale) in enumerate(zip(chunks(3000), chunks(3000), strict=True))
    ]
    decline_reasons = chunks(2000)
    for number, reason in enumerate(decline_reasons):
        declined = proposal_create(
            author=convenors[-1 - number],
            section=section_a,
            kind=ProposalKind.ADDITION,
            text=f"An alternative, number {number}.",
            rationale="Because it reads better.",
        )
        proposal_decline(proposal=declined, editor=editor, reason=reason)
    response_reasons = chunks(5000)
    for comment, reason in zip(comments[-len(response_reasons) :], response_reasons, strict=True):
        response_create(actor=editor, outcome="partly_accepted", reason=reason, comment=comment)
    response_create(actor=editor, outcome="accepted", reason=response_reasons[0], section=section_a)

    # Moderation: comments on section B hidden with the payloads as reasons.
    hide_reasons = chunks(2000)
    for number, reason in enumerate(hide_reasons):
        hidden = comment_create(author=convenors[number], target=section_b, text=f"To be hidden {number}.")
        comment_hide(comment=hidden, moderator=moderator, reason=reason)

    # Restriction: section C restricted, its public reason changed batch by batch.
    for number, reason in enumerate(chunks(4000)):
        section_c = _fresh(SectionPage, section_c)
        section_c.restricted = True
        section_c.restriction_category = RestrictionCategory.SECURITY
        section_c.restriction_reason = reason
        section_c.restriction_review_on = date(2027, 1, number + 1)
        section_c.save_revision().publish()

    # Sign-off: every group's statement is its payload, for the paper and for section A.
    consultation_move_stage(
        consultation=_fresh(ConsultationPage, consultation), to_stage="signoff", actor=editor, reason=""
    )
    paper = _fresh(PolicyPaperPage, paper)
    for group, convenor, payload in zip(groups, convenors, PAYLOADS, strict=True):
        signoff_record(
            group=group,
            paper=paper,
            version_label=paper.version_label,
            position=Position.RESERVATIONS,
            statement=payload,
            section_positions=[SectionPositionInput(section_a, Position.DO_NOT_ENDORSE, payload)],
            actor=convenor,
        )

    # Public scrutiny: members of the public, named by the payloads, comment and ask to join.
    stage_reasons = chunks(1500, sep=" ")
    consultation_move_stage(
        consultation=_fresh(ConsultationPage, consultation),
        to_stage="scrutiny",
        actor=editor,
        reason=stage_reasons[0],
    )
    paper, section_a = _fresh(PolicyPaperPage, paper), _fresh(SectionPage, section_a)
    public = []
    for number, payload in enumerate(PAYLOADS):
        person = UserFactory(
            display_name=payload[:120],
            pseudonym=payload[:80],
            use_pseudonym=bool(number % 2),
            organisation=payload[:200],
            email=f"public{number}@example.org",
        )
        public.append(person)
        comment_create(author=person, target=paper, text=f"On the paper: {payload}")
        join_request_create(group=groups[0], user=person, message=payload)
        invitation_create(
            group=groups[number], email=f"invited{number}@example.org", role="member", actor=editor
        )
    return {
        "consultation": _fresh(ConsultationPage, consultation),
        "paper": _fresh(PolicyPaperPage, paper),
        "sections": [_fresh(SectionPage, s) for s in (section_a, section_b, section_c)],
        "groups": groups,
        "convenors": convenors,
        "comments": comments,
        "proposals": proposals,
        "editor": editor,
        "moderator": moderator,
        "notes": notes,
        "decline_reasons": decline_reasons,
        "response_reasons": response_reasons,
        "hide_reasons": hide_reasons,
        "stage_reasons": stage_reasons,
    }


def _get(client, url, outputs, name):
    response = client.get(url)
    assert response.status_code == 200, (name, url, response.status_code)
    outputs[name] = response
    return response


def _fetch(world):
    """Every output, fetched once: {name: response} for pages, and the files."""
    consultation, paper = world["consultation"], world["paper"]
    section_a, section_b, section_c = world["sections"]
    pages, files = {}, {}
    client = Client(raise_request_exception=True)
    for who, user in (("anonymous", None), ("convenor", world["convenors"][0]), ("editor", world["editor"])):
        client.logout()
        if user is not None:
            client.force_login(user)
        _get(client, paper.url, pages, f"paper ({who})")
        for section in (section_a, section_b, section_c):
            _get(client, section.url, pages, f"section {section.title} ({who})")
        _get(client, paper.url + "report/", pages, f"report ({who})")
    client.logout()
    base = paper.url
    _get(client, base + "versions/", pages, "versions")
    for number in range(1, len(world["notes"]) + 1):
        _get(client, f"{base}versions/{number}/", pages, f"version {number}")
    _get(client, f"{base}versions/compare/", pages, "versions compared")
    _get(client, f"{base}versions/sections/{section_a.pk}/", pages, "section history")
    for proposal in world["proposals"][:25]:
        _get(client, f"/consultation/proposals/{proposal.pk}/", pages, f"proposal {proposal.pk}")
    record = consultation.url + "record/"
    first = _get(client, record, pages, "record page 1")
    pages_count = first.context["entries_page"].paginator.num_pages
    for number in range(2, pages_count + 1):
        _get(client, f"{record}?page={number}", pages, f"record page {number}")
    for sequence in range(1, 11):
        _get(client, f"{record}{sequence}/", pages, f"record entry {sequence}")
    _get(client, consultation.url + "restrictions/", pages, "restrictions")
    _get(client, consultation.url, pages, "consultation")
    _get(client, f"/consultation/{consultation.pk}/moderation/", pages, "moderation log")
    _get(client, base + "report/?fragment=body", pages, "report fragment")
    _get(client, "/groups/", pages, "group list")
    for group in world["groups"][:25]:
        _get(client, group.get_absolute_url(), pages, f"group {group.pk}")
    client.force_login(world["convenors"][1])
    for comment in world["comments"][:10]:
        _get(client, f"/consultation/comments/{comment.pk}/reply/", pages, f"reply page {comment.pk}")
    _get(client, f"/consultation/comments/{world['comments'][0].pk}/flag/", pages, "flag page")
    client.force_login(world["convenors"][0])
    _get(client, f"/groups/{world['groups'][0].slug}/manage/", pages, "group manage")
    _get(client, "/accounts/profile/", pages, "profile")
    # Through the real comment form: the fragment a script swaps in, and a refused post
    # that comes back with the hostile text in the form.
    section_a = world["sections"][0]
    for number, payload in enumerate(PAYLOADS[:20]):
        response = client.post(
            "/consultation/comments/post/",
            post_data(
                section_a, text=f"Posted through the form: {payload}", reply_to=world["comments"][number].pk
            ),
            headers={"x-requested-with": "XMLHttpRequest"},
        )
        assert response.status_code in (200, 201), response.status_code
        pages[f"posted fragment {number}"] = response
    refused = client.post("/consultation/comments/post/", post_data(section_a, text=PAYLOADS[0] * 200))
    assert refused.status_code == 400
    pages["refused post"] = refused
    # Reflected: query parameters that come back in a page (return links, filters).
    reply_url = f"/consultation/comments/{world['comments'][0].pk}/reply/"
    speaking_url = f"/consultation/{consultation.pk}/speaking-for/"
    for number, payload in enumerate(p for p in PAYLOADS if any(c in p for c in ":\"'<")):
        query = urlencode({"next": payload, "kind": payload, "from": payload, "to": payload, "page": payload})
        for name, url in (
            ("reply", reply_url),
            ("speaking for", speaking_url),
            ("record", record),
            ("compare", f"{base}versions/compare/"),
        ):
            response = client.get(f"{url}?{query}")
            assert response.status_code in (200, 400), (name, payload, response.status_code)
            pages[f"reflected {name} {number}"] = response
    # The admin, where staff read what people wrote (stored XSS there would act as staff).
    client.force_login(world["editor"])
    _get(client, "/admin/consultation-proposals/", pages, "admin proposals")
    for proposal in world["proposals"]:
        _get(client, f"/admin/consultation-proposals/{proposal.pk}/", pages, f"admin proposal {proposal.pk}")
    _get(client, "/admin/consultation-stages/", pages, "admin stages")
    _get(client, f"/admin/consultation-stages/{consultation.pk}/", pages, "admin stage move")
    _get(client, f"/admin/consultation-versions/{paper.pk}/", pages, "admin versions")
    _get(client, f"/admin/consultation-versions/{paper.pk}/respond/", pages, "admin respond")
    client.force_login(UserFactory(username="superuser", is_superuser=True, is_staff=True))
    for model in ("workinggroup", "membership", "organisation", "invitation", "joinrequest", "signoff"):
        _get(client, f"/admin/snippets/workinggroups/{model}/", pages, f"admin snippets {model}")
    client.force_login(world["moderator"])
    _get(client, "/admin/comment-moderation/", pages, "moderation queue")
    for comment in world["comments"][:5]:
        _get(client, f"/admin/comment-moderation/comments/{comment.pk}/", pages, f"moderation {comment.pk}")
    client.logout()

    files["feed"] = _get(client, record + "feed/", {}, "feed")
    files["record.json"] = _get(client, record + "json/", {}, "record json")
    files["report.json"] = _get(client, base + "report.json", {}, "report json")
    files["report.csv"] = _get(client, base + "report.csv", {}, "report csv")
    return pages, files


@pytest.fixture(scope="module")
def hostile(django_db_setup, django_db_blocker):
    """The world and every output, built once; rolled back when the module ends."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            Site.clear_site_root_paths_cache()
            mail.outbox = []
            with TestCase.captureOnCommitCallbacks(execute=True):
                world = _build()
            with TestCase.captureOnCommitCallbacks(execute=True):
                pages, files = _fetch(world)
            world["snapshot"] = report_build(paper=world["paper"])
            world["pages"], world["files"], world["emails"] = pages, files, list(mail.outbox)
            yield world
            transaction.set_rollback(True)
        Site.clear_site_root_paths_cache()


# ---------------------------------------------------------------- HTML pages


def _squeeze(text):
    """Text without its whitespace: line breaks become <br> or <p> on a page, and names
    and reasons have their spaces collapsed, but the characters stay in order."""
    return "".join(text.split())


def _missing(payloads, text):
    text = _squeeze(text)
    return [p for p in payloads if _squeeze(p) not in text]


def test_every_page_renders_every_payload_inert(hostile):
    assert len(hostile["pages"]) > 60
    problems = {}
    for name, response in hostile["pages"].items():
        found = problems_in(response.content.decode())
        if found:
            problems[name] = found[:5]
    assert problems == {}


def test_the_pages_show_the_payloads_as_text(hostile):
    """The check above looked at the payloads: they are on the pages, as text."""
    pages = {name: visible_text(r.content.decode()) for name, r in hostile["pages"].items()}
    section_a = hostile["sections"][0].title
    # Comments, replies, names and organisations under the section.
    section_text = pages[f"section {section_a} (anonymous)"]
    assert _missing(PAYLOADS, section_text) == []
    assert _missing(PAYLOADS, pages["paper (anonymous)"]) == []  # the public's comments on the paper
    # Proposals (text and rationale) on their own pages.
    for proposal, payload in zip(hostile["proposals"][:25], PAYLOADS, strict=False):
        assert _missing([payload], pages[f"proposal {proposal.pk}"]) == [], proposal.pk
    # Working-group names and remits on their pages, sign-off statements beside them.
    for group, payload in zip(hostile["groups"][:25], PAYLOADS, strict=False):
        assert _missing([payload], pages[f"group {group.pk}"]) == [], group.pk
    # Change notes on the versions page.
    assert _missing(PAYLOADS, pages["versions"]) == []
    # Moderation reasons, restriction reasons, responses and decline reasons in the record.
    record = "".join(text for name, text in pages.items() if name.startswith("record page"))
    assert _missing(PAYLOADS, record) == []
    assert _missing(PAYLOADS, pages["restrictions"]) == []
    assert _missing(PAYLOADS, pages["moderation log"]) == []
    assert _missing(PAYLOADS, pages["report (anonymous)"]) == []
    # The admin: proposals as the editors decide them, groups as administrators list them.
    for proposal in hostile["proposals"]:
        assert _missing([proposal.text], pages[f"admin proposal {proposal.pk}"]) == []
    assert len(_missing(PAYLOADS, pages["admin snippets workinggroup"])) < N - 10  # a page of names
    assert len(_missing(PAYLOADS, pages["admin snippets signoff"])) < N - 10


# ---------------------------------------------------------------- feed and JSON


ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_is_well_formed_and_carries_no_live_markup(hostile):
    body = hostile["files"]["feed"].content
    assert b"<!DOCTYPE" not in body and b"<!ENTITY" not in body  # no payload became a DTD
    root = ET.fromstring(body)  # noqa: S314 - our own output; raises unless well-formed
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 50
    text = "".join(root.itertext())
    typed_html = []
    for element in root.iter():
        kind = element.get("type")
        if kind in ("html", "xhtml"):
            content = element.text or "".join(ET.tostring(child, encoding="unicode") for child in element)
            typed_html.extend(problems_in(content))
    assert "<script>alert(1)</script>" in text or "alert(1)" in text  # the payloads are in the feed
    # Summaries are type="text" (consultation/record/feeds.py): nothing a reader renders as markup.
    assert typed_html == []
    assert not [e for e in root.iter() if e.get("type") in ("html", "xhtml")]


def test_the_record_json_round_trips_the_exact_text(hostile):
    response = hostile["files"]["record.json"]
    assert response["Content-Type"].startswith("application/json")
    payload = json.loads(response.content.decode("utf-8"))
    summaries = [entry["summary"] for entry in payload["entries"]]
    data = [entry["data"] for entry in payload["entries"]]
    everything = "\n".join(summaries)
    for reason in hostile["hide_reasons"]:
        assert any(d.get("reason") == reason for d in data)
    for reason in hostile["decline_reasons"]:
        assert any(d.get("reason") == reason for d in data)
    for note in hostile["notes"]:
        assert any(note in s for s in summaries)
    for reason in hostile["response_reasons"]:
        assert reason in everything
    assert hostile["stage_reasons"][0] in everything


def test_the_report_json_round_trips_the_exact_text(hostile):
    response = hostile["files"]["report.json"]
    report = json.loads(response.content.decode("utf-8"))
    assert {g["name"] for g in report["groups"] if g["kind"] == "working_group"} == {
        p[:150].strip() for p in PAYLOADS
    } or {g["name"] for g in report["groups"] if g["kind"] == "working_group"} == {p[:150] for p in PAYLOADS}
    assert sorted(s["statement"] for s in report["sign_offs"]) == sorted(p.strip() for p in PAYLOADS)
    section = report["sections"][0]
    proposals = section["proposals"]
    assert proposals, "the open proposals are in the report"
    payloads = {p.strip() for p in PAYLOADS}
    # The report prints the wording line by line with spaces collapsed, as the diff reads it.
    written = {(text_lines(p.text), p.rationale) for p in hostile["proposals"]}
    reported = {(p["text"], p["rationale"]) for p in proposals if not p["text"].startswith("An alternative")}
    # The report lists the leading proposals: each one quoted is the exact text written.
    assert reported and reported <= written
    quoted = section["comments"]["agree"] + section["comments"]["disagree"]
    assert quoted
    for comment in quoted:
        assert comment["text"] in payloads
    assert {p["statement"] for p in section["sign_offs"]} == payloads
    assert report == json.loads(json.dumps(report))


# ---------------------------------------------------------------- CSV


def test_no_report_csv_cell_is_a_formula(hostile):
    content = hostile["files"]["report.csv"].content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(content, newline="")))
    header, rows = rows[0], rows[1:]
    assert len(rows) >= 3 * N
    cells = [cell for row in rows for cell in row]
    formulas = [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r") or _text_formula(cell)]
    assert formulas == []
    names = {row[header.index("group_name")] for row in rows}
    # The names are all there, each neutralised with a leading apostrophe where needed.
    for payload in PAYLOADS:
        name = payload[:150]
        assert name in names or "'" + name in names, name


def _text_formula(cell):
    """A cell starting with '-' is a formula unless it is a number we computed."""
    if not cell.startswith("-"):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


# ---------------------------------------------------------------- emails


def test_emails_are_plain_text_as_written_and_their_html_is_inert(hostile):
    emails = hostile["emails"]
    kinds = {m.subject.split(" ")[0] for m in emails}
    assert len(emails) > N, kinds
    for message in emails:
        for header in (message.subject, *message.to):
            assert "\n" not in header and "\r" not in header
        for html, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_inert(html, message.subject)
    # Plain text is never markup: the payloads are in the bodies exactly as written, not escaped.
    bodies = "\n".join(m.body for m in emails)
    assert _missing(PAYLOADS, bodies) == []
    escaped = [p for p in PAYLOADS if "<" in p and escape(p) in bodies and p not in bodies]
    assert escaped == []
    # Notifications go out as digests (several comments in one email); together their HTML parts
    # carry every payload, escaped, so the inert check above saw each of them.
    htmls = "\n".join(
        html for m in emails for html, kind in getattr(m, "alternatives", []) if kind == "text/html"
    )
    assert [p for p in PAYLOADS if escape(p) not in htmls] == []


# ---------------------------------------------------------------- PDF


class RecordingFetcher:
    """Wraps the report's own fetcher and notes every URL WeasyPrint asks it for."""

    def __init__(self, inner):
        self.inner, self.urls = inner, []

    def __call__(self, url):
        self.urls.append(url)
        return self.inner(url)

    def fetch(self, url, headers=None):
        return self(url)


def test_the_pdf_shows_the_payloads_as_text_and_fetches_nothing(hostile, monkeypatch, tmp_path):
    fetchers = []

    def recording():
        fetchers.append(RecordingFetcher(report_render.pdf_url_fetcher.__wrapped__()))
        return fetchers[-1]

    recording.__wrapped__ = report_render.pdf_url_fetcher
    monkeypatch.setattr(report_render, "pdf_url_fetcher", recording)
    # Laid out in full, 150 groups' rows under every section take WeasyPrint half a minute;
    # each name and statement is also in the sign-off table, so the rows (under sections
    # and proposals) are cut to ten.
    snapshot = copy.deepcopy(hostile["snapshot"])
    for section in snapshot["sections"]:
        section["groups"], section["sign_offs"] = section["groups"][:10], section["sign_offs"][:10]
        for proposal in section["proposals"]:
            proposal["groups"] = proposal["groups"][:10]
    pdf = report_render.render_pdf(snapshot, base_url="http://testserver/")
    assert pdf.startswith(b"%PDF")
    assert fetchers and all(f.urls == [] for f in fetchers), [f.urls for f in fetchers]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(["pdftotext", "-enc", "UTF-8", "report.pdf", "report.txt"], cwd=tmp_path, check=True)  # noqa: S603, S607
    text = (tmp_path / "report.txt").read_text(encoding="utf-8")
    # Group names head the sign-off table; statements sit beside them.
    shown = [p for p in PAYLOADS if p.isprintable() and _squeeze(p) in _squeeze(text)]
    assert len(shown) >= 0.9 * len([p for p in PAYLOADS if p.isprintable()]), sorted(
        set(PAYLOADS) - set(shown)
    )[:10]
