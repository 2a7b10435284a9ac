"""Word-level differences between two wordings, and between two versions of a paper.

Pure functions over plain text (no database): the selectors decide what may be
shown and hand over only public text. Output HTML escapes every word and marks
changes with `<ins>`/`<del>`, each carrying a visually hidden “added” /
“removed” label, so the change never depends on colour or on styling alone.

Text comes as one paragraph per line. Whitespace inside a paragraph is not
significant; a paragraph break is a token of its own, so joining or splitting
paragraphs shows as a change.
"""

import difflib
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import mark_safe

PARAGRAPH = "\n"

# Tags whose end starts a new line of plain text.
_BLOCK_TAGS = {
    "address", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
    "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
}  # fmt: skip
_CELL_TAGS = {"td", "th"}
_SKIP_TAGS = {"script", "style", "template"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = [[]]
        self.skipping = 0

    def _break(self):
        if self.lines[-1]:
            self.lines.append([])

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS or tag == "br":
            self._break()
        elif tag in _CELL_TAGS and self.lines[-1]:
            # Keep table cells apart so words of neighbouring cells never merge.
            self.lines[-1].append(" | ")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data):
        if not self.skipping:
            self.lines[-1].append(data)

    def text(self):
        lines = (" ".join("".join(parts).split()) for parts in self.lines)
        return "\n".join(line for line in lines if line)


def html_to_text(html):
    """Plain text of rendered HTML: one block (paragraph, list item, row) per line."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    return extractor.text()


def tokenize(text):
    tokens = []
    for index, line in enumerate((text or "").split("\n")):
        words = line.split()
        if not words:
            continue
        if index and tokens:
            tokens.append(PARAGRAPH)
        tokens.extend(words)
    return tokens


@dataclass
class WordDiff:
    """The marked-up difference between two wordings, one HTML string per paragraph."""

    paragraphs: list = field(default_factory=list)
    added: int = 0
    removed: int = 0

    @property
    def changed(self):
        return bool(self.added or self.removed)

    @property
    def inline(self):
        """The paragraphs run together, for a heading."""
        # Built from escaped words and our own fixed tags, like `html`.
        return mark_safe(" ".join(str(p) for p in self.paragraphs))  # noqa: S308

    @property
    def html(self):
        # Each paragraph was built from escaped words and our own fixed tags.
        return mark_safe("".join(f"<p>{p}</p>" for p in self.paragraphs))  # noqa: S308


_MARKUP = {
    "ins": (
        '<ins><span class="visually-hidden">[added: </span>',
        '<span class="visually-hidden">]</span></ins>',
    ),
    "del": (
        '<del><span class="visually-hidden">[removed: </span>',
        '<span class="visually-hidden">]</span></del>',
    ),
}


def _paragraph_html(runs):
    """Join (kind, words) runs into one paragraph, merging neighbours of the same kind."""
    merged = []
    for kind, words in runs:
        if merged and merged[-1][0] == kind:
            merged[-1][1].extend(words)
        else:
            merged.append((kind, list(words)))
    parts = []
    for kind, words in merged:
        text = escape(" ".join(words))
        if kind == "equal":
            parts.append(text)
        else:
            start, end = _MARKUP[kind]
            parts.append(f"{start}{text}{end}")
    return " ".join(parts)


def _opcodes(old, new):
    """difflib's opcodes, after setting aside the common start and end.

    SequenceMatcher takes the longest matching block first, which in repetitive
    text (policy prose repeats itself) can pair a paragraph with a later copy of
    itself and report a one-word edit as a whole paragraph moved. Trimming the
    shared start and end first keeps a small edit small, and is faster."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    middle_old, middle_new = old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]
    if prefix:
        yield ("equal", 0, prefix, 0, prefix)
    # autojunk off: policy text repeats common words, and junk heuristics would
    # turn small edits into large replaced blocks.
    matcher = difflib.SequenceMatcher(None, middle_old, middle_new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        yield (op, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix)
    if suffix:
        yield ("equal", len(old) - suffix, len(old), len(new) - suffix, len(new))


def word_diff(old_text, new_text):
    """Compare two wordings word by word."""
    old, new = tokenize(old_text), tokenize(new_text)
    result = WordDiff()
    paragraphs, runs = [], []

    def emit(kind, tokens):
        nonlocal runs
        words = []
        for token in tokens:
            if token == PARAGRAPH:
                if words:
                    runs.append((kind, words))
                    words = []
                if runs:
                    paragraphs.append(runs)
                    runs = []
            else:
                words.append(token)
        if words:
            runs.append((kind, words))

    for op, i1, i2, j1, j2 in _opcodes(old, new):
        if op == "equal":
            emit("equal", old[i1:i2])
            continue
        if op in ("delete", "replace"):
            emit("del", old[i1:i2])
            result.removed += sum(1 for t in old[i1:i2] if t != PARAGRAPH)
        if op in ("insert", "replace"):
            emit("ins", new[j1:j2])
            result.added += sum(1 for t in new[j1:j2] if t != PARAGRAPH)
    if runs:
        paragraphs.append(runs)
    # _paragraph_html escapes every word; the only markup is our own fixed tags.
    result.paragraphs = [mark_safe(_paragraph_html(p)) for p in paragraphs]  # noqa: S308
    return result


# ---------------------------------------------------------------- whole papers


class Status:
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"
    # In both versions, but the text of one side is restricted: whether it
    # changed is itself a fact about the text, so it is not told.
    WITHHELD = "withheld"


@dataclass
class SectionChange:
    """One section's fate between two versions.

    `old` and `new` are the two snapshots (either may be None for an added or
    removed section). `text_withheld` means the text of at least one side is
    restricted: then `body` is None and nothing of the text is revealed, not
    even whether it changed.
    """

    section_id: int
    old: object
    new: object
    status: str
    moved: bool = False
    text_withheld: bool = False
    heading: WordDiff = None
    body: WordDiff = None

    @property
    def current(self):
        return self.new or self.old

    @property
    def heading_changed(self):
        return self.old is not None and self.new is not None and self.old.heading != self.new.heading


@dataclass
class PaperDiff:
    changes: list

    def count(self, status):
        return sum(1 for change in self.changes if change.status == status)

    @property
    def changed(self):
        return self.count(Status.CHANGED)

    @property
    def added(self):
        return self.count(Status.ADDED)

    @property
    def removed(self):
        return self.count(Status.REMOVED)

    @property
    def moved(self):
        return sum(1 for change in self.changes if change.moved)

    @property
    def withheld(self):
        return sum(1 for change in self.changes if change.text_withheld)

    @property
    def has_changes(self):
        return any(
            c.status not in (Status.UNCHANGED, Status.WITHHELD) or c.moved or c.heading_changed
            for c in self.changes
        )


def paper_diff(old_sections, new_sections, *, is_public):
    """Compare two versions section by section.

    Sections are matched by their stable id (`section_id`), so renamed and
    reordered sections are recognised. A section whose place relative to the
    others changed is marked as moved (the sections outside the longest run
    kept in order). `is_public(snapshot)` says whether a snapshot's text may be
    shown; when it is false for either side, the section's text is withheld.

    The result lists the new version's sections in order, with each removed
    section placed after the section that preceded it in the old version.
    """
    old_by_id = {s.section_id: s for s in old_sections}
    new_by_id = {s.section_id: s for s in new_sections}
    old_order = [s.section_id for s in old_sections]
    new_order = [s.section_id for s in new_sections]

    common_old = [sid for sid in old_order if sid in new_by_id]
    common_new = [sid for sid in new_order if sid in old_by_id]
    in_order = set()
    matcher = difflib.SequenceMatcher(None, common_old, common_new, autojunk=False)
    for block in matcher.get_matching_blocks():
        in_order.update(common_old[block.a : block.a + block.size])

    def change_for(sid):
        old, new = old_by_id.get(sid), new_by_id.get(sid)
        withheld = any(side is not None and not is_public(side) for side in (old, new))
        heading = word_diff(old.heading if old else "", new.heading if new else "")
        if old is None:
            status = Status.ADDED
        elif new is None:
            status = Status.REMOVED
        elif withheld:
            status = Status.WITHHELD
        else:
            status = (
                Status.CHANGED
                if (old.body_text != new.body_text or old.heading != new.heading)
                else Status.UNCHANGED
            )
        body = None
        if not withheld:
            body = word_diff(old.body_text if old else "", new.body_text if new else "")
        return SectionChange(
            section_id=sid,
            old=old,
            new=new,
            status=status,
            moved=old is not None and new is not None and sid not in in_order,
            text_withheld=withheld,
            heading=heading,
            body=body,
        )

    # Removed sections follow the nearest earlier old section that survives.
    removed_after = {}
    anchor = None
    for sid in old_order:
        if sid in new_by_id:
            anchor = sid
        else:
            removed_after.setdefault(anchor, []).append(sid)

    changes = [change_for(sid) for sid in removed_after.get(None, [])]
    for sid in new_order:
        changes.append(change_for(sid))
        changes.extend(change_for(removed) for removed in removed_after.get(sid, []))
    return PaperDiff(changes=changes)
