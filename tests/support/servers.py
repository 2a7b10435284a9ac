"""Servers a test talks to over real sockets, each on a port of its own pytest-xdist worker.

Each worker (and a serial run) takes ports from its own range, so two workers never
race for one port; within the range a port is only used if nothing listens on it
(other checkouts on the machine may run the suite too). The threaded server keeps
the socket it bound, so nothing can take its port between choosing and serving.
"""

import itertools
import os
import random
import socket
import threading
import time

# Below Linux's ephemeral range (32768–60999), where outgoing connections take their ports.
PORT_BASE = 20000
PORTS_PER_WORKER = 200


def worker_id():
    """ "gw0", "gw1", … under pytest-xdist; "" in a serial run."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_slot():
    worker = worker_id()
    return int(worker.removeprefix("gw")) + 1 if worker else 0


def _worker_ports():
    first = PORT_BASE + worker_slot() * PORTS_PER_WORKER
    # Start somewhere random and walk on: a port is not reused straight after a test closed it.
    start = random.randrange(PORTS_PER_WORKER)
    for offset in itertools.count(start):
        yield first + offset % PORTS_PER_WORKER


_ports = _worker_ports()
_ports_lock = threading.Lock()


def bound_socket(host="127.0.0.1"):
    """A TCP socket bound to a free port of this worker's range (not yet listening)."""
    with _ports_lock:
        for _ in range(PORTS_PER_WORKER):
            port = next(_ports)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                sock.close()
                continue
            return sock
    raise RuntimeError(f"no free port in {worker_id() or 'the serial run'}'s range")


def free_port(host="127.0.0.1"):
    """A free port of this worker's range, for a server started in another process."""
    with bound_socket(host) as sock:
        return sock.getsockname()[1]


class ThreadedASGIServer:
    """The project's real ASGI app (HTTP + websockets) under uvicorn in a thread.

    It runs in this process, so it shares the test database and, without
    REDIS_URL, the in-memory channel layer.
    """

    def __init__(self):
        import uvicorn

        from config.asgi import application

        self.socket = bound_socket()
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(
            application,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

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
        self.socket.close()
