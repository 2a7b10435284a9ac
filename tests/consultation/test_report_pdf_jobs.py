"""The report's PDF is laid out by a background job on a real queue and worker: no request
waits for it, freezing returns at once, and the frozen PDF's fingerprint enters the record."""

import hashlib
import time

import pytest
from django.urls import reverse

from consultation.models import FrozenReport, RecordEntry
from jobs.models import Job
from tests.support.people import editor_of
from tests.support.trees import report_scenario

pytestmark = pytest.mark.django_db(transaction=True)

# The layout is made this much slower than it is, so a request that waited for it would show.
SLOW_LAYOUT_SECONDS = 5
LIMIT_SECONDS = 2


def timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def test_report_pdf_never_holds_a_request_while_the_layout_runs(client, task_queue, settings):
    settings.REPORT_PDF_EXTRA_SECONDS = SLOW_LAYOUT_SECONDS
    tree = report_scenario()
    url = f"{tree['paper'].url}report.pdf"

    response, took = timed(client.get, url)
    assert response.status_code == 202 and took < LIMIT_SECONDS
    page = response.content.decode()
    assert "The PDF is being prepared" in page and response["Retry-After"] == "10"
    assert "http-equiv" not in page  # no timed reload nobody asked for (WCAG 2.2.1)
    asked = client.get(f"{url}?keep_checking=1").content.decode()
    assert '<meta http-equiv="refresh" content="10">' in asked and "Stop reloading" in asked
    assert "<script" not in page.split("</head>")[0].split("<head>")[1].replace('<script src="/static', "")
    # Asking again while it is laid out starts no second layout.
    response, took = timed(client.get, url)
    assert response.status_code == 202 and took < LIMIT_SECONDS
    assert Job.objects.filter(handler="consultation.report.services.report_pdf_build").count() == 1

    task_queue.work()  # the slow layout, in the worker
    response, took = timed(client.get, url)
    assert response.status_code == 200 and took < LIMIT_SECONDS
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert response["X-Figures-As-Of"]


def test_freezing_returns_at_once_and_the_pdf_and_its_fingerprint_follow_from_the_worker(
    client, task_queue, settings
):
    settings.REPORT_PDF_EXTRA_SECONDS = SLOW_LAYOUT_SECONDS
    tree = report_scenario(stage="signoff")
    paper = tree["paper"]
    client.force_login(editor_of(tree["consultation"]))

    response, took = timed(client.post, reverse("consultation_report:freeze", args=[paper.pk]))
    assert response.status_code == 302 and took < LIMIT_SECONDS
    frozen = FrozenReport.objects.get()
    url = f"{paper.url}report/frozen/{frozen.pk}/report.pdf"
    response, took = timed(client.get, url)
    assert response.status_code == 202 and took < LIMIT_SECONDS
    assert not RecordEntry.objects.filter(kind="report_pdf").exists()

    task_queue.work()
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    entry = RecordEntry.objects.get(kind="report_pdf")
    assert entry.data["pdf_sha256"] == hashlib.sha256(response.content).hexdigest()
    assert entry.data["frozen_report"] == frozen.pk
    # The frozen report's PDF is made once: running the job again changes nothing.
    job = Job.objects.get(handler="consultation.report.services.report_pdf_build_frozen")
    assert job.status == Job.Status.SUCCEEDED
    assert RecordEntry.objects.filter(kind="report_pdf").count() == 1
