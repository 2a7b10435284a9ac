"""Every output of the report, rendered from one snapshot.

Numbers are turned into text in one place (`percent_text`, `signed_percent_text`),
so the HTML, the PDF and the CSV print the same digits and the JSON carries
the same values.
"""

import copy
import csv
import hashlib
import io
import json
import logging
from datetime import datetime
from pathlib import Path

from django.template.loader import render_to_string

from consultation.consensus.selectors import heatmap
from consultation.consensus.statistics import Classification, support_text
from consultation.report import pdf_layout

logger = logging.getLogger(__name__)

PRINT_CSS = Path(__file__).with_name("print.css")

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = [
    "paper_id",
    "paper_title",
    "version",
    "section_number",
    "section_id",
    "section_title",
    "section_restricted",
    "classification",
    "classification_label",
    "headline",
    "group_key",
    "group_name",
    "group_kind",
    "in_verdict",
    "members",
    "quorum",
    "agree",
    "disagree",
    "neutral",
    "seen",
    "heard",
    "agree_percent",
    "disagree_percent",
    "position",
    "carries",
    "rejects",
    "group_status",
    "groups_in_verdict",
    "groups_heard",
    "waiting_for",
    "support_percent",
    "threshold_percent",
    "quorum_share",
    "public_min_reactions",
]

ALL_KEY = "all"
ALL_NAME = "All reactions"


def percent_text(value):
    """A whole percentage as printed in the HTML and PDF. Missing → an en dash (the CSV leaves it empty)."""
    return "–" if value is None else f"{value}%"


def signed_percent_text(value):
    return support_text(value)


# ---------------------------------------------------------------- presentation


def present(snapshot):
    """The snapshot with display text and chart geometry added, for the templates.

    A deep copy: the snapshot itself stays exactly as built (and as frozen)."""
    view = copy.deepcopy(dict(snapshot))
    for section in view["sections"]:
        section["digest"] = _digest(section)
        for row in section["groups"]:
            row["agree_percent_text"] = percent_text(row["agree_percent"])
            row["disagree_percent_text"] = percent_text(row["disagree_percent"])
        section["statistic"]["support_text"] = signed_percent_text(section["statistic"]["support"])
        section["chart"] = section_chart(section)
        for side in section.get("comments", {}).values():
            for comment in side:
                comment["support_text"] = signed_percent_text(comment.get("support"))
        for proposal in section.get("proposals", []):
            statistic = proposal["statistic"]
            statistic["support_text"] = signed_percent_text(statistic["support"])
            for row in proposal["groups"]:
                row["agree_percent_text"] = percent_text(row["agree_percent"])
        section["css_class"] = "classification--" + section["classification"]["key"].replace("_", "-")
    view["summary"]["chart"] = summary_chart(view["summary"]["by_classification"])
    view["summary"]["digest"] = _digest(
        {
            "summary": snapshot["summary"],
            "participation": snapshot["participation"],
            # The summary lists every section's label and headline.
            "sections": [[s["title"], s["classification"]] for s in snapshot["sections"]],
        }
    )
    view["participation"]["digest"] = view["summary"]["digest"]
    view["heatmap"] = heatmap(view["sections"])
    view["heatmap"]["digest"] = _digest(view["heatmap"])
    view["classification_labels"] = Classification.LABELS
    view["generated_at_dt"] = datetime.fromisoformat(snapshot["generated_at"])
    published = snapshot["version"].get("published_at")
    view["version"]["published_at_dt"] = datetime.fromisoformat(published) if published else None
    return view


def _digest(data):
    text = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(text).hexdigest()[:16]


# Chart geometry, in SVG user units. The SVG scales to its container.
CHART_WIDTH = 900
LABEL_WIDTH = 180
BAR_X = 190
BAR_WIDTH = 340
TEXT_X = BAR_X + BAR_WIDTH + 12
ROW_HEIGHT = 40
BAR_HEIGHT = 16
TOP = 34


def section_chart(section):
    """Stacked agree / neutral / disagree bars per group; groups not heard or not in the verdict muted."""
    rows = []
    entries = [{"name": ALL_NAME, **section["overall"], "heard": True, "in_verdict": True}]
    entries += section["groups"]
    for index, entry in enumerate(entries):
        y = TOP + index * ROW_HEIGHT
        seen = entry["seen"]
        segments = []
        x = BAR_X
        for kind in ("agree", "neutral", "disagree"):
            width = BAR_WIDTH * entry[kind] / seen if seen else 0
            if width:
                segments.append({"kind": kind, "x": round(x, 2), "width": round(width, 2)})
            x += width
        rows.append(
            {
                "name": entry["name"],
                "y": y,
                "text_y": y + BAR_HEIGHT - 3,
                "segments": segments,
                "summary": (
                    f"{entry['agree']} agree, {entry['neutral']} neutral, {entry['disagree']} disagree"
                    if seen
                    else "no reactions"
                ),
                "position": entry.get("position_label", ""),
                "muted": not (entry.get("heard") and entry.get("in_verdict")),
            }
        )
    height = TOP + len(entries) * ROW_HEIGHT + 30
    return {
        "width": CHART_WIDTH,
        "height": height,
        "rows": rows,
        "bar_x": BAR_X,
        "bar_width": BAR_WIDTH,
        "bar_height": BAR_HEIGHT,
        "text_x": TEXT_X,
        "label_x": LABEL_WIDTH,
        "axis_bottom": TOP + len(entries) * ROW_HEIGHT - 6,
        "half_x": BAR_X + BAR_WIDTH / 2,
        "legend_y": height - 14,
        "id": f"chart-{section['id']}",
    }


SUMMARY_BAR_X = 250


def summary_chart(by_classification):
    most = max([row["sections"] for row in by_classification] + [1])
    rows = []
    for index, row in enumerate(by_classification):
        y = 8 + index * 30
        rows.append(
            {
                **row,
                "y": y,
                "text_y": y + 15,
                "width": round(300 * row["sections"] / most, 2),
                "value_x": round(SUMMARY_BAR_X + 300 * row["sections"] / most + 6, 2),
            }
        )
    return {"rows": rows, "height": 8 + len(rows) * 30, "bar_x": SUMMARY_BAR_X, "label_x": SUMMARY_BAR_X - 10}


# ---------------------------------------------------------------- outputs


def render_body(snapshot, *, live=False, frozen=None, links=None):
    """The report's HTML body (without the site's header and footer).

    `links` are the addresses of the PDF, CSV and JSON beside it; `frozen`
    describes a frozen report (who froze it and its fingerprint)."""
    return render_to_string(
        "consultation/report/_report_body.html",
        {"report": present(snapshot), "live": live, "frozen": frozen, "links": links},
    )


def render_json(snapshot):
    return snapshot.to_json()


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers we computed are written as they are (a negative number is not a formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_rows(snapshot):
    """One row per section × group (each working group, the public, and all reactions together),
    with every figure that decides the label. A figure that does not exist is left empty."""
    paper = snapshot["paper"]
    method = snapshot["method"]
    for section in snapshot["sections"]:
        statistic = section["statistic"]
        common = {
            "paper_id": paper["id"],
            "paper_title": paper["title"],
            "version": paper["version_label"],
            "section_number": section["number"],
            "section_id": section["id"],
            "section_title": section["title"],
            "section_restricted": section["restricted"],
            "classification": section["classification"]["key"],
            "classification_label": section["classification"]["label"],
            "headline": section["classification"]["headline"],
            "groups_in_verdict": statistic["groups_in_verdict"],
            "groups_heard": statistic["groups_heard"],
            "waiting_for": "; ".join(statistic["waiting_for"]),
            "support_percent": statistic["support"],
            "threshold_percent": method["threshold_percent"],
            "quorum_share": method["quorum"],
            "public_min_reactions": method["public_min_reactions"],
        }
        overall = section["overall"]
        yield {
            **common,
            "group_key": ALL_KEY,
            "group_name": ALL_NAME,
            "group_kind": ALL_KEY,
            **{k: overall[k] for k in ("agree", "disagree", "neutral", "seen")},
        }
        for row in section["groups"]:
            yield {
                **common,
                "group_key": row["key"],
                "group_name": row["name"],
                "group_kind": row["kind"],
                "in_verdict": row["in_verdict"],
                "members": row["size"],
                "quorum": row["quorum"],
                **{k: row[k] for k in ("agree", "disagree", "neutral", "seen", "heard")},
                "agree_percent": row["agree_percent"],
                "disagree_percent": row["disagree_percent"],
                "position": row["position"],
                "carries": row["carries"],
                "rejects": row["rejects"],
                "group_status": row["status"],
            }


def render_csv(snapshot):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in csv_rows(snapshot):
        writer.writerow({key: neutralise(row.get(key)) for key in CSV_COLUMNS})
    return out.getvalue()


# Protocols the PDF may load a resource from. The report needs none (its stylesheet
# is read by file name, its charts are inline SVG), and WeasyPrint's default fetcher
# would follow any http(s), ftp or file URL the HTML names: should a URL written by
# a person ever reach an <img> or a stylesheet, the server would request it.
PDF_ALLOWED_PROTOCOLS = ("data",)


def pdf_url_fetcher():
    """The fetcher WeasyPrint uses for the report: `data:` URLs only, everything else refused."""
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols=PDF_ALLOWED_PROTOCOLS, allow_redirects=False, timeout=2)


# Both steps take the options: WeasyPrint's `Document.write_pdf` does not keep those given to `render`.
PDF_OPTIONS = {"pdf_tags": True}


def pdf_document(snapshot, *, base_url=None, in_parts=None):
    """The report laid out by WeasyPrint (parsed, styled, paginated), not yet drawn.

    A large report is laid out in parts on two processes and joined (`pdf_layout`), a small one
    (or any whose parts fail to join) in one; `in_parts` forces either. `render_pdf` draws and
    writes it; the benchmark times the two steps apart."""
    from weasyprint import CSS

    report = present(snapshot)
    fetcher = pdf_url_fetcher()
    stylesheets = [CSS(filename=str(PRINT_CSS), url_fetcher=fetcher)]
    layout_options = {"base_url": base_url, "url_fetcher": fetcher, "options": PDF_OPTIONS}
    if in_parts is None:
        in_parts = len(report["sections"]) >= pdf_layout.PARTS_MIN_SECTIONS
    if in_parts:
        try:
            return pdf_layout.lay_out_in_parts(
                sections=report["sections"],
                html_for=lambda part, sections, pages: _pdf_html(report, part, sections, pages),
                stylesheets=stylesheets,
                part_stylesheets=[CSS(string=PDF_PART_CSS)],
                **layout_options,
            )
        except Exception:
            # Laying out in parts leans on WeasyPrint's internals (pickled pages, recorded
            # streams): whatever fails there, the whole layout still makes the same report.
            logger.exception("The report's PDF could not be laid out in parts; laying it out whole")
    html = _pdf_html(report, None, report["sections"], None)
    return pdf_layout.lay_out(html, stylesheets=stylesheets, font_config=None, **layout_options)


# A part after the first does not start the document: its first page has the footer's title.
PDF_PART_CSS = "@page :first { @bottom-left { content: string(paper-title); } }"


def _pdf_html(report, part, sections, contents_pages):
    """The PDF's HTML, whole (`part` None) or one part of it; `contents_pages` maps anchors to the
    page numbers the contents print (None: WeasyPrint's target-counter finds them)."""
    if contents_pages is not None:
        for section in report["sections"]:
            section["contents_page"] = contents_pages[section["anchor"]]
        contents_pages = {anchor.replace("-", "_"): page for anchor, page in contents_pages.items()}
    # `pdf` leaves out what only a screen needs: the charts (their tables carry every figure).
    return render_to_string(
        "consultation/report/report_pdf.html",
        {"report": report, "pdf": True, "part": part, "sections": sections, "contents_pages": contents_pages},
    )


def render_pdf(snapshot, *, base_url=None):
    """The report as a tagged PDF: a contents list with page numbers, bookmarks from the headings.

    No cyclic garbage collection from laying out to written (`pdf_layout.collection_paused`):
    resumed between the two, its first collections would walk the millions of objects the layout
    made (about 1 s of a 100-section report's writing); resumed after, the laid-out document is
    gone and only the layout's own garbage is left to collect (about 0.4 s)."""
    with pdf_layout.collection_paused():
        return pdf_document(snapshot, base_url=base_url).write_pdf(**PDF_OPTIONS)
