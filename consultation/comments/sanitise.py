"""Turning text people write into HTML that can never run.

Comments are plain text: blank lines separate paragraphs, line breaks are
kept and web addresses become links. The text is escaped first and only then
given paragraphs and links, and the result goes through nh3 with an allow-list
of three tags, so nothing a person types is ever interpreted as markup.
"""

import nh3
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {"p", "br", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Links from readers are theirs, not ours: no ranking credit, no window.opener.
LINK_REL = "nofollow ugc noopener"

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)


def render_comment_text(text):
    """Safe HTML for a comment's text: paragraphs, line breaks and links only."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty string
    # urlize escapes everything that is not a link it creates.
    html = linebreaks(urlize(text, trim_url_limit=60, nofollow=True, autoescape=True), autoescape=False)
    return mark_safe(_cleaner.clean(html))  # noqa: S308 - sanitised by nh3 just above
