"""Server processes and a Redis of a test's own, for the scale-out and outage tests.

`ServerProcess` runs the project's ASGI app under uvicorn in its own process;
`OwnRedis` is a redis-server a test starts, stops and starts again on a spare
port (never the machine's shared one). The fixtures `own_redis` and
`outage_server` are a pytest plugin (tests/conftest.py).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests

from tests.support.servers import free_port
from tests.support.services import database_url, require_service

# Seconds from Redis returning to right tallies on an open page (issue 13).
RECOVERY_LIMIT = 10

ROOT_DIR = Path(__file__).resolve().parents[2]
SITE_DIR = ROOT_DIR / "site"


class ServerProcess:
    def __init__(self, env):
        self.port = free_port()
        # A fixed command line: nothing in it comes from outside the test.
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--ws",
                "websockets-sansio",
                "--lifespan",
                "off",
                "--log-level",
                "warning",
            ],
            cwd=SITE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def wait_until_serving(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stdout.read().decode()}")
            try:
                # The first request imports the whole URLconf (numpy, scikit-learn, the API
                # schema: about 3 s here, more on a loaded machine). A short read timeout would
                # abandon it and queue retries behind it on Django's one sync thread, never
                # catching up; so wait for the answer.
                if (
                    requests.get(self.url + path, timeout=max(deadline - time.monotonic(), 1)).status_code
                    == 200
                ):
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def spare_port(first=6390, last=6490):
    for port in range(first, last):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no spare port for a test Redis")


class OwnRedis:
    """A redis-server this test starts, stops and starts again (no persistence:
    a restart forgets everything, as a replaced Redis would)."""

    def __init__(self):
        self.port = spare_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        # A fixed command line: nothing in it comes from outside the test.
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis():
    require_service(shutil.which("redis-server"), "redis-server not installed: apt-get install redis-server")
    server = OwnRedis()
    server.start()
    yield server
    server.stop()


class LoggedServer(ServerProcess):
    """The project's ASGI app under uvicorn in its own process, logging to a file:
    an outage logs a warning per failed Redis call, and a pipe nobody reads
    would fill up and stall the server."""

    def __init__(self, env, log_path):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        # A fixed command line: nothing in it comes from outside the test.
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"]
            + ["--port", str(self.port), "--ws", "websockets-sansio", "--lifespan", "off"]
            + ["--log-level", "warning"],
            cwd=SITE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        if self.process.poll() is None:
            super().stop()
        self.log.close()

    def output(self):
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def outage_server(own_redis, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": os.pathsep.join([str(SITE_DIR), str(ROOT_DIR)]),
        "DATABASE_URL": database_url(),
        "REDIS_URL": own_redis.url,
        "CHANNELS_PREFIX": "openpolicy-outage",
        "CACHE_PREFIX": "openpolicy-outage",
        "LOG_LEVEL": "WARNING",
    }
    process = LoggedServer(env, tmp_path / "server.log")
    yield process
    process.stop()
