"""A real browser (Debian's Chromium through Playwright) with axe-core; a pytest plugin.

Chromium talks to Playwright over a pipe, not a port, so each pytest-xdist
worker simply launches its own.
"""

import os
import re
from urllib.parse import urlsplit

import pytest

from tests.support.factories import PASSWORD
from tests.support.services import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# WCAG 2.x A and AA, as axe-core tags them.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_accessible(page):
    """Run axe-core with the WCAG 2.x A/AA rules on the page as it is now; any violation fails."""
    from axe_playwright_python.sync_playwright import Axe

    if getattr(page.context, "javascript_enabled", True) is False:
        # axe never finishes where scripts are disabled (its promises and timers
        # never run): check the same DOM, scripts removed, in a scripted page.
        return _assert_accessible_copy(page)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, f"axe on {page.url}:\n{results.generate_report()}"


def _assert_accessible_copy(page):
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    copy = page.context.browser.new_page()
    try:
        copy.goto(origin + "/static/css/site.css")  # same origin, so the page's relative URLs resolve
        copy.set_content(html)
        copy.context.javascript_enabled = True
        assert_accessible(copy)
    finally:
        copy.context.close()


def login(page, server, username, password=PASSWORD):
    """Sign in through the real sign-in form."""
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


# ---------------------------------------------------------------- fixtures


# Module scope, not session: Playwright's sync API keeps an event loop running in
# the main thread while it is alive, and pytest-asyncio cannot start its own loop
# for async tests (consumers) that run after a browser module.
@pytest.fixture(scope="module")
def _playwright():
    require_service(
        os.path.exists(CHROMIUM),
        f"{CHROMIUM} not found: install Debian's chromium package to run browser tests",
    )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread, which
    # makes Django refuse ORM calls from the test body. The test body is plain
    # synchronous code, so the check is a false alarm here (and only here).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        yield playwright
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="module")
def browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture
def csp_violations():
    """Content-Security-Policy violations the browser reported on its console
    during the test, in any context from `new_context`: any at all fails it."""
    seen = []
    yield seen
    assert not seen, "Content-Security-Policy violations in the browser console:\n" + "\n".join(seen)


def _watch_for_csp_violations(context, seen):
    def check(message):
        # Chromium: "Refused to … because it violates the following Content Security Policy directive: …"
        if "Content Security Policy" in message.text:
            seen.append(f"{message.location.get('url', '')}: {message.text}")

    context.on("console", check)


@pytest.fixture
def new_context(browser, csp_violations):
    """Make browser contexts (separate sessions); all are closed after the test."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("locale", "en-GB")
        context = browser.new_context(**kwargs)
        _watch_for_csp_violations(context, csp_violations)
        # axe-core needs scripts; assert_accessible checks a scripted copy of no-JS pages.
        context.javascript_enabled = kwargs.get("java_script_enabled", True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def axe():
    return assert_accessible


@pytest.fixture
def browser_login():
    return login
