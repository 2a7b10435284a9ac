"""The report's PDF never fetches a URL: WeasyPrint's default fetcher follows any
http(s), ftp or file URL the HTML names, so a URL written by a person that
reached an <img> or a stylesheet would make the server request it."""

import http.server
import threading

import pytest

from consultation.report import render as report_render


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/track.png",
        "https://evil.example/x.css",
        "HTTP://evil.example/upper",
        "file:///etc/passwd",
        "ftp://evil.example/x",
    ],
)
def test_the_pdf_fetcher_refuses_every_url_but_data(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        report_render.pdf_url_fetcher().fetch(url)


@pytest.fixture
def listener():
    """A local HTTP server that counts the requests it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def _render(html, **kwargs):
    from weasyprint import HTML

    return HTML(string=html, **kwargs).write_pdf()


def test_a_pdf_laid_out_with_the_report_fetcher_requests_nothing(listener):
    url, hits = listener
    html = (
        f'<link rel="stylesheet" href="{url}/x.css"><img src="{url}/track.png">'
        f"<p style=\"background: url('{url}/bg.png')\">text</p>"
    )
    _render(html, base_url=url + "/", url_fetcher=report_render.pdf_url_fetcher())
    assert hits == []
    # The same document with WeasyPrint's default fetcher does call out: the check would see it.
    _render(html, base_url=url + "/")
    assert hits
