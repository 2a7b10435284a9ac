"""The consensus report: one snapshot, its numbers, and every output rendered from it."""

import csv
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.comments.services import comment_create
from consultation.models import Comment, Reaction
from consultation.reactions.services import reaction_set
from consultation.report.builder import report_build
from consultation.report.render import render_body, render_csv, render_json, render_pdf
from tests.support.contributions import react
from tests.support.factories import (
    PolicyPaperPageFactory,
    SectionPageFactory,
    UserFactory,
)
from tests.support.reports import get_after_jobs, group_row, section_of
from tests.support.trees import GROUP_NAMES, report_scenario, report_tree

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- the snapshot


def test_each_section_is_classified_with_the_numbers_behind_it():
    tree = report_scenario()
    snapshot = report_build(paper=tree["paper"])
    s1, s2, s3, s4 = (section_of(snapshot, s) for s in tree["sections"])
    civil, local, research = (f"group-{g.pk}" for g in tree["groups"])

    # 6 of 6 agree in every group: 100 % of those taking a side, and 6 ≥ the quorum of 3.
    assert s1["classification"]["key"] == "broad_consensus"
    row = group_row(s1, civil)
    assert (row["size"], row["quorum"], row["agree_percent"], row["position"]) == (6, 3, 100, "agrees")
    assert row["carries"] and row["heard"]
    assert s1["overall"] == {"agree": 18, "disagree": 0, "neutral": 0, "seen": 18}
    assert s1["statistic"]["support"] == 100
    assert s1["classification"]["headline"] == "Civil society, Local government and Researchers agree."

    # 12 of 18 agree overall, but Researchers 0 of 6: its objection is not outvoted.
    assert s2["overall"]["agree"] == 12
    assert s2["classification"]["key"] == "contested"
    assert group_row(s2, research)["disagree_percent"] == 100
    assert group_row(s2, research)["position"] == "disagrees"
    assert "Researchers" in s2["classification"]["reason"]
    assert (
        s2["classification"]["headline"] == "Civil society and Local government agree; Researchers disagrees."
    )

    assert s3["classification"]["key"] == "too_little_participation"
    assert group_row(s3, civil)["status"] == "Not yet heard: 1 of 6 members reacted, 3 needed"
    assert group_row(s3, local)["neutral"] == 1
    assert s3["statistic"]["waiting_for"] == list(GROUP_NAMES)

    assert s4["restricted"] and s4["classification"]["key"] == "broad_consensus"
    assert s4["restriction"]["reason"] == "Describes fraud detection thresholds."
    assert s4["comments"] == {"agree": [], "disagree": []}

    # The public is one more group, with no reactions in review.
    assert group_row(s1, "public")["seen"] == 0
    assert [g["name"] for g in snapshot["groups"]] == [*GROUP_NAMES, "Public"]
    summary = {row["key"]: row["sections"] for row in snapshot["summary"]["by_classification"]}
    assert (
        summary["broad_consensus"] == 2
        and summary["contested"] == 1
        and summary["too_little_participation"] == 1
    )


def test_most_agreed_comments_on_each_side_rank_by_agreement_and_skip_hidden_ones():
    tree = report_scenario()
    s2 = section_of(report_build(paper=tree["paper"]), tree["sections"][1])
    assert [c["id"] for c in s2["comments"]["agree"]] == [tree["for_comment"].pk, tree["for_comment_2"].pk]
    assert s2["comments"]["agree"][0]["agree"] == 3
    assert s2["comments"]["agree"][0]["organisation"] == "Civil society org"
    assert [(c["id"], c["agree"], c["disagree"]) for c in s2["comments"]["disagree"]] == [
        (tree["against_comment"].pk, 2, 1)
    ]

    Comment.objects.filter(pk=tree["for_comment"].pk).update(
        hidden_at="2026-01-01T00:00Z", hidden_reason="Spam"
    )
    s2 = section_of(report_build(paper=tree["paper"]), tree["sections"][1])
    assert [c["id"] for c in s2["comments"]["agree"]] == [tree["for_comment_2"].pk]


def test_the_report_reads_the_same_tallies_as_the_live_selector():
    from consultation.reactions.selectors import reaction_tallies

    tree = report_scenario()
    snapshot = report_build(paper=tree["paper"])
    tallies = reaction_tallies(paper_id=tree["paper"].pk)
    for section in tree["sections"]:
        data = section_of(snapshot, section)
        tally = tallies[f"section:{section.pk}"]
        assert {k: data["overall"][k] for k in ("agree", "disagree", "neutral")} == tally["counts"]
        for group in tree["groups"]:
            row = group_row(data, f"group-{group.pk}")
            expected = tally["by_group"].get(str(group.pk), {"agree": 0, "disagree": 0, "neutral": 0})
            assert {k: row[k] for k in ("agree", "disagree", "neutral")} == expected


def _varied_paper(tree, sections):
    """A new paper in the consultation with `sections` sections, and reactions, comments
    and comment reactions on each."""
    paper = PolicyPaperPageFactory(parent=tree["consultation"])
    section_pages = [SectionPageFactory(parent=paper) for _ in range(sections)]
    reactions = []
    for index, section in enumerate(section_pages):
        for g, members in enumerate(tree["members"]):
            for m, user in enumerate(members):
                choice = ("agree", "disagree", "neutral")[(index + g + m) % 3]
                reactions.append(
                    Reaction(
                        user=user,
                        paper=paper,
                        section=section,
                        target_kind="section",
                        target_id=section.pk,
                        choice=choice,
                        working_group=tree["groups"][g],
                        is_member=True,
                        paper_version="v1",
                    )
                )
        # Written by someone who agreed with the section: (index + 0 + m) % 3 == 0.
        author = tree["members"][0][-index % 3]
        comment = comment_create(author=author, target=section, text=f"Comment {index}")
        reaction_set(user=tree["members"][1][0], target=comment, choice="agree")
    Reaction.objects.bulk_create(reactions)
    return paper


def test_the_number_of_queries_does_not_grow_with_the_data():
    tree = report_tree(sections=1, per_group=4)
    report_build(paper=tree["paper"])  # warms Wagtail's site-root cache, which is not the report's doing
    counts = []
    for size in (2, 8):
        paper = _varied_paper(tree, size)
        paper = paper.__class__.objects.get(pk=paper.pk)
        with CaptureQueriesContext(connection) as queries:
            snapshot = report_build(paper=paper)
        counts.append(len(queries))
        assert snapshot["participation"]["comments"] == size
        assert snapshot["participation"]["reactions"] == size * 12
        assert all(s["comments"]["agree"] or s["comments"]["disagree"] for s in snapshot["sections"])
        # Built again with nothing changed: the comments' ranking, the tallies of the ranked and
        # the comment figures are read from the cache (kept under the sections' comment stamps).
        with CaptureQueriesContext(connection) as queries:
            assert report_build(paper=paper)["sections"] == snapshot["sections"]
        assert len(queries) <= counts[-1] - 4
    assert counts[0] == counts[1], counts
    # 21 on PostgreSQL, which sets the build's memory and JIT in one query first.
    assert counts[0] <= 21


def test_sign_off_positions_and_responses_are_in_the_report_except_about_restricted_sections():
    from consultation.versions.responses import response_create
    from workinggroups.services.signoffs import SectionPositionInput, signoff_record

    tree = report_scenario(stage="signoff")
    paper = tree["paper"]
    civil, local, research = tree["groups"]
    s2, s4 = tree["sections"][1], tree["sections"][3]
    convenor = tree["members"][2][0]
    signoff_record(group=civil, paper=paper, version_label="v1", position="endorse", actor=convenor)
    signoff_record(
        group=research,
        paper=paper,
        version_label="v1",
        position="do_not_endorse",
        statement="Local consent matters.",
        section_positions=[
            SectionPositionInput(
                section=s2, position="do_not_endorse", statement="Section 2 overrides consent."
            ),
            SectionPositionInput(section=s4, position="reservations", statement="SECRET-STATEMENT on 4."),
        ],
        actor=convenor,
    )
    editor = UserFactory(is_superuser=True, is_staff=True)
    response_create(
        actor=editor,
        outcome="partly_accepted",
        reason="We will add a consent step.",
        comment=tree["against_comment"],
    )
    response_create(actor=editor, outcome="not_accepted", reason="SECRET-RESPONSE on 4.", section=s4)

    snapshot = report_build(paper=paper)
    assert [(p["group"], p["position"]) for p in snapshot["sign_offs"]] == [
        ("Civil society", "endorse"),
        ("Researchers", "do_not_endorse"),
    ]
    assert snapshot["participation"]["groups_without_position"] == ["Local government"]
    second, fourth = section_of(snapshot, s2), section_of(snapshot, s4)
    assert second["sign_offs"] == [
        {
            "group_id": research.pk,
            "group": "Researchers",
            "position": "do_not_endorse",
            "position_label": "Do not endorse",
            "statement": "Section 2 overrides consent.",
        }
    ]
    assert second["responses"][0]["outcome_label"] == "Partly accepted"
    assert second["responses"][0]["comment_id"] == tree["against_comment"].pk
    # The restricted section: the group's position is told, its words about the section are not.
    assert fourth["sign_offs"][0]["position"] == "reservations" and fourth["sign_offs"][0]["statement"] == ""
    assert fourth["responses"] == []
    text = render_body(snapshot) + render_json(snapshot) + render_csv(snapshot)
    assert "SECRET" not in text
    assert "We will add a consent step." in text and "Local consent matters." in text


# ---------------------------------------------------------------- outputs carry the same numbers


class TableCells(HTMLParser):
    """Collects the report tables' cells by (section, group, field) from data-* attributes."""

    def __init__(self):
        super().__init__()
        self.cells = {}
        self.classifications = {}
        self._section = self._group = self._field = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-report-section" in attrs:
            self._section = int(attrs["data-report-section"])
        if "data-group" in attrs:
            self._group = attrs["data-group"]
        if "data-field" in attrs:
            self._field = attrs["data-field"]
            self._text = []

    def handle_data(self, data):
        if self._field:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._field and tag in ("td", "strong", "dd"):
            text = "".join(self._text).strip()
            if self._field == "classification":
                self.classifications[self._section] = text
            elif self._section is not None:
                self.cells[(self._section, self._group, self._field)] = text
            self._field = None
        if tag == "tr":
            self._group = None


def test_html_csv_and_json_carry_exactly_the_same_numbers():
    tree = report_scenario()
    snapshot = report_build(paper=tree["paper"])
    parser = TableCells()
    parser.feed(render_body(snapshot))
    data = json.loads(render_json(snapshot))
    rows = list(csv.DictReader(io.StringIO(render_csv(snapshot))))

    assert len(rows) == len(tree["sections"]) * (len(tree["groups"]) + 2)  # + public + all
    # CSV field → (JSON field, how the HTML prints the CSV's value). The CSV leaves a missing figure
    # empty; the HTML prints an en dash.
    fields = {
        "agree": ("agree", str),
        "neutral": ("neutral", str),
        "disagree": ("disagree", str),
        "seen": ("seen", str),
        "members": ("size", lambda v: v or "–"),
        "quorum": ("quorum", str),
        "agree_percent": ("agree_percent", lambda v: f"{v}%" if v else "–"),
        "position": ("position", None),
    }
    checked = 0
    for row in rows:
        section = next(s for s in data["sections"] if s["id"] == int(row["section_id"]))
        assert parser.classifications[section["id"]] == row["classification_label"]
        assert section["classification"]["label"] == row["classification_label"]
        assert section["classification"]["headline"] == row["headline"]
        source = section["overall"] if row["group_key"] == "all" else group_row(section, row["group_key"])
        for field, (json_name, as_html) in fields.items():
            if row["group_key"] == "all" and field not in ("agree", "neutral", "disagree", "seen"):
                continue
            value = source[json_name]
            assert row[field] == ("" if value is None else str(value)), (
                row["section_id"],
                row["group_key"],
                field,
            )
            if as_html is not None:
                html_text = parser.cells[(section["id"], row["group_key"], field)]
                assert html_text == as_html(row[field]), (row["section_id"], row["group_key"], field)
            checked += 1
        if row["group_key"] != "all":
            assert parser.cells[(section["id"], row["group_key"], "position")] == source["position_label"]
            for flag in ("heard", "carries", "rejects", "in_verdict"):
                assert row[flag] == ("yes" if source[flag] else "no")
        assert row["support_percent"] == str(section["statistic"]["support"])
        assert row["threshold_percent"] == "67" and row["quorum_share"] == "1/2"
    # Missing numbers are empty, never a dash: the public has no member count, the "all" row no quorum.
    assert all(r["members"] == "" for r in rows if r["group_key"] in ("public", "all"))
    assert not any("–" in value for r in rows for value in r.values())
    assert checked > 100


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    tree = report_tree(sections=4)
    for section, title in zip(
        tree["sections"], ['=HYPERLINK("http://x")', "+SUM(A1)", "@cmd", "-2+3"], strict=True
    ):
        section.title = title
        section.save_revision().publish()
    tree["groups"][0].name = "=1+1 group"
    tree["groups"][0].save()
    react(tree["members"][0][:3], tree["sections"][0], "disagree")
    text = render_csv(report_build(paper=tree["paper"]))
    rows = list(csv.DictReader(io.StringIO(text)))
    titles = {row["section_title"] for row in rows}
    assert titles == {'\'=HYPERLINK("http://x")', "'+SUM(A1)", "'@cmd", "'-2+3"}
    assert {row["group_name"] for row in rows if row["group_key"] == f"group-{tree['groups'][0].pk}"} == {
        "'=1+1 group"
    }
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            # Only numbers we computed may start with "-".
            if value.startswith("-"):
                float(value)


def pdf_text(pdf, tmp_path, *options):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    tool = shutil.which("pdftotext")
    out = subprocess.run([tool, *options, str(path), "-"], capture_output=True, check=True).stdout  # noqa: S603
    return re.sub(r"\s+", " ", out.decode())


def test_the_pdf_text_has_every_section_heading_and_classification(tmp_path):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDF")
    tree = report_scenario()
    snapshot = report_build(paper=tree["paper"])
    pdf = render_pdf(snapshot)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path, "-layout")
    for section in snapshot["sections"]:
        assert f"{section['number']}. {section['title']}" in text
        assert section["classification"]["label"] in text
        assert section["classification"]["headline"] in text
    # The working behind each label is printed, not folded away.
    assert "How this was worked out" in text and "of those taking a side" in text
    assert "Contents" in text and "Method" in text
    assert "Page 1 of" in text
    tool = shutil.which("pdfinfo")
    info = subprocess.run([tool, str(tmp_path / "report.pdf")], capture_output=True, check=True)  # noqa: S603
    info = info.stdout.decode()
    assert re.search(r"Tagged:\s+yes", info)
    assert "Consensus report" in info


# ---------------------------------------------------------------- restriction


def _all_outputs(client, paper):
    base = paper.url
    return {
        kind: get_after_jobs(client, f"{base}{path}")
        for kind, path in (
            ("html", "report/"),
            ("pdf", "report.pdf"),
            ("csv", "report.csv"),
            ("json", "report.json"),
        )
    }


def _text_of(response, tmp_path):
    if response["Content-Type"].startswith("application/pdf"):
        return pdf_text(response.content, tmp_path)
    return response.content.decode()


def test_a_restricted_sections_text_appears_in_no_output_but_its_heading_and_reason_do(client, tmp_path):
    tree = report_scenario()
    s4 = tree["sections"][3]
    responses = _all_outputs(client, tree["paper"])
    for kind, response in responses.items():
        assert response.status_code == 200, kind
        text = _text_of(response, tmp_path)
        assert "SECRET-BODY-TEXT" not in text, kind
        assert "SECRET-COMMENT" not in text, kind
        assert s4.title in text, kind
        if kind != "csv":
            assert "Describes fraud detection thresholds." in text, kind
    assert responses["csv"]["Content-Disposition"].startswith("attachment;")


def _restrict_paper(paper):
    paper.restricted = True
    paper.restriction_category = "in_preparation"
    paper.restriction_reason = "Awaiting ministerial clearance."
    paper.save_revision().publish()


@pytest.mark.parametrize("who", ["anonymous", "member", "public"])
def test_a_restricted_papers_report_is_refused_in_every_format(client, who):
    tree = report_scenario()
    _restrict_paper(tree["paper"])
    if who == "member":
        client.force_login(tree["members"][0][0])
    elif who == "public":
        client.force_login(UserFactory())
    for kind, response in _all_outputs(client, tree["paper"]).items():
        assert response.status_code == 403, kind
        text = response.content.decode()
        assert "Awaiting ministerial clearance." in text, kind
        assert "Civil society" not in text and "SECRET" not in text, kind


def test_an_editor_may_read_a_restricted_papers_report_but_no_text_about_its_sections(client):
    tree = report_scenario()
    _restrict_paper(tree["paper"])
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    responses = _all_outputs(client, tree["paper"])
    assert all(r.status_code == 200 for r in responses.values())
    html = responses["html"].content.decode()
    assert "The duty to share is long overdue." not in html
    assert "This paper is restricted" in html


def test_the_report_of_an_unpublished_paper_is_not_found(client):
    tree = report_tree(sections=1)
    url = tree["paper"].url
    tree["paper"].unpublish()
    assert client.get(f"{url}report/").status_code == 404
    assert client.get(f"{url}report.json").status_code == 404


def test_report_pages_are_public_and_files_have_their_types(client):
    tree = report_scenario()
    responses = _all_outputs(client, tree["paper"])
    assert responses["pdf"]["Content-Type"] == "application/pdf"
    assert responses["csv"]["Content-Type"].startswith("text/csv")
    assert responses["json"]["Content-Type"].startswith("application/json")
    html = responses["html"].content.decode()
    assert 'lang="en-GB"' in html
    assert html.count('role="img"') == len(tree["sections"]) + 1  # one chart per section + the summary
    assert json.loads(responses["json"].content)["schema_version"] == 2


def test_a_new_section_is_in_the_next_report_straight_away(client):
    tree = report_scenario()
    assert client.get(f"{tree['paper'].url}report.json").status_code == 200
    SectionPageFactory(parent=tree["paper"], title="Late addition")
    data = json.loads(client.get(f"{tree['paper'].url}report.json").content)
    assert data["sections"][-1]["title"] == "Late addition"


def test_the_report_reflects_a_new_reaction_once_the_live_clock_moves(client):
    from consultation.reactions.broadcast import clock

    tree = report_scenario()
    s3 = tree["sections"][2]
    before = json.loads(client.get(f"{tree['paper'].url}report.json").content)
    react(tree["members"][2][:3], s3, "agree")
    clock().next(tree["paper"].pk)  # what the broadcast after commit does
    after = json.loads(client.get(f"{tree['paper'].url}report.json").content)
    assert section_of(before, s3)["overall"]["seen"] == 2
    assert section_of(after, s3)["overall"]["seen"] == 5


def test_anonymous_user_gets_the_public_report(rf):
    tree = report_scenario()
    assert AnonymousUser().has_perm("consultation.view_report", tree["paper"])


# ---------------------------------------------------------------- versions


def test_a_new_version_starts_fresh_tallies_and_the_report_says_what_changed(client):
    from consultation.versions.services import version_publish

    tree = report_scenario()
    paper, s1, s2 = tree["paper"], tree["sections"][0], tree["sections"][1]
    editor = UserFactory(is_superuser=True, is_staff=True)
    before = {s["id"]: s["overall"] for s in report_build(paper=paper)["sections"]}
    version_publish(paper=paper, actor=editor, change_note="First version.")
    s1.body = [("paragraph", f"<p>Body text of {s1.title}, now with a safeguard.</p>")]
    s1.save_revision().publish()
    version_publish(paper=paper, actor=editor, change_note="Adds a safeguard.")
    paper.refresh_from_db()

    snapshot = report_build(paper=paper)
    assert snapshot["paper"]["version_label"] == "v2"
    # The reworded section starts from nothing, with v1's figures beside it;
    # every unchanged section keeps its reactions (issue 12: versions without amnesia).
    assert section_of(snapshot, s1)["overall"]["seen"] == 0
    assert section_of(snapshot, s1)["previous"]["label"] == "v1"
    assert section_of(snapshot, s1)["previous"]["overall"] == before[s1.pk]
    for other in tree["sections"][1:]:
        assert section_of(snapshot, other)["overall"] == before[other.pk]
        assert section_of(snapshot, other)["previous"] is None
    assert snapshot["changes"]["previous_label"] == "v1"
    assert snapshot["changes"]["sections_changed"] == 1
    # Comments made on v1 are still counted and quoted, labelled with their version
    # (the report used to say "Comments on sections 0" while the paper showed them).
    made = Comment.objects.filter(paper=paper, section__isnull=False).count()
    assert made > 0
    assert snapshot["participation"]["comments"] == made
    assert snapshot["participation"]["comments_by_version"] == [{"version": "v1", "comments": made}]
    quoted = section_of(snapshot, s2)["comments"]
    assert quoted["agree"] and quoted["disagree"]
    assert {c["version"] for c in quoted["agree"] + quoted["disagree"]} == {"v1"}
    assert f"{made} on v1" in render_body(snapshot)
    first = section_of(snapshot, s1)
    assert first["changes"]["status"] == "changed"
    # "Section 5." becomes "Section 5, now with a safeguard.": 1 word out, 5 in ("5," now with a safeguard.)
    assert (first["changes"]["words_added"], first["changes"]["words_removed"]) == (5, 1)
    assert section_of(snapshot, s2)["changes"]["status"] == "unchanged"
    # The restricted section: not even whether it changed is told.
    restricted = section_of(snapshot, tree["sections"][3])
    assert restricted["changes"] == {
        "status": "withheld",
        "words_added": None,
        "words_removed": None,
        "heading_changed": False,
    }
    html = render_body(snapshot)
    assert "Changes since v1" in html and "versions/compare/?from=1&amp;to=2" in html

    # The v1 report is still there to build, with v1's reactions.
    from consultation.models import PaperVersion

    v1 = report_build(paper=paper, version=PaperVersion.objects.get(paper=paper, number=1))
    assert section_of(v1, s1)["classification"]["key"] == "broad_consensus"
    assert v1["changes"] is None


# ---------------------------------------------------------------- what the cache may and may not keep


def test_a_hidden_comment_leaves_every_output_at_once(client, tmp_path):
    tree = report_scenario()
    base = tree["paper"].url
    assert "The duty to share is long overdue." in client.get(f"{base}report.json").content.decode()
    assert "The duty to share is long overdue." in pdf_text(
        get_after_jobs(client, f"{base}report.pdf").content, tmp_path
    )
    Comment.objects.filter(pk=tree["for_comment"].pk).update(
        hidden_at="2026-01-01T00:00Z", hidden_reason="Abuse"
    )
    for path in ("report/", "report/?fragment=body", "report.json"):
        assert "The duty to share is long overdue." not in client.get(f"{base}{path}").content.decode(), path
    assert "The duty to share is long overdue." not in pdf_text(
        get_after_jobs(client, f"{base}report.pdf").content, tmp_path
    )


def test_a_section_restricted_since_the_last_pdf_is_withheld_from_the_next(client, tmp_path):
    tree = report_scenario()
    base, s2 = tree["paper"].url, tree["sections"][1]
    assert "overrides local consent" in pdf_text(
        get_after_jobs(client, f"{base}report.pdf").content, tmp_path
    )
    s2.restricted = True
    s2.restriction_category = "personal_data"
    s2.restriction_reason = "Names a family."
    s2.save_revision().publish()
    text = pdf_text(get_after_jobs(client, f"{base}report.pdf").content, tmp_path)
    assert "overrides local consent" not in text and "Names a family." in text


def test_the_pdf_may_lag_the_live_tallies_but_says_when_its_figures_are_from(client, tmp_path, settings):
    from consultation.reactions.broadcast import clock

    # One time bucket for the whole test, so that no bucket boundary falls between the two requests.
    settings.REPORT_PDF_SECONDS = 10**9
    tree = report_scenario()
    base, s3 = tree["paper"].url, tree["sections"][2]
    first = get_after_jobs(client, f"{base}report.pdf").content
    react(tree["members"][2][:3], s3, "agree")
    clock().next(tree["paper"].pk)
    assert section_of(json.loads(client.get(f"{base}report.json").content), s3)["overall"]["seen"] == 5
    # Within REPORT_PDF_SECONDS the laid-out PDF is reused; it is stamped with its time.
    assert get_after_jobs(client, f"{base}report.pdf").content == first
    assert "Figures as of" in pdf_text(first, tmp_path)


# ---------------------------------------------------------------- the heat-map


def _heatmap_cells(html, table_id):
    from bs4 import BeautifulSoup

    table = BeautifulSoup(html, "html.parser").select_one(f"table#{table_id}")
    assert table is not None and table.caption.get_text(strip=True)
    headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    rows = {}
    for tr in table.select("tbody tr"):
        assert tr.th["scope"] == "row"
        rows[tr.th.get_text(" ", strip=True)] = [td.get_text(" ", strip=True) for td in tr.select("td")]
    return headers, rows


def test_the_heatmap_tops_the_report_and_the_paper_page_with_positions_in_words(client):
    tree = report_scenario()
    s1, s2, s3 = tree["sections"][:3]
    html = render_body(report_build(paper=tree["paper"]))
    # At the top: before the summary and the first section.
    assert html.index('id="report-heatmap"') < html.index('id="report-summary"')
    headers, rows = _heatmap_cells(html, "report-heatmap-table")
    assert headers[:2] == ["Section", "Overall"]
    assert headers[2:5] == list(GROUP_NAMES)
    contested = rows[f"2. {s2.title}"]
    assert contested[0] == "Contested"
    # Words as well as colour: the disagreeing group says "Disagrees", with its counts.
    assert contested[3] == "✗ Disagrees 0 agree, 6 disagree"
    assert rows[f"1. {s1.title}"][1] == "✓ Agrees 6 agree, 0 disagree"
    assert rows[f"3. {s3.title}"][1].startswith("… Not yet heard 1 reacted of 6")

    page = client.get(tree["paper"].url).content.decode()
    headers, rows = _heatmap_cells(page, "paper-heatmap")
    assert rows[f"2. {s2.title}"][3] == "✗ Disagrees 0 agree, 6 disagree"
