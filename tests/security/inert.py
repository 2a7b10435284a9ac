"""Is a document inert? Checked by parsing, not by searching strings.

Escaped text such as `&lt;img onerror=...&gt;` is harmless and expected; an
element or attribute that a payload brought to life is not. Shared by the
comment XSS tests and the corpus in tests/security/test_xss_corpus.py.
"""

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

PAYLOAD_FILE = Path(__file__).with_name("payloads.txt")

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "content",
    "to",
    "values",
    "from",
    "by",
}
FORBIDDEN_ELEMENTS = {
    "iframe",
    "object",
    "embed",
    "base",
    "math",
    "marquee",
    "isindex",
    "keygen",
    "applet",
    "frame",
    "animate",
    "set",
    "foreignobject",
    "x",
    "audio",
    "video",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")


SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def url_runs_code(value):
    """Would a browser run `value` as a URL? Parsed as browsers do (WHATWG URL): entities
    decoded, C0 controls and spaces stripped from the ends, tabs and newlines dropped,
    then the scheme read. A relative URL that merely contains "javascript:" is a path."""
    url = unescape(value or "").strip("".join(chr(c) for c in range(0x21)))
    url = re.sub(r"[\t\n\r]", "", url).lower()
    match = SCHEME.match(url)
    return bool(match) and any(url.startswith(scheme) for scheme in DANGEROUS_SCHEMES)


def load_payloads():
    """The corpus in payloads.txt: one payload a line, taken literally; `## ` lines are notes."""
    lines = PAYLOAD_FILE.read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line and not line.startswith("## ")]


class InertChecker(HTMLParser):
    """Collects every way a document could run code or load something foreign."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.open_raw = None  # inside a <script> or <style> element
        self.in_noscript = 0

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.open_raw = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "noscript":
            self.in_noscript += 1
        # A browser running scripts reads <noscript> as raw text, so markup
        # hidden in an attribute there would come alive.
        if self.in_noscript and any("<" in (value or "") for value in attrs.values()):
            self.problems.append(f"<{tag}> hiding markup inside <noscript>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("srcdoc", "srcset"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            normalised = "".join(
                ch for ch in unescape(value or "") if ch.isprintable() and not ch.isspace()
            ).lower()
            dangerous_url = url_runs_code(value)
            # <meta content> is only a URL on a refresh.
            if name in URL_ATTRIBUTES and dangerous_url and not (tag == "meta" and "http-equiv" not in attrs):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and any(
                bad in normalised for bad in ("javascript:", "expression(", "behavior:", "-moz-binding")
            ):
                self.problems.append(f"<{tag} style={value!r}>")
            if name in ("src", "data") and "evil.example" in normalised:
                self.problems.append(f"<{tag} {name}={value!r}> loads a foreign resource")
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta refresh>")
        if tag == "link" and "evil.example" in (attrs.get("href") or ""):
            self.problems.append(f"<link href={attrs.get('href')!r}>")
        if tag == "script":
            src = attrs.get("src")
            # Our own scripts are same-origin files; anything else is foreign.
            if src is not None and (not src.startswith("/") or src.startswith("//")):
                self.problems.append(f"<script src={src!r}>")
        if tag in ("script", "style"):
            self.open_raw = tag

    def handle_endtag(self, tag):
        if tag == "noscript":
            self.in_noscript = max(0, self.in_noscript - 1)
        if tag == self.open_raw:
            self.open_raw = None

    def handle_data(self, data):
        # Text inside ordinary elements is only text; inside <script> or <style> it runs.
        lowered = data.lower()
        if self.open_raw and any(bad in lowered for bad in ("alert", "javascript:", "expression(")):
            self.problems.append(f"<{self.open_raw}> running {data.strip()[:60]!r}")


def problems_in(html):
    checker = InertChecker()
    checker.feed(html)
    checker.close()
    return checker.problems


def assert_inert(html, where):
    problems = problems_in(html)
    assert not problems, f"{where}: {problems[:5]}"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html):
    """What a reader sees as text (tags dropped, entities decoded)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
