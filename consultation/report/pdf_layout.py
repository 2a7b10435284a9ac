"""The report's PDF laid out on two cores and joined into one WeasyPrint document.

WeasyPrint lays out in one thread of Python, and the layout of a large report is most of its
time. So the document is laid out in three parts: the *front* (cover and contents), the *lead*
(summary, participation, sign-offs, changes and the first sections) and the *tail* (the other
sections and the method). A forked process lays out the tail while this one lays out the lead;
the tail's pages come back pickled and the three parts' pages are joined into one `Document`
(`Document.copy`), which is drawn and written as one PDF. Everything WeasyPrint derives from
the pages at writing time is therefore whole: the tag tree, the internal links (resolved across
all pages), the outline from the headings.

What one part cannot know alone is set from the others:

* the page numbers in the footers ("Page n of N"): each part's page counter is shifted by the
  pages before it and `pages` is the total, exchanged once both parts are paginated and before
  their margin boxes are laid out (`_install_page_numbering`);
* the contents' page numbers: the front is laid out after the lead, with the page on which each
  anchor landed printed as text instead of WeasyPrint's `target-counter` (the tail's anchors
  come ahead of its pages, while it is painted and pickled). The forked process lays it
  out once before the tail, with placeholder numbers as wide as any, to know how many pages it
  takes (each number floats right on its title's line, so they cannot change that); should it
  differ, the whole report is laid out again in one process.

Drawing is a quarter of the time, so each process also paints its own body pages ahead, into
recorded content streams, written out and compressed as the writing would, while the other is
still busy (`_record_paint`); writing the PDF then puts a recording in the page's stream
(`PaintedPage.paint`) instead of painting again. A recording is used only when it needs nothing
but fonts the writing has (no images, no transparency groups, patterns or shadings, no glyph
missing from its font): the page is painted at writing time otherwise, as WeasyPrint would.

Pages are pickled with their boxes' computed styles and text; the only objects of C libraries
they reference are the font configuration (the parent's one stands in for it) and Pango
layouts, which WeasyPrint has already deactivated after layout (they keep their text and are
set up again when drawn).
"""

import contextlib
import contextvars
import copyreg
import functools
import gc
import io
import multiprocessing
import pickle
import re
import time
import traceback
import typing
import zlib
from xml.etree import ElementTree

# Below this many sections one process is quicker than forking and joining.
PARTS_MIN_SECTIONS = 12
# The share of the sections the forked process lays out: this process also lays out the front,
# unpickles the tail's pages and draws every page.
TAIL_SHARE = 0.51
# Longer than any layout: past it the tail's process is taken to be stuck, and killed.
TAIL_TIMEOUT_SECONDS = 600
# A contents page number before the pages are known: as wide as any real one.
PLACEHOLDER_PAGE = 999

_page_numbering = contextvars.ContextVar("report_pdf_page_numbering", default=None)


class PhaseClock:
    """The CPU (`time.process_time`, this process only) and wall seconds of one process's phases,
    lap by lap: the benchmark prints them to show which process holds up the other."""

    def __init__(self):
        self.laps = []
        self._cpu, self._wall = time.process_time(), time.perf_counter()

    def lap(self, phase):
        cpu, wall = time.process_time(), time.perf_counter()
        self.laps.append((phase, cpu - self._cpu, wall - self._wall))
        self._cpu, self._wall = cpu, wall


class PartsDoNotJoin(Exception):
    """The parts could not be laid out or joined; the report is laid out in one process."""


def _install_page_numbering():
    """Let a part's footers count pages from where the part starts in the whole report.

    WeasyPrint lays out the margin boxes of all pages once the part is paginated, from each page's
    counters; the wrapper shifts `page` and sets `pages` for the render whose `_page_numbering`
    is set, and leaves every other render alone."""
    import weasyprint.layout

    original = weasyprint.layout.make_margin_boxes
    if getattr(original, "numbers_report_parts", False):
        return

    def make_margin_boxes(context, page, state):
        numbering = _page_numbering.get()
        if numbering is None:
            return original(context, page, state)
        # `page_maker` holds one state more than there are pages once pagination is done.
        offset, total = numbering(len(context.page_maker) - 1)
        quote_depth, counter_values, counter_scopes, page_groups = state
        counter_values = {**counter_values, "page": [counter_values["page"][-1] + offset], "pages": [total]}
        return original(context, page, (quote_depth, counter_values, counter_scopes, page_groups))

    make_margin_boxes.numbers_report_parts = True
    weasyprint.layout.make_margin_boxes = make_margin_boxes


def _install_page_references_cache():
    """Keep pydyf's list of page references while no page is added.

    `PDF.page_references` builds a tuple of every page's reference each time it is read, and
    WeasyPrint's tagging reads it once for each element of the tag tree: 40,000 times 129 pages
    for a 100-section report, about 0.6 s of a writing that cannot be shared between processes.
    Pages are only ever appended, so a tuple made for as many pages as there are is still right."""
    import pydyf

    build = pydyf.PDF.page_references
    if getattr(build.fget, "kept_while_no_page_is_added", False):
        return

    def page_references(pdf):
        kids = len(pdf.pages["Kids"])
        kept = vars(pdf).get("_page_references_kept")
        if kept is None or kept[0] != kids:
            kept = vars(pdf)["_page_references_kept"] = (kids, build.fget(pdf))
        return kept[1]

    kept_property = property(page_references)
    kept_property.fget.kept_while_no_page_is_added = True
    pydyf.PDF.page_references = kept_property


@contextlib.contextmanager
def collection_paused():
    """No cyclic garbage collection inside: layout, painting and (un)pickling make millions of
    objects, which live to the end, and each full collection walks them all again (about a sixth
    of the CPU of a 100-section report's layout, and four fifths of unpickling the tail's pages),
    for about a tenth more memory. Collection resumes as it was on leaving. It is paused for the
    whole process: a report's PDF is made by a job, in a worker process, one job at a time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _install_compression_level():
    """Compress the PDF's streams at `PDF_COMPRESSION_LEVEL` instead of pydyf's 9.

    Level 9 spent 0.6 s of the writing, which cannot be shared between processes, on the object
    stream holding the tag tree and on the cross-reference stream; level 6 takes a sixth of that,
    and a third of the time on the pages painted ahead, for a PDF about 5 % larger (100 sections:
    1.36 MB, 1.42 MB). pydyf's `Stream.data` as it is in pydyf 0.13, but for the level."""
    import pydyf

    if getattr(pydyf.Stream.data.fget, "compresses_at_report_level", False):
        return

    def data(stream):
        content = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
        extra = pydyf.Dictionary(stream.extra.copy())
        if stream.compress:
            extra["Filter"] = "/FlateDecode"
            compressor = zlib.compressobj(level=PDF_COMPRESSION_LEVEL)
            content = compressor.compress(content) + compressor.flush()
        extra["Length"] = len(content)
        return b"\n".join((extra.data, b"stream", content, b"endstream"))

    data.compresses_at_report_level = True
    pydyf.Stream.data = property(data)


def _once(function):
    """`function(pages)` called at the first margin box only (the exchange happens once a part)."""
    answer = []

    def numbering(pages):
        if not answer:
            answer.append(function(pages))
        return answer[0]

    return numbering


@functools.cache
def _report_html_class():
    """WeasyPrint's `HTML` with its user-agent stylesheet less the rules for every element's
    pseudo-elements that the report never makes: `::marker` applies to list items only, and no
    element floats into a footnote or note. As they were, they gave each of the 16,000 elements
    six pseudo-element styles to compute: about a tenth of the layout's CPU. Should WeasyPrint's
    stylesheet read differently, it is used as it is."""
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA

    stylesheet = UA.replace("\n::marker {", "\nli::marker {")
    stylesheet = re.sub(r"^::(footnote|note)-[a-z]+ \{[^}\n]*\}$", "", stylesheet, flags=re.MULTILINE)
    if stylesheet.count("li::marker") != 1 or re.search(r"^::", stylesheet, re.MULTILINE):
        return HTML
    user_agent = CSS(string=stylesheet, counter_style=CounterStyle())

    class ReportHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return super()._ua_stylesheets(forms) if forms else [user_agent]

    return ReportHTML


def lay_out(html, *, stylesheets, base_url, url_fetcher, font_config, options, numbering=None):
    """One HTML document laid out by WeasyPrint, its footers numbered by `numbering` if given."""
    HTML = _report_html_class()  # noqa: N806 (a class)

    _install_page_numbering()
    _install_page_references_cache()
    _install_compression_level()
    token = _page_numbering.set(numbering)
    try:
        with collection_paused():
            document = HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
            return document.render(stylesheets=stylesheets, font_config=font_config, **options)
    finally:
        _page_numbering.reset(token)


def _pickle_pages(pages, font_config):
    from weasyprint.layout.absolute import AbsolutePlaceholder

    class PagePickler(pickle.Pickler):
        # A placeholder forwards every attribute to its box, `__reduce_ex__` and `__setstate__`
        # included: pickle it as its own attributes. Drawn pages need of their boxes' HTML
        # elements only the tag and attributes (the tag tree's table headers' scope, links'
        # downloads); their children and text are laid out already: half the unpickling.
        dispatch_table = {
            **copyreg.dispatch_table,
            AbsolutePlaceholder: _reduce_placeholder,
            ElementTree.Element: _reduce_element,
        }

        def persistent_id(self, obj):
            return "font_config" if obj is font_config else None

    buffer = io.BytesIO()
    PagePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(pages)
    return buffer.getvalue()


def _reduce_element(element):
    return ElementTree.Element, (element.tag, dict(element.attrib))


def _reduce_placeholder(placeholder):
    return _restore_placeholder, (vars(placeholder),)


def _restore_placeholder(attributes):
    from weasyprint.layout.absolute import AbsolutePlaceholder

    placeholder = object.__new__(AbsolutePlaceholder)
    vars(placeholder).update(attributes)
    return placeholder


def _unpickle_pages(data, font_config):
    class PageUnpickler(pickle.Unpickler):
        def persistent_load(self, persistent_id):
            if persistent_id != "font_config":
                raise pickle.UnpicklingError(f"unknown persistent id {persistent_id!r}")
            return font_config

    return PageUnpickler(io.BytesIO(data)).load()


@collection_paused()
def _lay_out_tail(connection, front_html, tail_html, stylesheets, part_stylesheets, layout_options):
    """In the forked process: count the front's pages, lay out the tail, trade page counts for its
    numbering, send its pages."""
    try:
        clock = PhaseClock()
        front_pages = len(
            lay_out(
                front_html, stylesheets=stylesheets, numbering=lambda pages: (0, pages), **layout_options
            ).pages
        )
        clock.lap("front with placeholders")

        numbered = {}

        def numbering(pages):
            clock.lap("tail: parse, style, paginate")
            connection.send(("paginated", (front_pages, pages)))
            numbered["offset"], total = connection.recv()
            clock.lap("tail: wait for the lead's page count")
            return numbered["offset"], total

        document = lay_out(
            tail_html,
            stylesheets=stylesheets + part_stylesheets,
            numbering=_once(numbering),
            **layout_options,
        )
        # The pages the tail's anchors are on go ahead of its pages: the contents can be laid out
        # with them while this process paints and pickles.
        connection.send(("anchors", first_pages(document.pages, numbered["offset"] + 1)))
        clock.lap("tail: footers, pages")
        recordings, fonts = _record_paint(document.pages)
        clock.lap("tail: paint ahead")
        # Fonts cannot cross processes: what painting learnt of each goes with the recordings.
        learnt = {key: (font.hash, font.to_unicode, font.widths) for key, font in fonts.items()}
        painted = (document.pages, recordings, learnt)
        pickled = _pickle_pages(painted, layout_options["font_config"])
        clock.lap("tail: pickle")
        connection.send(("laid out", (pickled, clock.laps)))
    except BaseException:
        connection.send(("failed", traceback.format_exc()))
    finally:
        connection.close()


def _expect(connection, kind):
    if not connection.poll(TAIL_TIMEOUT_SECONDS):
        raise PartsDoNotJoin(f"no answer from the process laying out the tail in {TAIL_TIMEOUT_SECONDS} s")
    try:
        message, value = connection.recv()
    except EOFError as error:
        raise PartsDoNotJoin("the process laying out the tail ended without answering") from error
    if message == "failed":
        raise PartsDoNotJoin(f"laying out the tail failed:\n{value}")
    if message != kind:
        raise PartsDoNotJoin(f"expected {kind!r} from the tail, got {message!r}")
    return value


def first_pages(pages, first_number):
    """Each anchor's page number (the first page it is on), the first page numbered `first_number`."""
    found = {}
    for number, page in enumerate(pages, start=first_number):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    return found


@collection_paused()
def lay_out_in_parts(*, sections, html_for, stylesheets, part_stylesheets, base_url, url_fetcher, options):
    """The report laid out in three parts on two processes, joined into one `Document`.

    `html_for(part, sections, contents_pages)` renders a part's HTML; `part_stylesheets` are added
    to the lead and the tail (which do not start the document). Raises `PartsDoNotJoin`."""
    from weasyprint.text.fonts import FontConfiguration

    clock = PhaseClock()
    font_config = FontConfiguration()
    layout_options = {
        "base_url": base_url,
        "url_fetcher": url_fetcher,
        "font_config": font_config,
        "options": options,
    }
    split = round(len(sections) * (1 - TAIL_SHARE))
    # The front is laid out first with placeholder numbers, only to count its pages: the forked
    # process does it, as this one starts the lead at once (both have as much to do before they
    # trade page counts).
    placeholders = dict.fromkeys(_contents_anchors(sections), PLACEHOLDER_PAGE)
    front_html = html_for("front", None, placeholders)
    tail_html = html_for("tail", sections[split:], None)
    fork = multiprocessing.get_context("fork")
    ours, theirs = fork.Pipe()
    worker = fork.Process(
        target=_lay_out_tail,
        args=(theirs, front_html, tail_html, stylesheets, part_stylesheets, layout_options),
        daemon=True,
    )
    worker.start()
    theirs.close()
    clock.lap("front's and tail's HTML, fork")
    try:
        counted = {}

        def lead_numbering(lead_pages):
            clock.lap("lead: parse, style, paginate")
            front_pages, tail_pages = _expect(ours, "paginated")
            clock.lap("lead: wait for the tail's page count")
            total = front_pages + lead_pages + tail_pages
            counted.update(front=front_pages, total=total)
            ours.send((front_pages + lead_pages, total))
            return front_pages, total

        lead = lay_out(
            html_for("lead", sections[:split], None),
            stylesheets=stylesheets + part_stylesheets,
            numbering=_once(lead_numbering),
            **layout_options,
        )
        clock.lap("lead: footers, pages")
        lead_recordings, lead_fonts = _record_paint(lead.pages)
        clock.lap("lead: paint ahead")
        # The contents, while the forked process paints and pickles the tail (whose anchors came
        # before its pages, as soon as it was laid out).
        front_pages, total = counted["front"], counted["total"]
        anchor_pages = {**_expect(ours, "anchors"), **first_pages(lead.pages, front_pages + 1)}
        front = lay_out(
            html_for("front", None, anchor_pages),
            stylesheets=stylesheets,
            numbering=lambda pages: (0, total),
            **layout_options,
        )
        if len(front.pages) != front_pages:
            raise PartsDoNotJoin(f"the contents took {len(front.pages)} pages, not {front_pages}")
        clock.lap("front with page numbers")
        pickled, tail_laps = _expect(ours, "laid out")
        clock.lap("wait for the tail")
        tail_pages, tail_recordings, tail_fonts = _unpickle_pages(pickled, font_config)
        worker.join()
        if front_pages + len(lead.pages) + len(tail_pages) != total:
            raise PartsDoNotJoin("the tail's pages are not as many as it counted")
        clock.lap("unpickle the tail")
        fonts = dict(lead_fonts)
        _learn(fonts, tail_fonts)
        joined = front.copy(
            front.pages
            + _painted(lead.pages, lead_recordings, fonts)
            + _painted(tail_pages, tail_recordings, fonts)
        )
        joined.fonts.update(fonts)
        clock.lap("join")
        joined.phase_laps = {"this process": clock.laps, "forked process": tail_laps}
        return joined
    finally:
        ours.close()
        if worker.is_alive():
            with contextlib.suppress(OSError):
                worker.kill()
            worker.join()


def _contents_anchors(sections):
    return [
        "report-summary",
        "report-participation",
        "report-signoffs",
        "report-changes",
        *(section["anchor"] for section in sections),
        "report-method",
    ]


class Recording(typing.NamedTuple):
    """A page painted ahead: the start its stream must have (what `generate_pdf` writes before
    painting), then its whole content compressed, its marked content by box, the keys of the
    fonts it uses and the opacity states it names."""

    start: bytes
    compressed: bytes
    tags: dict
    fonts: set
    alpha_states: dict | None


# WeasyPrint's `generate_pdf` paints pages at this scale (PDF points per CSS pixel) at zoom 1.
PAINT_SCALE = 0.75
# Every stream of the PDF is compressed at this level (`_install_compression_level`).
PDF_COMPRESSION_LEVEL = 6
RESOURCE_KINDS = ("ExtGState", "XObject", "Pattern", "Shading")
ALPHA_STATE = re.compile(r"[aA][0-9.]+")


def _record_paint(pages):
    """Paint `pages` into streams of their own, as WeasyPrint's `generate_pdf` would at zoom 1 with
    tags. Returns one (operations, tags) a page and the fonts used, or (None, {}) if a page needs
    more than fonts from the PDF (images, transparency, patterns, shadings, missing glyphs)."""
    import pydyf
    from weasyprint.pdf.stream import Stream

    fonts, images = _FontsUsed(), {}
    resources = pydyf.Dictionary({kind: pydyf.Dictionary() for kind in RESOURCE_KINDS})
    resources["ColorSpace"] = pydyf.Dictionary()
    recordings = []
    for page in pages:
        tags = {}
        width = page.width + page.bleed["left"] + page.bleed["right"]
        height = page.height + page.bleed["top"] + page.bleed["bottom"]
        rectangle = (-page.bleed["left"], -page.bleed["top"], width, height)
        stream = Stream(fonts, rectangle, resources, images, tags, {}, None, compress=True)
        fonts.used = set()
        # As `generate_pdf` does: the page's stream starts with this transformation, then the page.
        stream.transform(d=-1, f=page.height * PAINT_SCALE)
        start = _written(stream)
        page.paint(stream, PAINT_SCALE)
        # Written out and compressed now, as the writing would, while the other process is still
        # busy (the pages are half of all there is to compress); one string of bytes is also
        # quicker to pickle than the thousands of operations.
        compressor = zlib.compressobj(level=PDF_COMPRESSION_LEVEL)
        compressed = compressor.compress(_written(stream)) + compressor.flush()
        recordings.append(Recording(start, compressed, tags, fonts.used, None))
    # Opacity states are named by their value ("a1.0" for an opaque fill): those can be added to
    # the PDF's resources by name; any other resource is numbered in the order it was made.
    alpha_states = dict(resources["ExtGState"])
    needs_more = images or any(resources[kind] for kind in RESOURCE_KINDS if kind != "ExtGState")
    if needs_more or not all(ALPHA_STATE.fullmatch(name) for name in alpha_states):
        return None, {}
    if any(font.missing for font in fonts.values()):
        return None, {}
    return [recording._replace(alpha_states=alpha_states) for recording in recordings], dict(fonts)


def _written(stream):
    """A stream's operations as pydyf writes them."""
    import pydyf

    return b"\n".join(pydyf._to_bytes(operation) for operation in stream.stream)


class _FontsUsed(dict):
    """WeasyPrint's fonts by key, noting the keys a page's painting asks for in `used`."""

    used = None

    def __getitem__(self, key):
        self.used.add(key)
        return super().__getitem__(key)


def _learn(fonts, learnt):
    """Add what the other process's painting learnt of the fonts this one has too (the glyphs it
    used and their text). Its pages that used a font this process has not are painted again."""
    for key, (font_hash, to_unicode, widths) in learnt.items():
        if key in fonts and fonts[key].hash == font_hash:
            fonts[key].to_unicode.update(to_unicode)
            fonts[key].widths.update(widths)


def _painted(pages, recordings, fonts):
    """The pages whose recording uses only `fonts`, as `PaintedPage`s; the others as they are."""
    if recordings is None:
        return pages
    painted_page = _painted_page_class()
    return [
        painted_page.from_page(page, recorded) if recorded.fonts <= fonts.keys() else page
        for page, recorded in zip(pages, recordings, strict=True)
    ]


@functools.cache
def _painted_page_class():
    from weasyprint.document import Page

    class PaintedPage(Page):
        """A page painted ahead: writing copies its recorded operations and tags into the PDF."""

        @classmethod
        def from_page(cls, page, recording):
            painted = cls.__new__(cls)
            vars(painted).update(vars(page))
            painted.recording = recording
            return painted

        def paint(self, stream, scale=1):
            recording = self.recording
            recorded_alike = scale == PAINT_SCALE and stream._tags is not None and stream.compress
            if not recorded_alike or _written(stream) != recording.start:
                return super().paint(stream, scale)
            for name, state in recording.alpha_states.items():
                stream._resources["ExtGState"].setdefault(name, state)
            # The whole content, its start included, compressed as the writing would have.
            stream.stream = [recording.compressed]
            stream.compress = False
            stream.extra["Filter"] = "/FlateDecode"
            stream._tags.update(recording.tags)
            return None

    return PaintedPage
