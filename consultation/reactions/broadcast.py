"""Live tallies: coalesced, versioned broadcasts to a paper's websocket group.

The database is the source of truth; the channel layer only carries messages,
and may drop them (RedisChannelLayer silently drops group sends to a consumer
that is far behind). So every message carries absolute tallies and a version,
and clients resync over HTTP when they notice a gap. The schema is in
docs/realtime.md.

How a committed change reaches the viewers:

1. The reaction service calls `tally_changed()` from `transaction.on_commit`.
2. That marks the target dirty in this process's coalescer for the paper. The
   coalescer lives on the event loop that serves the websockets (the ASGI
   server's loop; outside a server, a background loop of its own).
3. If the paper sent nothing in the last INTERVAL seconds the flush starts at
   once (a lone vote is not delayed); otherwise it waits out the interval, so
   each process sends at most one message per paper per INTERVAL however many
   votes arrive. Under load a flush carries every target that changed since
   the previous one.
4. A flush takes the paper's next version, THEN reads the tallies of the dirty
   targets in one query, then sends one group message of pre-encoded JSON.
   The group's members are one relay per server process, which hands the
   text to its local viewers (consultation/reactions/consumers.py).

Taking the version before reading makes "a higher version never holds older
data for a target" hold across processes: a change committed after a read is
marked after that read, so the flush that carries it takes a later version.
The same order (version, then read) makes snapshots safe to mix with updates.
"""

import asyncio
import contextvars
import json
import logging
import os
import secrets
import threading
import weakref

from asgiref.sync import SyncToAsync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections
from redis.exceptions import RedisError

from consultation.models import PolicyPaperPage
from consultation.models.pages import paper_sections
from consultation.reactions.selectors import reaction_tallies, tally_groups

logger = logging.getLogger(__name__)

SCHEMA = 1

# What an unreachable channel layer raises (redis-py's errors and the sockets' own).
CHANNEL_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


def interval():
    """Seconds between two broadcasts for one paper from one process."""
    return float(getattr(settings, "TALLY_BROADCAST_INTERVAL", 0.25))


def paper_group(paper_id):
    return f"paper-{int(paper_id)}.tallies"


# ---------------------------------------------------------------- versions


class LocalClock:
    """Per-paper versions for a single process (the in-memory channel layer).

    The epoch changes when the process restarts; clients treat a new epoch as
    "resync" rather than comparing versions across epochs."""

    def __init__(self):
        self._lock = threading.Lock()
        self._versions = {}
        self.epoch = secrets.token_hex(6)

    def next(self, paper_id):
        with self._lock:
            version = self._versions.get(paper_id, 0) + 1
            self._versions[paper_id] = version
        return self.epoch, version

    def current(self, paper_id):
        with self._lock:
            return self.epoch, self._versions.get(paper_id, 0)


_NEXT_SCRIPT = """
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
return {redis.call('HGET', KEYS[1], 'epoch'), version}
"""
_CURRENT_SCRIPT = """
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
return {redis.call('HGET', KEYS[1], 'epoch'), tonumber(redis.call('HGET', KEYS[1], 'version') or '0')}
"""


class RedisClock:
    """Per-paper versions shared by every process, in one Redis hash per paper.

    Version and epoch live in the same key: if Redis loses it, both start
    again together and clients see a new epoch instead of versions going back.

    While Redis is unreachable the clock answers from a process-local one with
    an epoch of its own, so tallies are still served over HTTP and on connect;
    clients treat the switch of epoch, both ways, as "resync"."""

    def __init__(self, url, prefix):
        import redis

        # A second, not redis-py's default of waiting for ever, on a Redis that
        # accepts connections but does not answer.
        self._client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self._errors = (redis.RedisError, OSError)
        self._prefix = prefix
        self._next = self._client.register_script(_NEXT_SCRIPT)
        self._current = self._client.register_script(_CURRENT_SCRIPT)
        self._fallback = LocalClock()

    def _key(self, paper_id):
        return f"{self._prefix}:tally-clock:{int(paper_id)}"

    def _call(self, script, fallback, paper_id):
        try:
            epoch, version = script(keys=[self._key(paper_id)], args=[secrets.token_hex(6)])
        except self._errors as error:
            logger.warning("Tally clock unavailable (%s); using this process's own epoch", error)
            return fallback(paper_id)
        return epoch.decode(), int(version)

    def next(self, paper_id):
        return self._call(self._next, self._fallback.next, paper_id)

    def current(self, paper_id):
        return self._call(self._current, self._fallback.current, paper_id)


_clock = None
_clock_lock = threading.Lock()


def clock():
    global _clock
    with _clock_lock:
        if _clock is None:
            backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
            if settings.REDIS_URL and backend.startswith("channels_redis."):
                prefix = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "openpolicy")
                _clock = RedisClock(settings.REDIS_URL, prefix)
            else:
                _clock = LocalClock()
        return _clock


# ---------------------------------------------------------------- messages


def _encode(message):
    return json.dumps(message, separators=(",", ":"))


def tally_update(*, paper_id, targets):
    """The text of one update message: the next version, then the tallies read
    after it (the order matters, see the module docstring)."""
    epoch, version = clock().next(paper_id)
    tallies = reaction_tallies(paper_id=paper_id, targets=sorted(targets))
    return _encode(
        {
            "type": "tallies",
            "schema": SCHEMA,
            "paper": int(paper_id),
            "epoch": epoch,
            "version": version,
            "tallies": list(tallies.values()),
        }
    )


def tally_snapshot(*, paper, next_version=False):
    """Every tally of the paper, complete: a target not listed has no reactions.

    Sent on connect and served over HTTP for resyncs (at the current version),
    and broadcast when every tally changes at once (at the next version)."""
    epoch, version = (clock().next if next_version else clock().current)(paper.pk)
    section_ids = [section.pk for section in paper_sections(paper=paper)]
    tallies = reaction_tallies(paper_id=paper.pk, section_ids=section_ids)
    groups = tally_groups(consultation=paper.consultation, tallies=tallies)
    return {
        "type": "snapshot",
        "schema": SCHEMA,
        "paper": paper.pk,
        "epoch": epoch,
        "version": version,
        "groups": [{"id": group.pk, "name": group.name} for group in groups],
        "tallies": list(tallies.values()),
    }


def encode_snapshot(snapshot):
    return _encode(snapshot)


# ---------------------------------------------------------------- coalescing


class Coalescer:
    """Dirty targets and the pending flush of each paper, for one event loop.

    Only ever touched from its loop's thread, so it needs no locks."""

    def __init__(self):
        self.dirty = {}
        self.tasks = {}
        self.last_sent = {}
        self.sent = 0  # messages sent, for tests and the benchmark

    def mark(self, paper_id, target_key):
        self.dirty.setdefault(paper_id, set()).add(target_key)
        if paper_id not in self.tasks:
            # A fresh context: the task must not inherit the request that
            # happened to schedule it (its thread-sensitive executor ends
            # with the request).
            loop = asyncio.get_running_loop()
            self.tasks[paper_id] = loop.create_task(self._run(paper_id), context=contextvars.Context())

    async def _run(self, paper_id):
        loop = asyncio.get_running_loop()
        try:
            while self.dirty.get(paper_id):
                wait = self.last_sent.get(paper_id, float("-inf")) + interval() - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                targets = self.dirty.pop(paper_id)
                try:
                    await self._send(paper_id, targets)
                except CHANNEL_ERRORS as error:
                    # Redis is down: the change is in the database, and the relays
                    # resend a snapshot when they are back in the group.
                    logger.warning("Tally broadcast for paper %s not sent: %s", paper_id, error)
                except Exception:
                    # Clients resync over HTTP on their next gap or reconnect.
                    logger.exception("Tally broadcast for paper %s failed", paper_id)
                self.last_sent[paper_id] = loop.time()
        finally:
            self.tasks.pop(paper_id, None)

    async def _send(self, paper_id, targets):
        read = _read_snapshot if EVERYTHING in targets else _read_update
        text = await sync_to_async(read, thread_sensitive=False)(paper_id, targets)
        await get_channel_layer().group_send(paper_group(paper_id), {"type": "tally.message", "text": text})
        self.sent += 1

    async def idle(self):
        """Wait until every scheduled flush has been sent (used by tests and the benchmark)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks.values()), return_exceptions=True)


def _read_update(paper_id, targets):
    close_old_connections()
    try:
        return tally_update(paper_id=paper_id, targets=targets)
    finally:
        close_old_connections()


def _read_snapshot(paper_id, targets):
    close_old_connections()
    try:
        paper = PolicyPaperPage.objects.get(pk=paper_id)
        return encode_snapshot(tally_snapshot(paper=paper, next_version=True))
    finally:
        close_old_connections()


_coalescers = weakref.WeakKeyDictionary()


def coalescer(loop=None):
    loop = loop or asyncio.get_running_loop()
    if loop not in _coalescers:
        _coalescers[loop] = Coalescer()
    return _coalescers[loop]


def _caller_loop():
    """The event loop serving this request, when called from a sync view that
    an ASGI server runs through sync_to_async; None outside a server."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) == os.getpid():
        loop = getattr(local, "main_event_loop", None)
        if loop is not None and loop.is_running():
            return loop
    return None


_background = None
_background_lock = threading.Lock()


def _background_loop():
    """A loop of our own for changes made outside an ASGI server (management
    commands, WSGI workers, scripts). With Redis their broadcasts still reach
    every server process; with the in-memory layer nobody listens there."""
    global _background
    with _background_lock:
        if _background is None or _background.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="tally-broadcast", daemon=True)
            thread.start()
            _background = loop
            # Send what is pending before the interpreter shuts its thread pools
            # down (a command that exits straight after a change would otherwise
            # fail its last broadcast). Hooks registered here run before those of
            # concurrent.futures, which registered at import.
            threading._register_atexit(_flush_before_exit)
        return _background


# Marks every tally of a paper as changed: the flush sends a whole snapshot.
EVERYTHING = "*"


def tally_changed(*, paper_id, target_key):
    """Schedule a coalesced broadcast of the target's tally. Call after commit."""
    loop = _caller_loop() or _background_loop()
    loop.call_soon_threadsafe(lambda: coalescer(loop).mark(int(paper_id), target_key))


def tallies_reset(*, paper_id):
    """Schedule a broadcast of the paper's whole snapshot, for changes to every
    tally at once (a new version of the paper starts fresh tallies). Call after commit."""
    tally_changed(paper_id=paper_id, target_key=EVERYTHING)


# Sent to a paper's group when who may read the paper may have changed (it was
# restricted or unpublished): each open socket asks the rule again and closes
# if its viewer may no longer read the paper (docs/realtime.md).
ACCESS_CHANGED = {"type": "paper.access", "access": "changed"}


def paper_access_changed(*, paper_id):
    """Tell the paper's open sockets to re-check their viewer's access. Call after commit."""
    loop = _caller_loop() or _background_loop()

    async def send():
        try:
            await get_channel_layer().group_send(paper_group(int(paper_id)), dict(ACCESS_CHANGED))
        except Exception:  # noqa: BLE001 - the next connect re-checks anyway
            logger.warning("Could not announce an access change on paper %s", paper_id, exc_info=True)

    loop.call_soon_threadsafe(lambda: asyncio.ensure_future(send(), loop=loop))


def wait_background_idle(timeout=10):
    """Block until broadcasts scheduled outside a server have been sent.

    For scripts about to exit and for tests, which must not leave a flush
    reading a database that is about to be torn down."""
    loop = _background
    if loop is None or not loop.is_running():
        return
    asyncio.run_coroutine_threadsafe(_idle_soon(loop), loop).result(timeout)


def _flush_before_exit():
    try:
        wait_background_idle(timeout=5)
    except Exception:  # noqa: BLE001 - exiting anyway; the page resyncs from HTTP
        logger.warning("Pending tally broadcasts were not sent before exit", exc_info=True)


async def _idle_soon(loop):
    # Let callbacks queued with call_soon_threadsafe (the marks) run first.
    await asyncio.sleep(0)
    await coalescer(loop).idle()
