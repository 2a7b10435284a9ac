"""Reading a report snapshot in tests."""

from django.test import TestCase


def section_of(snapshot, section):
    return next(s for s in snapshot["sections"] if s["id"] == section.pk)


def group_row(section_data, key):
    return next(g for g in section_data["groups"] if g["key"] == key)


def get_after_jobs(client, url):
    """GET `url` and run the background jobs it starts (the test settings run jobs as
    they are handed over, on commit; a test's own transaction never commits, so
    the hand-over is run here as a commit would). For report.pdf: the first
    request starts the layout, and the PDF is then there to serve."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(url)
    if response.status_code == 202:
        response = client.get(url)
    return response
