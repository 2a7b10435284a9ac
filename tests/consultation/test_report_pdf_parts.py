"""A report's PDF laid out in parts on two processes and joined is one whole PDF: tagged, its
contents numbered with the pages the sections are on, every page's footer counting the whole
document, its links and bookmarks reaching sections laid out by the other process."""

import logging
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from consultation.models import PolicyPaperPage
from consultation.report.builder import report_build
from consultation.report.render import PDF_OPTIONS, pdf_document
from tests.support.trees import build_site_tree

pytestmark = pytest.mark.django_db


def _run(tool, *args):
    if not shutil.which(tool):
        pytest.fail(f"{tool} (poppler-utils) is needed to read the PDF")
    return subprocess.run([shutil.which(tool), *args], capture_output=True, check=True).stdout.decode()  # noqa: S603


@pytest.fixture
def snapshot():
    build_site_tree(sections=1)
    call_command("generate_synthetic", sections=5, comments=40, reactions=400, groups=3, seed=5)
    return report_build(paper=PolicyPaperPage.objects.get(title__startswith="Synthetic paper"))


def _bookmark_labels(tree):
    return [(label, _bookmark_labels(children)) for label, _target, children, _state in tree]


def test_the_parts_join_into_one_tagged_pdf_with_contents_footers_links_and_bookmarks(
    snapshot, tmp_path, caplog
):
    whole = pdf_document(snapshot, in_parts=False)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        joined = pdf_document(snapshot, in_parts=True)
        path = tmp_path / "report.pdf"
        path.write_bytes(joined.write_pdf(**PDF_OPTIONS))
    # Every internal link found its anchor, though the contents and the sections were laid out apart.
    assert not [r for r in caplog.records if "No anchor" in r.getMessage()]
    assert not [r for r in caplog.records if r.name == "consultation.report.render"]  # no fallback

    info = _run("pdfinfo", str(path))
    assert re.search(r"Tagged:\s+yes", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == len(joined.pages) >= len(whole.pages)
    text = _run("pdftotext", "-layout", str(path), "-").split("\f")[:pages]

    # Each page's footer counts the whole document.
    for number, page_text in enumerate(text, start=1):
        assert f"Page {number} of {pages}" in page_text

    # The contents give the page each section's heading is on.
    sections = snapshot["sections"]
    assert len(sections) == 5
    for section in sections:
        label = f"{section['number']}. {section['title']}"
        printed = re.search(rf"^\s*{re.escape(label)}[ .]*\s(\d+)\s*$", text[0] + text[1], re.M)
        assert printed, label
        heading = re.compile(rf"^\s*{re.escape(label)}\s*$", re.M)
        on = [number for number, page_text in enumerate(text, start=1) if heading.search(page_text)]
        assert on and int(printed.group(1)) == on[-1], (label, printed.group(1), on)

    # The sections of both parts are named destinations and in the tag tree; the outline is the same.
    destinations = _run("pdfinfo", "-dests", str(path))
    structure = _run("pdfinfo", "-struct-text", str(path))
    for section in sections:
        assert section["anchor"] in destinations
        assert f"{section['number']}. {section['title']}" in structure
    assert _bookmark_labels(joined.make_bookmark_tree()) == _bookmark_labels(whole.make_bookmark_tree())
    assert len(_bookmark_labels(joined.make_bookmark_tree())[0][1]) >= len(sections)


def test_parts_that_cannot_join_fall_back_to_the_whole_layout(snapshot, tmp_path, caplog, monkeypatch):
    """No answer from the process laying out the tail in time (here: none awaited at all) must not
    lose the report: it is laid out whole, the failure logged, and no process is left behind."""
    import multiprocessing

    from consultation.report import pdf_layout

    monkeypatch.setattr(pdf_layout, "TAIL_TIMEOUT_SECONDS", 0)
    # Every section in the tail, so that its process is still busy when this one, with only the
    # summary to lay out, first looks for its answer: an answer already there would be taken.
    monkeypatch.setattr(pdf_layout, "TAIL_SHARE", 1)
    whole = pdf_document(snapshot, in_parts=False)
    with caplog.at_level(logging.ERROR, logger="consultation.report.render"):
        fallen_back = pdf_document(snapshot, in_parts=True)
    assert [r for r in caplog.records if r.name == "consultation.report.render"], "the fallback is logged"
    assert "no answer from the process laying out the tail" in caplog.text
    assert not multiprocessing.active_children()  # the tail's process was killed and reaped

    path = tmp_path / "report.pdf"
    path.write_bytes(fallen_back.write_pdf(**PDF_OPTIONS))
    assert len(fallen_back.pages) == len(whole.pages)
    text = _run("pdftotext", "-layout", str(path), "-")
    pages = len(whole.pages)
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in text
    for section in snapshot["sections"]:
        assert f"{section['number']}. {section['title']}" in text
