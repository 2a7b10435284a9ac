"""The commands that serve the site really start it: `make serve` (the end of `make run`) and the
Procfile's `web:` line, each run as written, from the repository, in a process of its own."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support.servers import free_port
from tests.support.services import database_url

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin"

pytestmark = pytest.mark.slow


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — our own local server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def serve(command, port):
    """Start `command` through the shell, as make or a Procfile runner would, and wait for the port."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PYTHONPATH")}
    env.update(
        PATH=f"{VENV_BIN}:{env['PATH']}",
        PORT=str(port),
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url(),
    )
    process = subprocess.Popen(  # noqa: S602 — the command is the repository's own Makefile or Procfile
        command,
        shell=True,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode()
            pytest.fail(f"{command!r} exited with {process.returncode}:\n{output[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    pytest.fail(f"{command!r} did not open port {port} within 60 s")


def stop(process):
    """Stop the whole process group and wait until every process in it has gone: the server
    and its worker (`manage.py work`) outlive the shell by seconds, and a worker left running
    would take jobs from this test process's queue in the tests that follow."""
    os.killpg(process.pid, signal.SIGTERM)
    if not group_gone(process, timeout=15):
        os.killpg(process.pid, signal.SIGKILL)
        assert group_gone(process, timeout=10), "the served process group did not stop"


def group_gone(process, *, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process.poll()  # reap the shell, the group's leader
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def websocket_refusal(url):
    # The synchronous client: Playwright's fixtures may keep an event loop running in this thread.
    try:
        with connect(url, origin="http://127.0.0.1", open_timeout=10):
            return None
    except InvalidStatus as refused:
        return refused.response.status_code


def assert_serves_the_project(port):
    base = f"http://127.0.0.1:{port}"
    status, css = get(f"{base}/static/css/site.css")
    assert status == 200 and "--accent" in css
    # A URL of the consultation app, answered from the database: the apps import and connect.
    status, body = get(f"{base}/consultation/sections/999999/")
    assert status == 404
    # Websockets are routed too: an unknown paper's socket is refused by our consumer, not missing.
    assert websocket_refusal(f"ws://127.0.0.1:{port}/ws/papers/999999/") == 403


def web_command():
    for line in (REPO / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("the Procfile has no web: line")


def test_make_serve_starts_the_asgi_server_from_a_clean_shell(django_db_setup):
    port = free_port()
    process = serve(f"make --no-print-directory serve PORT={port} VENV={VENV_BIN.parent}", port)
    try:
        assert_serves_the_project(port)
    finally:
        stop(process)


def test_procfile_web_line_starts_the_asgi_server(django_db_setup):
    port = free_port()
    process = serve(web_command(), port)
    try:
        assert_serves_the_project(port)
    finally:
        stop(process)
