"""Shared fixtures: the page tree, a real ASGI server, a real browser with axe."""

import os
import socket
import threading
import time

import pytest

from tests.factories import PASSWORD, build_site_tree

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ON_CI = bool(os.environ.get("CI"))

# WCAG 2.x A and AA, as axe-core tags them.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def require_service(available, reason):
    """Skip locally when a service is missing; on CI a missing service is a failure."""
    if available:
        return
    if ON_CI:
        pytest.fail(f"CI must run every test, but: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_site_root_paths():
    """Wagtail caches each Site's root path; tests rebuild the tree, so a cached
    path from an earlier test would point page URLs at pages that are gone."""
    from wagtail.models import Site

    Site.clear_site_root_paths_cache()
    yield
    Site.clear_site_root_paths_cache()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """A channel layer instance belongs to the event loop that first received on
    it: a RedisChannelLayer used by a test server's loop refuses a later test's
    loop ("Two event loops are trying to receive()"). Each test gets its own."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _tally_broadcasts_settle():
    """Reactions made outside a server broadcast from a background loop: let
    those finish before the test's database goes away."""
    yield
    from consultation.reactions import broadcast

    broadcast.wait_background_idle()


@pytest.fixture
def site_tree(db):
    return build_site_tree()


@pytest.fixture
def password():
    return PASSWORD


# ---------------------------------------------------------------- live ASGI server


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadedASGIServer:
    """The project's real ASGI app (HTTP + websockets) under uvicorn in a thread.

    It runs in this process, so it shares the test database and, without
    REDIS_URL, the in-memory channel layer.
    """

    def __init__(self):
        import uvicorn

        from config.asgi import application

        self.port = _free_port()
        config = uvicorn.Config(
            application,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("ASGI test server did not start")
            time.sleep(0.05)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def asgi_server(transactional_db):
    server = ThreadedASGIServer()
    server.start()
    yield server
    server.stop()


# ---------------------------------------------------------------- browser


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
    import re
    from urllib.parse import urlsplit

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


@pytest.fixture
def axe():
    return assert_accessible


def login(page, server, username, password=PASSWORD):
    """Sign in through the real sign-in form."""
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def browser_login():
    return login


def redis_available():
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


@pytest.fixture
def redis_url():
    require_service(redis_available(), "Redis not reachable: start redis-server or set REDIS_URL")
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
