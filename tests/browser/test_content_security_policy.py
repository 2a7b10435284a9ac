"""The Content-Security-Policy in a real browser: injected inline script does not run,
and the browser-test hook that fails every test on a violation really sees one."""

import pytest

from tests.support.trees import build_site_tree

pytestmark = pytest.mark.browser


def test_an_injected_inline_script_is_refused_and_reported(asgi_server, page, csp_violations):
    tree = build_site_tree(sections=2)
    page.goto(asgi_server.url + tree["paper"].url)

    # What a stored-XSS payload that escaped escaping would do.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)

    assert page.evaluate("() => window.injected") is None
    assert any("inline script" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()  # seen and expected: this test is the one place a violation is wanted


def test_the_wagtail_admin_works_under_its_policy(asgi_server, page, csp_violations):
    """An editor signs in, finds a section, edits it in Draftail and saves a draft, with no violation."""
    from playwright.sync_api import expect

    from tests.support.factories import PASSWORD, UserFactory

    tree = build_site_tree(sections=2)
    section = tree["sections"][0]
    UserFactory(username="csp-editor", is_superuser=True, is_staff=True)

    page.goto(f"{asgi_server.url}/admin/login/")
    page.locator("input[name=username]").fill("csp-editor")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"{asgi_server.url}/admin/pages/{tree['paper'].pk}/")
    expect(page.get_by_role("link", name=section.title).first).to_be_visible()

    page.goto(f"{asgi_server.url}/admin/pages/{section.pk}/edit/")
    editor = page.locator(".Draftail-Editor").first
    expect(editor).to_be_visible()
    editor.locator("[contenteditable=true]").click()
    page.keyboard.type(" Edited under a strict policy.")
    # The date picker, started without Wagtail's inline script (site/static/js/admin-date-choosers.js).
    assert page.locator("[data-op-chooser][data-op-started]").count() >= 1
    review_on = page.locator("#id_restriction_review_on")
    review_on.scroll_into_view_if_needed()
    review_on.click()
    assert page.evaluate("() => !!window.jQuery('#id_restriction_review_on').data('xdsoft_datetimepicker')")
    expect(page.locator(".xdsoft_datetimepicker").locator("visible=true").first).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("has been updated", exact=False).first).to_be_visible()
    page.wait_for_timeout(300)  # let late console reports arrive before the hook checks
