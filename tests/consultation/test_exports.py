"""Per-vote exports in the Pol.is shape: refusals first, then pseudonyms, the small-group rule,
and the demo paper's export read back into the report's tallies, section by section and group
by group (docs/exports.md)."""

import csv
import io
import zipfile
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Site

from consultation.comments.services import comment_hide
from consultation.demo import content
from consultation.exports.render import FILES
from consultation.models import PaperVersion, PolicyPaperPage, SectionPage
from consultation.opinions.selectors import OTHER_LABEL, PUBLIC_LABEL, VoteSet, published_groups, voter_id
from consultation.opinions.selectors import Vote as VoteRow
from consultation.report.builder import report_build
from tests.support.contributions import add_comment, propose, react
from tests.support.factories import UserFactory
from tests.support.trees import report_tree, restrict

pytestmark = pytest.mark.django_db

POLIS_COLUMNS = {
    "comments.csv": [
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ],
    "votes.csv": ["timestamp", "datetime", "comment-id", "voter-id", "vote"],
    "participants-votes.csv": ["participant", "group-id"],
}
VOTE_VALUE = {"1": "agree", "-1": "disagree", "0": "neutral"}


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


def _dicts(text):
    return list(csv.DictReader(io.StringIO(text)))


def _export(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name.rsplit("/", 1)[1]: archive.read(name).decode() for name in archive.namelist()}


# ---------------------------------------------------------------- refusals


def test_a_restricted_paper_s_export_is_refused_with_the_reason(client):
    tree = report_tree(per_group=2)
    paper = restrict(tree["paper"])
    for name in ("export.zip", *FILES):
        response = client.get(
            reverse("consultation:paper_export", kwargs={"paper_id": paper.pk, "name": name})
        )
        assert response.status_code == 403
        assert b"restricted" in response.content.lower()


def test_an_unknown_version_or_paper_is_not_found(client):
    tree = report_tree(per_group=1)
    url = reverse(
        "consultation:version_export", kwargs={"paper_id": tree["paper"].pk, "number": 9, "name": "votes.csv"}
    )
    assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("consultation:paper_export", kwargs={"paper_id": 99999, "name": "votes.csv"})
        ).status_code
        == 404
    )


def test_a_restricted_section_never_appears_in_any_file(client):
    tree = report_tree(per_group=5)
    secret, open_section = tree["sections"][0], tree["sections"][1]
    everyone = [m for members in tree["members"] for m in members]
    react(everyone, secret, "agree")
    react(everyone[:3], open_section, "disagree")
    secret = restrict(secret)
    files = _export(
        client,
        reverse("consultation:paper_export", kwargs={"paper_id": tree["paper"].pk, "name": "export.zip"}),
    )
    assert set(files) == set(FILES)
    statement_ids = {row["comment-id"] for row in _dicts(files["comments.csv"])}
    assert str(secret.pk) not in statement_ids and str(open_section.pk) in statement_ids
    assert {row["comment-id"] for row in _dicts(files["votes.csv"])} == {str(open_section.pk)}
    assert str(secret.pk) not in _rows(files["participants-votes.csv"])[0]
    assert secret.title not in "".join(files.values())
    # Only the three who voted on a public section are participants.
    assert len(_dicts(files["participants-votes.csv"])) == 3


# ---------------------------------------------------------------- pseudonyms


def test_voter_ids_are_pseudonymous_and_stable_within_a_consultation_only(client):
    tree = report_tree(per_group=2)
    everyone = [m for members in tree["members"] for m in members]
    react(everyone, tree["sections"][0], "agree")
    paper_files = _export(
        client,
        reverse("consultation:paper_export", kwargs={"paper_id": tree["paper"].pk, "name": "export.zip"}),
    )
    whole = _export(
        client,
        reverse(
            "consultation:consultation_export",
            kwargs={"consultation_id": tree["consultation"].pk, "name": "export.zip"},
        ),
    )
    ids = {row["voter-id"] for row in _dicts(paper_files["votes.csv"])}
    assert ids == {row["voter-id"] for row in _dicts(whole["votes.csv"])}
    assert len(ids) == len(everyone)
    text = "".join(paper_files.values())
    for person in everyone:
        assert person.username not in text and person.email not in text
        assert str(person.pk) not in ids
    assert voter_id(consultation_id=1, user_id=7) == voter_id(consultation_id=1, user_id=7)
    assert voter_id(consultation_id=1, user_id=7) != voter_id(consultation_id=2, user_id=7)


# ---------------------------------------------------------------- the small-group rule


def _voteset(sizes):
    """A vote set with `sizes` {group id or None: participants}, one vote each."""
    voteset = VoteSet(consultation_id=1, group_names={g: f"G{g}" for g in sizes if g is not None})
    user = 0
    for group, n in sizes.items():
        for _ in range(n):
            user += 1
            voteset.votes.append(VoteRow(user, 1, 1, None, group))
    return voteset


def test_groups_below_the_minimum_are_published_as_other():
    labels = published_groups(_voteset({1: 6, 2: 2, 3: 3, None: 7}), minimum=5)
    assert labels == {1: "G1", 2: OTHER_LABEL, 3: OTHER_LABEL, None: PUBLIC_LABEL}


def test_an_other_still_below_the_minimum_takes_in_the_next_smallest_group():
    labels = published_groups(_voteset({1: 6, 2: 2, None: 9}), minimum=5)
    assert labels == {1: OTHER_LABEL, 2: OTHER_LABEL, None: PUBLIC_LABEL}


def test_an_export_smaller_than_the_minimum_names_no_group():
    assert set(published_groups(_voteset({1: 2, None: 1}), minimum=5).values()) == {OTHER_LABEL}


def test_every_group_at_the_minimum_keeps_its_name():
    assert published_groups(_voteset({1: 5, 2: 5}), minimum=5) == {1: "G1", 2: "G2"}


# ---------------------------------------------------------------- the demo, read back


def _tallies_from(files):
    """Overall and per-published-group counts recomputed from votes.csv alone; checked against
    comments.csv and participants-votes.csv on the way."""
    overall, by_group = {}, {}
    for row in _dicts(files["votes.csv"]):
        choice = VOTE_VALUE[row["vote"]]
        overall.setdefault(int(row["comment-id"]), Counter())[choice] += 1
        by_group.setdefault((int(row["comment-id"]), row["group"]), Counter())[choice] += 1
    for row in _dicts(files["comments.csv"]):
        counts = overall.get(int(row["comment-id"]), Counter())
        assert (int(row["agrees"]), int(row["disagrees"]), int(row["passes"])) == (
            counts["agree"],
            counts["disagree"],
            counts["neutral"],
        )
    matrix = _rows(files["participants-votes.csv"])
    header = matrix[0]
    first_vote = header.index("n-disagree") + 1
    from_matrix = {}
    for row in matrix[1:]:
        for statement, value in zip(header[first_vote:], row[first_vote:], strict=True):
            if value != "":
                from_matrix.setdefault(int(statement), Counter())[VOTE_VALUE[value]] += 1
    assert from_matrix == {k: v for k, v in overall.items() if v}
    return overall, by_group


def _check_against_report(files, snapshot):
    overall, by_group = _tallies_from(files)
    shown = [s for s in snapshot["sections"] if not s["restricted"]]
    assert {int(r["comment-id"]) for r in _dicts(files["comments.csv"])} == {s["id"] for s in shown}
    labels = {row["group"] for row in _dicts(files["votes.csv"])}
    checked = 0
    for section in shown:
        counts = overall.get(section["id"], Counter())
        expected = section["overall"]
        assert (counts["agree"], counts["disagree"], counts["neutral"]) == (
            expected["agree"],
            expected["disagree"],
            expected["neutral"],
        ), section["title"]
        other = Counter()
        for group in section["groups"]:
            label = PUBLIC_LABEL if group["kind"] == "public" else group["name"]
            if label in labels:
                got = by_group.get((section["id"], label), Counter())
                assert (got["agree"], got["disagree"], got["neutral"]) == (
                    group["agree"],
                    group["disagree"],
                    group["neutral"],
                ), (section["title"], label)
                checked += 1
            else:
                other.update({k: group[k] for k in ("agree", "disagree", "neutral")})
        got = by_group.get((section["id"], OTHER_LABEL), Counter())
        assert (got["agree"], got["disagree"], got["neutral"]) == (
            other["agree"],
            other["disagree"],
            other["neutral"],
        ), section["title"]
    return checked


@pytest.fixture
def demo_paper():
    call_command("load_demo", stdout=StringIO())
    Site.clear_site_root_paths_cache()
    return PolicyPaperPage.objects.get(slug=content.PAPER_SLUG)


def test_the_demo_export_reads_back_into_the_report_s_tallies(client, settings, demo_paper):
    paper = demo_paper
    secret = SectionPage.objects.get(slug=content.RESTRICTED_SECTION_SLUG)
    # Every declared group named (a minimum of one), then the default rule (groups merged).
    for minimum in (1, 5):
        settings.EXPORT_MIN_GROUP_SIZE = minimum
        files = _export(
            client, reverse("consultation:paper_export", kwargs={"paper_id": paper.pk, "name": "export.zip"})
        )
        for name, columns in POLIS_COLUMNS.items():
            assert _rows(files[name])[0][: len(columns)] == columns
        assert content.RESTRICTED_BODY_SENTENCE not in "".join(files.values())
        assert str(secret.pk) not in {r["comment-id"] for r in _dicts(files["comments.csv"])}
        checked = _check_against_report(files, report_build(paper=paper))
        if minimum == 1:
            assert checked > 10  # every working group of every section, by name
        # The separate files are the zip's.
        for name in FILES:
            response = client.get(
                reverse("consultation:paper_export", kwargs={"paper_id": paper.pk, "name": name})
            )
            assert response["Content-Type"].startswith("text/csv")
            assert response.content.decode() == files[name]
    # Each published version reads back into that version's report.
    settings.EXPORT_MIN_GROUP_SIZE = 1
    for version in PaperVersion.objects.filter(paper=paper):
        files = _export(
            client,
            reverse(
                "consultation:version_export",
                kwargs={"paper_id": paper.pk, "number": version.number, "name": "export.zip"},
            ),
        )
        _check_against_report(files, report_build(paper=paper, version=version))


def test_the_report_page_links_every_export(client, demo_paper):
    body = client.get(f"{demo_paper.url}report/").content.decode()
    assert (
        reverse("consultation:paper_export", kwargs={"paper_id": demo_paper.pk, "name": "export.zip"}) in body
    )
    assert (
        reverse(
            "consultation:consultation_export",
            kwargs={"consultation_id": demo_paper.consultation.pk, "name": "votes.csv"},
        )
        in body
    )


def test_comments_and_proposals_as_statements_only_where_public_and_shown(client):
    tree = report_tree(per_group=5)
    secret, open_section = tree["sections"][0], tree["sections"][1]
    author, voter = tree["members"][0][0], tree["members"][1][0]
    on_secret = add_comment(author, secret, text="About the secret MARKSECRET")
    shown = add_comment(author, open_section, text="A fair clause SHOWNTEXT")
    hidden = add_comment(author, open_section, text="Hidden words MARKHIDDEN")
    comment_hide(comment=hidden, moderator=UserFactory(is_superuser=True), reason="Off topic.")
    proposal = propose(author, open_section, text="Better words PROPOSALTEXT")
    react([voter], shown, "agree")
    react([voter], proposal, "disagree")
    react([voter], open_section, "agree")
    react([voter], on_secret, "agree")
    restrict(secret)
    url = reverse("consultation:paper_export", kwargs={"paper_id": tree["paper"].pk, "name": "export.zip"})
    files = _export(client, url + "?statements=all")
    text = "".join(files.values())
    assert "SHOWNTEXT" in text and "PROPOSALTEXT" in text
    assert "MARKSECRET" not in text and "MARKHIDDEN" not in text
    statements = {(r["kind"], r["target-id"]): r for r in _dicts(files["comments.csv"])}
    open_sections = [str(section.pk) for section in tree["sections"][1:]]
    assert set(statements) == {
        *(("section", pk) for pk in open_sections),
        ("comment", str(shown.pk)),
        ("proposal", str(proposal.pk)),
    }
    # Numbered 0, 1, 2… as Pol.is numbers statements; authors never linked to a voter id.
    assert sorted(int(r["comment-id"]) for r in statements.values()) == list(range(len(statements)))
    assert {r["author-id"] for r in statements.values()} == {""}
    votes = {(r["comment-id"], r["vote"]) for r in _dicts(files["votes.csv"])}
    assert votes == {
        (statements[("section", str(open_section.pk))]["comment-id"], "1"),
        (statements[("comment", str(shown.pk))]["comment-id"], "1"),
        (statements[("proposal", str(proposal.pk))]["comment-id"], "-1"),
    }
    # Without the option: sections only, by their page ids.
    plain = _export(client, url)
    assert [r["comment-id"] for r in _dicts(plain["comments.csv"])] == open_sections
