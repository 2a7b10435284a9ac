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
  their margin boxes are laid out (`_numbered_margin_boxes`);
* the contents' page numbers: the front is laid out last, with the page on which each anchor
  landed printed as text instead of WeasyPrint's `target-counter`. It is laid out once before
  with placeholder numbers to know how many pages it takes (the numbers follow a leader, so they
  cannot change that); should it differ, the whole report is laid out again in one process.

Pages are pickled with their boxes' computed styles and text; the only objects of C libraries
they reference are the font configuration (the parent's one stands in for it) and Pango
layouts, which WeasyPrint has already deactivated after layout (they keep their text and are
set up again when drawn).
"""

import contextlib
import contextvars
import copyreg
import io
import logging
import multiprocessing
import pickle
import traceback

logger = logging.getLogger(__name__)

# Below this many sections one process is quicker than forking and joining.
PARTS_MIN_SECTIONS = 12
# The share of the sections the forked process lays out: this process also lays out the front,
# unpickles the tail's pages and draws every page.
TAIL_SHARE = 0.6
# A contents page number before the pages are known: as wide as any real one.
PLACEHOLDER_PAGE = 999

_page_numbering = contextvars.ContextVar("report_pdf_page_numbering", default=None)


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


def _once(function):
    """`function(pages)` called at the first margin box only (the exchange happens once a part)."""
    answer = []

    def numbering(pages):
        if not answer:
            answer.append(function(pages))
        return answer[0]

    return numbering


def lay_out(html, *, stylesheets, base_url, url_fetcher, font_config, options, numbering=None):
    """One HTML document laid out by WeasyPrint, its footers numbered by `numbering` if given."""
    from weasyprint import HTML

    _install_page_numbering()
    token = _page_numbering.set(numbering)
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
        return document.render(stylesheets=stylesheets, font_config=font_config, **options)
    finally:
        _page_numbering.reset(token)


def _pickle_pages(pages, font_config):
    from weasyprint.layout.absolute import AbsolutePlaceholder

    class PagePickler(pickle.Pickler):
        # A placeholder forwards every attribute to its box, `__reduce_ex__` and `__setstate__`
        # included: pickle it as its own attributes.
        dispatch_table = {**copyreg.dispatch_table, AbsolutePlaceholder: _reduce_placeholder}

        def persistent_id(self, obj):
            return "font_config" if obj is font_config else None

    buffer = io.BytesIO()
    PagePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(pages)
    return buffer.getvalue()


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


def _lay_out_tail(connection, html, layout_options):
    """In the forked process: lay out the tail, trade page counts for its numbering, send its pages."""
    try:

        def numbering(pages):
            connection.send(("paginated", pages))
            return connection.recv()

        document = lay_out(html, numbering=_once(numbering), **layout_options)
        connection.send(("laid out", _pickle_pages(document.pages, layout_options["font_config"])))
    except BaseException:
        connection.send(("failed", traceback.format_exc()))
    finally:
        connection.close()


def _expect(connection, kind):
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


def lay_out_in_parts(*, sections, html_for, stylesheets, part_stylesheets, base_url, url_fetcher, options):
    """The report laid out in three parts on two processes, joined into one `Document`.

    `html_for(part, sections, contents_pages)` renders a part's HTML; `part_stylesheets` are added
    to the lead and the tail (which do not start the document). Raises `PartsDoNotJoin`."""
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    layout_options = {
        "base_url": base_url,
        "url_fetcher": url_fetcher,
        "font_config": font_config,
        "options": options,
    }
    split = round(len(sections) * (1 - TAIL_SHARE))
    tail_html = html_for("tail", sections[split:], None)
    fork = multiprocessing.get_context("fork")
    ours, theirs = fork.Pipe()
    worker = fork.Process(
        target=_lay_out_tail,
        args=(theirs, tail_html, {**layout_options, "stylesheets": stylesheets + part_stylesheets}),
        daemon=True,
    )
    worker.start()
    theirs.close()
    try:
        placeholders = dict.fromkeys(_contents_anchors(sections), PLACEHOLDER_PAGE)
        front_pages = len(
            lay_out(
                html_for("front", None, placeholders),
                stylesheets=stylesheets,
                numbering=lambda pages: (0, pages),
                **layout_options,
            ).pages
        )

        def lead_numbering(lead_pages):
            tail_pages = _expect(ours, "paginated")
            total = front_pages + lead_pages + tail_pages
            ours.send((front_pages + lead_pages, total))
            return front_pages, total

        lead = lay_out(
            html_for("lead", sections[:split], None),
            stylesheets=stylesheets + part_stylesheets,
            numbering=_once(lead_numbering),
            **layout_options,
        )
        tail_pages = _unpickle_pages(_expect(ours, "laid out"), font_config)
        worker.join()
        body = lead.pages + tail_pages
        total = front_pages + len(body)
        front = lay_out(
            html_for("front", None, first_pages(body, front_pages + 1)),
            stylesheets=stylesheets,
            numbering=lambda pages: (0, total),
            **layout_options,
        )
        if len(front.pages) != front_pages:
            raise PartsDoNotJoin(f"the contents took {len(front.pages)} pages, not {front_pages}")
        return front.copy(front.pages + body)
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
