"""Word-level diffs: exact markup, escaping, paragraphs, and section matching by identity."""

from types import SimpleNamespace

from bs4 import BeautifulSoup

from consultation.versions.diff import Status, html_to_text, paper_diff, tokenize, word_diff


def marked(diff, tag):
    """The words inside <ins> or <del>, without their hidden labels, in order."""
    soup = BeautifulSoup(str(diff.html), "html.parser")
    runs = []
    for element in soup.find_all(tag):
        for hidden in element.select(".visually-hidden"):
            hidden.decompose()
        runs.append(element.get_text())
    return runs


def test_identical_text_has_no_changes_and_no_marks():
    diff = word_diff("The fund opens in April.", "The fund opens in April.")
    assert not diff.changed
    assert (diff.added, diff.removed) == (0, 0)
    assert "<ins" not in diff.html and "<del" not in diff.html


def test_one_replaced_word_is_one_deletion_and_one_insertion():
    diff = word_diff("The fund opens in April.", "The fund opens in June.")
    assert marked(diff, "del") == ["April."]
    assert marked(diff, "ins") == ["June."]
    assert (diff.added, diff.removed) == (1, 1)


def test_changes_carry_text_labels_not_only_styling():
    diff = word_diff("keep old", "keep new")
    soup = BeautifulSoup(str(diff.html), "html.parser")
    assert soup.find("ins").get_text() == "[added: new]"
    assert soup.find("del").get_text() == "[removed: old]"
    assert soup.find("ins").find(class_="visually-hidden") is not None


def test_whitespace_differences_are_not_changes():
    assert not word_diff("a  b\tc", "a b c").changed


def test_a_small_edit_in_a_long_repetitive_text_stays_small():
    old = " ".join(["the data is shared with the council"] * 60)
    new = old.replace("shared with the council", "shared with the board", 1)
    diff = word_diff(old, new)
    assert marked(diff, "del") == ["council"]
    assert marked(diff, "ins") == ["board"]


def test_user_text_is_escaped_in_the_diff():
    diff = word_diff("safe", 'safe <script>alert("x")</script> <img src=x onerror=alert(1)>')
    html = str(diff.html)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_paragraph_breaks_are_kept_and_a_new_paragraph_is_marked_added():
    diff = word_diff(
        "First paragraph.\nSecond paragraph.", "First paragraph.\nNew one here.\nSecond paragraph."
    )
    assert len(diff.paragraphs) == 3
    assert marked(diff, "ins") == ["New one here."]
    assert marked(diff, "del") == []


def test_html_to_text_gives_one_line_per_block_and_keeps_table_cells_apart():
    html = (
        "<div><p>Intro <b>bold</b> text.</p><ol><li>One</li><li>Two</li></ol>"
        "<table><caption>Costs</caption><tr><th>Year</th><td>2026</td></tr></table>"
        "<script>ignored()</script></div>"
    )
    assert html_to_text(html).split("\n") == ["Intro bold text.", "One", "Two", "Costs", "Year | 2026"]


def test_tokenize_skips_empty_lines():
    assert tokenize("a\n\n\nb") == ["a", "\n", "b"]


# ---------------------------------------------------------------- whole papers


def snap(section_id, position, heading, text, public=True):
    return SimpleNamespace(
        section_id=section_id, position=position, heading=heading, body_text=text, public=public
    )


def by_id(diff):
    return {c.section_id: c for c in diff.changes}


def test_sections_are_matched_by_identity_not_position():
    old = [snap(1, 1, "Scope", "a"), snap(2, 2, "Costs", "b"), snap(3, 3, "Safeguards", "c")]
    new = [snap(2, 1, "Costs", "b"), snap(1, 2, "Scope", "a"), snap(3, 3, "Safeguards", "c")]
    diff = paper_diff(old, new, is_public=lambda s: s.public)
    changes = by_id(diff)
    assert all(c.status == Status.UNCHANGED for c in diff.changes)
    # Exactly one of the swapped pair is "moved": the smallest explanation.
    assert sum(c.moved for c in diff.changes) == 1
    assert not changes[3].moved


def test_added_removed_and_renamed_sections():
    old = [snap(1, 1, "Scope", "a"), snap(2, 2, "Costs", "b c"), snap(3, 3, "Old annex", "gone")]
    new = [
        snap(1, 1, "Scope", "a"),
        snap(2, 2, "Costs and benefits", "b c"),
        snap(4, 3, "New annex", "fresh"),
    ]
    diff = paper_diff(old, new, is_public=lambda s: s.public)
    changes = by_id(diff)
    assert changes[1].status == Status.UNCHANGED
    assert changes[2].status == Status.CHANGED and changes[2].heading_changed
    assert marked(changes[2].heading, "ins") == ["and benefits"]
    assert changes[3].status == Status.REMOVED
    assert marked(changes[3].body, "del") == ["gone"]
    assert changes[4].status == Status.ADDED
    assert marked(changes[4].body, "ins") == ["fresh"]
    assert [c.section_id for c in diff.changes] == [1, 2, 3, 4]
    assert (diff.changed, diff.added, diff.removed, diff.moved) == (1, 1, 1, 0)


def test_a_section_restricted_on_either_side_reveals_nothing_of_its_text():
    old = [snap(1, 1, "Thresholds", "secret old words", public=False), snap(2, 2, "Open", "x")]
    new = [
        snap(1, 1, "Thresholds", "secret new words"),
        snap(2, 2, "Open", "x"),
        snap(3, 3, "Late", "t", False),
    ]
    diff = paper_diff(old, new, is_public=lambda s: s.public)
    changes = by_id(diff)
    assert changes[1].text_withheld and changes[1].body is None
    assert changes[1].status == Status.WITHHELD
    # An added restricted section is shown as added, without its text.
    assert changes[3].status == Status.ADDED and changes[3].body is None and changes[3].text_withheld
    assert diff.withheld == 2
    assert (diff.changed, diff.added) == (0, 1)
