"""The PDF of a small synthetic report carries every section's figures as text.

On paper the charts are left out (their tables carry the same numbers) and sections follow
one another; this reads the PDF back with pdftotext and finds, under each section's own
heading, the row of figures of every group, the section's headline figures and every
quoted comment with its reactions."""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from consultation.models import PolicyPaperPage
from consultation.report.builder import report_build
from consultation.report.render import render_pdf, signed_percent_text
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


def _run(tool, *args):
    if not shutil.which(tool):
        pytest.fail(f"{tool} (poppler-utils) is needed to read the PDF")
    return subprocess.run([shutil.which(tool), *args], capture_output=True, check=True).stdout.decode()  # noqa: S603


def _squeeze(text):
    return re.sub(r"\s+", " ", text).strip()


def _row(*cells):
    """Cells of one table row as pdftotext -layout prints them: in order on one line."""
    return re.compile(r"[ \t]+".join(re.escape(str(cell)) for cell in cells))


def test_the_pdf_text_carries_every_sections_figures_and_comments(tmp_path):
    build_site_tree(sections=1)
    call_command("generate_synthetic", sections=3, comments=30, reactions=300, groups=5, seed=3)
    paper = PolicyPaperPage.objects.get(title__startswith="Synthetic paper")
    snapshot = report_build(paper=paper)
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(snapshot))
    text = _run("pdftotext", "-layout", str(path), "-")
    assert re.search(r"Tagged:\s+yes", _run("pdfinfo", str(path)))

    # Each section's part runs from its own heading (the last line naming it: the contents
    # and the summary name it first) to the next section's heading.
    starts = []
    for section in snapshot["sections"]:
        label = re.escape(f"{section['number']}. {section['title']}")
        heading = re.compile(rf"^\s*{label}\s*$", re.M)
        starts.append(list(heading.finditer(text))[-1].start())
    ends = [*starts[1:], text.rindex("Method")]
    assert starts == sorted(starts)

    for section, start, end in zip(snapshot["sections"], starts, ends, strict=True):
        part = text[start:end]
        flat = _squeeze(part)
        overall = section["overall"]
        assert f"Reactions: {overall['seen']}" in flat
        assert (
            f"Support across working groups: {signed_percent_text(section['statistic']['support'])}" in flat
        )
        statistic = section["statistic"]
        assert f"{statistic['groups_heard']} of {statistic['groups_in_verdict']}" in flat
        assert _row(
            "All reactions", "–", overall["agree"], overall["neutral"], overall["disagree"], overall["seen"]
        ).search(part), section["title"]
        for row in section["groups"]:
            members = "–" if row["size"] is None else row["size"]
            percent = "–" if row["agree_percent"] is None else f"{row['agree_percent']}%"
            cells = (
                members,
                row["agree"],
                row["neutral"],
                row["disagree"],
                row["seen"],
                row["quorum"],
                percent,
            )
            assert _row(*cells).search(part), (section["title"], row["name"], cells)
            assert row["position_label"] in flat
        quoted = [c for side in section["comments"].values() for c in side]
        assert quoted, section["title"]
        for comment in quoted:
            assert _squeeze(comment["text"]) in flat
            assert f"{comment['agree']} agree, {comment['disagree']} disagree" in flat
