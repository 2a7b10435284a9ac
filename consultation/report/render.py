"""Every output of the report, rendered from one snapshot.

Numbers are turned into text in one place (`number_text`, `product_text`),
so the HTML, the PDF and the CSV print the same digits and the JSON carries
the same values.
"""

import copy
import csv
import hashlib
import io
import json
from datetime import datetime
from pathlib import Path

from django.template.loader import render_to_string

from consultation.consensus.statistics import Classification

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
    "group_key",
    "group_name",
    "group_kind",
    "agree",
    "disagree",
    "neutral",
    "seen",
    "p_smoothed",
    "wilson_low",
    "wilson_high",
    "counted",
    "group_status",
    "consensus_product",
    "consensus_geometric_mean",
    "counted_groups",
    "threshold",
    "min_reactions_per_group",
    "confidence",
]

ALL_KEY = "all"
ALL_NAME = "All reactions"


def number_text(value):
    """Probabilities, bounds, means: four decimal places. Missing → an en dash."""
    return "–" if value is None else f"{value:.4f}"


def product_text(value):
    return "–" if value is None else f"{value:.4g}"


# ---------------------------------------------------------------- presentation


def present(snapshot):
    """The snapshot with display text and chart geometry added, for the templates.

    A deep copy: the snapshot itself stays exactly as built (and as frozen)."""
    view = copy.deepcopy(dict(snapshot))
    threshold = snapshot["method"]["threshold"]
    for section in view["sections"]:
        section["digest"] = _digest(section)
        for row in section["groups"]:
            row["p_text"] = number_text(row["p"])
            row["low_text"] = number_text(row["wilson_low"])
            row["high_text"] = number_text(row["wilson_high"])
        section["statistic"]["product_text"] = product_text(section["statistic"]["product"])
        section["statistic"]["geometric_mean_text"] = number_text(section["statistic"]["geometric_mean"])
        section["statistic"]["balance_text"] = number_text(section["statistic"]["balance"])
        section["chart"] = section_chart(section, threshold=threshold)
        for proposal in section.get("proposals", []):
            statistic = proposal["statistic"]
            statistic["geometric_mean_text"] = number_text(statistic["geometric_mean"])
            for row in proposal["groups"]:
                row["p_text"] = number_text(row["p"])
        section["css_class"] = "classification--" + section["classification"]["key"].replace("_", "-")
    view["summary"]["chart"] = summary_chart(view["summary"]["by_classification"])
    view["summary"]["digest"] = _digest(
        {"summary": snapshot["summary"], "participation": snapshot["participation"]}
    )
    view["participation"]["digest"] = view["summary"]["digest"]
    view["classification_labels"] = Classification.LABELS
    view["generated_at_dt"] = datetime.fromisoformat(snapshot["generated_at"])
    published = snapshot["version"].get("published_at")
    view["version"]["published_at_dt"] = datetime.fromisoformat(published) if published else None
    view["method"]["confidence_percent"] = f"{snapshot['method']['confidence'] * 100:g}%"
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


def section_chart(section, *, threshold):
    """Stacked agree / neutral / disagree bars per group, with each group's interval of agreement."""
    rows = []
    entries = [
        {"name": ALL_NAME, **section["overall"], "wilson_low": None, "wilson_high": None, "counted": True}
    ]
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
        interval = None
        if seen and entry["wilson_low"] is not None:
            interval = {
                "x1": round(BAR_X + BAR_WIDTH * entry["wilson_low"], 2),
                "x2": round(BAR_X + BAR_WIDTH * entry["wilson_high"], 2),
                "y": y + BAR_HEIGHT + 7,
            }
        rows.append(
            {
                "name": entry["name"],
                "y": y,
                "text_y": y + BAR_HEIGHT - 3,
                "segments": segments,
                "interval": interval,
                "summary": (
                    f"{entry['agree']} agree, {entry['neutral']} neutral, {entry['disagree']} disagree"
                    if seen
                    else "no reactions"
                ),
                "muted": not entry.get("counted", True),
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
        "threshold_x": round(BAR_X + BAR_WIDTH * threshold, 2),
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
    """One row per section × group (each working group, the public, and all reactions together)."""
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
            "consensus_product": product_text(statistic["product"]),
            "consensus_geometric_mean": number_text(statistic["geometric_mean"]),
            "counted_groups": statistic["counted_groups"],
            "threshold": method["threshold"],
            "min_reactions_per_group": method["min_reactions_per_group"],
            "confidence": method["confidence"],
        }
        overall = section["overall"]
        yield {
            **common,
            "group_key": ALL_KEY,
            "group_name": ALL_NAME,
            "group_kind": ALL_KEY,
            **{k: overall[k] for k in ("agree", "disagree", "neutral", "seen")},
            "p_smoothed": "",
            "wilson_low": "",
            "wilson_high": "",
            "counted": "",
            "group_status": "",
        }
        for row in section["groups"]:
            yield {
                **common,
                "group_key": row["key"],
                "group_name": row["name"],
                "group_kind": row["kind"],
                **{k: row[k] for k in ("agree", "disagree", "neutral", "seen")},
                "p_smoothed": number_text(row["p"]),
                "wilson_low": number_text(row["wilson_low"]),
                "wilson_high": number_text(row["wilson_high"]),
                "counted": row["counted"],
                "group_status": row["status"],
            }


def render_csv(snapshot):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in csv_rows(snapshot):
        writer.writerow({key: neutralise(value) for key, value in row.items()})
    return out.getvalue()


def render_pdf(snapshot, *, base_url=None):
    """The report as a tagged PDF: a contents list with page numbers, bookmarks from the headings."""
    from weasyprint import CSS, HTML

    html = render_to_string("consultation/report/report_pdf.html", {"report": present(snapshot)})
    document = HTML(string=html, base_url=base_url)
    return document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))], pdf_tags=True)
