"""Versions and responses beside comments, in a fixed number of queries.

The first comment on a page reads every response on its paper (one query),
cached on the request; the paper itself usually comes from the page context.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from consultation.models import PolicyPaperPage, Response

register = template.Library()


def _store(context, name):
    request = context.get("request")
    return request.__dict__.setdefault(name, {}) if request is not None else {}


def _paper(context, paper_id):
    """The comment's paper: the page being shown, or one query per paper per request."""
    for key in ("paper", "page"):
        candidate = context.get(key)
        if isinstance(candidate, PolicyPaperPage) and candidate.pk == paper_id:
            return candidate
    store = _store(context, "_version_papers")
    if paper_id not in store:
        store[paper_id] = PolicyPaperPage.objects.filter(pk=paper_id).first()
    return store[paper_id]


@register.simple_tag(takes_context=True)
def comment_responses(context, comment):
    """The policy team's responses to this comment, oldest first."""
    store = _store(context, "_comment_responses")
    if comment.paper_id not in store:
        grouped = {}
        responses = (
            Response.objects.filter(paper_id=comment.paper_id, comment__isnull=False)
            .select_related("changed_in")
            .order_by("created_at", "pk")
        )
        for response in responses:
            grouped.setdefault(response.comment_id, []).append(response)
        store[comment.paper_id] = grouped
    return store[comment.paper_id].get(comment.pk, [])


@register.simple_tag(takes_context=True)
def comment_paper(context, comment):
    return _paper(context, comment.paper_id)


@register.simple_tag(takes_context=True)
def version_wording(context, obj):
    """“on version v2”, or for something made on an earlier version “on the v1 wording”
    linked to that wording, so it is read against the text it was about."""
    label = getattr(obj, "version_label", "") or getattr(obj, "paper_version", "")
    if not label:
        return "version not recorded"
    paper = _paper(context, obj.paper_id)
    number = label[1:] if label.startswith("v") and label[1:].isdigit() else None
    current = paper.version_label if paper is not None else None
    if paper is None or label == current or number is None or not current or not current[1:].isdigit():
        return format_html("on version {}", label)
    if int(number) >= int(current[1:]):
        return format_html("on version {}", label)
    url = paper.get_url(context.get("request")) or ""
    path = paper.reverse_subpage("version", kwargs={"number": int(number)})
    if getattr(obj, "section_id", None):
        path = paper.reverse_subpage(
            "version_section", kwargs={"number": int(number), "section_id": obj.section_id}
        )
    return format_html('on the <a href="{}{}">{} wording</a>', url, path, label)


# Versions published before tables scrolled in labelled regions stored their body
# HTML with a bare wrapper; the stored text is part of the record and stays as it was.
_BARE_TABLE_WRAP = '<div class="table-wrap">'
_TABLE_REGION = '<div class="table-wrap" role="region" tabindex="0" aria-label="Table">'


@register.filter
def snapshot_html(html):
    """A version's stored body HTML, its wide tables made focusable scroll regions (WCAG 1.4.10, 2.1.1)."""
    return mark_safe(str(html).replace(_BARE_TABLE_WRAP, _TABLE_REGION))  # noqa: S308 — stored, sanitised HTML
