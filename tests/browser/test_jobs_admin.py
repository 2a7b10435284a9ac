"""An editor finds a failed background job in the Wagtail admin, reads why, and retries it."""

import re

import pytest
from django.core import mail

from jobs.models import Job, OutgoingEmail
from tests.support.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_an_editor_reads_why_a_job_failed_and_retries_it_without_javascript(asgi_server, new_context, axe):
    email = OutgoingEmail.objects.create(
        key="test:browser", to=["reader@example.org"], subject="Your invitation", body="Welcome."
    )
    job = Job.objects.create(
        handler="jobs.services.email_send",
        kwargs={"email_id": email.pk},
        label="Email: Your invitation",
        status=Job.Status.FAILED,
        attempts=5,
        max_attempts=5,
        last_error="Traceback (most recent call last):\n  ...\nConnectionRefusedError: [Errno 111] Refused",
    )
    UserFactory(username="jobs-editor", is_superuser=True, is_staff=True)
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{asgi_server.url}/admin/login/")
    page.locator("input[name=username]").fill("jobs-editor")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{asgi_server.url}/admin/jobs/")
    page.get_by_role("link", name="Failed").click()
    page.wait_for_url(re.compile(r"status=failed"))
    row = page.get_by_role("row", name=re.compile("Your invitation"))
    assert "ConnectionRefusedError" in row.inner_text() and "5 of 5" in row.inner_text()
    axe(page)

    page.get_by_role("link", name="Email: Your invitation").click()
    page.wait_for_url(re.compile(rf"/admin/jobs/{job.pk}/$"))
    assert "Why the last attempt failed" in page.locator("main").inner_text()
    axe(page)
    page.get_by_role("button", name="Retry this job").click()
    page.wait_for_url(re.compile(rf"/admin/jobs/{job.pk}/$"))
    # The test settings run the job as it is handed over: the email is sent, once.
    assert "Succeeded" in page.locator("main").inner_text()
    assert [m.subject for m in mail.outbox] == ["Your invitation"]
    assert page.get_by_role("button", name="Retry this job").count() == 0
