"""`manage.py serve_with_worker -- <web server command>`: the web server and a worker, as one.

What `make run` uses, so one command serves pages and works the queue. Both
run as child processes; when either stops, or this command is interrupted
(Ctrl+C) or terminated, the other is stopped too, and the exit status is the
first one to stop's. In production run them as separate processes instead
(the Procfile's `web:` and `worker:`).
"""

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

MANAGE_PY = Path(__file__).resolve().parents[4] / "manage.py"
STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Run a web server command and a background worker together; stopping one stops both."

    def add_arguments(self, parser):
        parser.add_argument("web", nargs="+", help="the web server's command line (after --)")

    def handle(self, *args, web, **options):
        if not web:
            raise CommandError("Give the web server's command after --.")
        # Fixed argument lists from the Makefile: no shell, nothing from outside.
        children = [
            subprocess.Popen([sys.executable, str(MANAGE_PY), "work"]),  # noqa: S603
            subprocess.Popen(web),  # noqa: S603
        ]
        stopping = None

        def stop(signum, frame):
            nonlocal stopping
            stopping = signum

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        first = None
        try:
            while stopping is None and first is None:
                first = next((child for child in children if child.poll() is not None), None)
                time.sleep(0.2)
        finally:
            # Ctrl+C reaches the children too (one process group), and a second signal
            # would make the worker abandon its job: give them the grace period first.
            if stopping == signal.SIGINT:
                _wait(children, STOP_GRACE_SECONDS)
            for child in children:
                if child.poll() is None:
                    child.terminate()
            _wait(children, STOP_GRACE_SECONDS)
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if first is not None and first.returncode:
            sys.exit(first.returncode if first.returncode > 0 else 1)


def _wait(children, seconds):
    deadline = time.monotonic() + seconds
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(deadline - time.monotonic(), 0.01))
