"""The read-only websocket of a paper: live reaction tallies.

Nothing a client sends changes anything: writes go over HTTP, where sessions,
CSRF, rules and forms already apply. The socket only listens.

Fan-out happens in each server process, not in Redis. The first viewer of a
paper in a process starts a relay: one channel-layer channel in the paper's
group. Each broadcast therefore crosses the channel layer once per process
(not once per viewer), and the relay hands the already-encoded text to every
local viewer. With a thousand viewers that is the difference between a
thousand Redis messages per update, which RedisChannelLayer starts dropping
once a process falls behind, and one. The relay writes the message to
every local socket itself, in one pass with no task switch per viewer (as a
bare ASGI broadcaster does); only a viewer whose socket cannot take it at once
gets a task of its own, until it has caught up.

The relay also holds the paper's snapshot as text, read once and handed to
every viewer that connects until the next message reaches the relay: a
thousand viewers arriving together cost one snapshot read, not a thousand.
Each viewer still asks the rule (consultation.view_tallies) for itself before
it gets anything; the snapshot is the same for everyone allowed to read it.
"""

import asyncio
import collections
import contextvars
import logging
import weakref
from types import SimpleNamespace

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser

from consultation.explain import Verdict, explain
from consultation.models import PolicyPaperPage
from consultation.reactions.broadcast import CHANNEL_ERRORS, encode_snapshot, paper_group, tally_snapshot

logger = logging.getLogger(__name__)

# Close codes in the 4000–4999 range are ours to define (docs/realtime.md).
CLOSE_FORBIDDEN = 4403

# Messages waiting for one slow viewer. Past this its messages are dropped;
# the client sees a gap in versions and resyncs over HTTP.
OUTBOX_SIZE = 32


def start_eagerly(coroutine):
    """Run `coroutine` in the calling task up to its first suspension.

    Returns None if it finished without suspending, else an awaitable that
    finishes it (await it, or wrap it in a task). What Python 3.12's eager
    tasks do, for 3.11: an ASGI server's websocket send suspends only when the
    socket's buffers are full, so writing to a thousand sockets this way costs
    no task switch per socket, and a socket that does not take its message
    holds up nobody. Exceptions of the first step propagate to the caller.

    The first step runs in the caller's task and context: fit only for a send that
    ties nothing to its task before suspending (no timeouts or cancel scopes), as
    uvicorn's websocket send does. On Python 3.12, asyncio's eager task factory."""
    try:
        suspended_on = coroutine.send(None)
    except StopIteration:
        return None
    return _Suspended(coroutine, suspended_on)


class _Suspended:
    """The rest of a coroutine that suspended in start_eagerly: awaiting it hands
    the awaitable the coroutine is waiting on to the awaiting task (as `await`
    itself does), then goes on stepping the coroutine."""

    def __init__(self, coroutine, suspended_on):
        self.coroutine = coroutine
        self.suspended_on = suspended_on

    def __await__(self):
        coroutine, suspended_on = self.coroutine, self.suspended_on
        while True:
            try:
                value = yield suspended_on
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as error:  # noqa: BLE001 - cancellation included: passed in, as await does
                try:
                    suspended_on = coroutine.throw(error)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    suspended_on = coroutine.send(value)
                except StopIteration as stop:
                    return stop.value


class PaperRelay:
    """This process's subscription to one paper's group, shared by its local viewers.

    If the channel layer fails (Redis down or restarted, which also forgets the
    group), the relay keeps its viewers' sockets open, joins the group again
    once it can, and then hands them a fresh snapshot from the database: what
    changed meanwhile was saved but never broadcast."""

    RETRY_SECONDS = 1

    def __init__(self, paper_id):
        self.paper_id = paper_id
        self.group = paper_group(paper_id)
        self.viewers = set()
        self.channel = None
        self.started = None
        self.pump = None
        self.joined = False
        # The shared snapshot. `generation` moves on with every message the relay
        # receives and every time it loses or regains the group; a snapshot is
        # shared only within the generation its read began in (see snapshot_text).
        self.generation = 0
        self.snapshot = None
        self.reading = None  # (generation, future) of the read in flight
        # Moves on with every "access changed" message and every loss of the group
        # (messages missed): a viewer checked before it moved is checked again.
        self.access_epoch = 0

    async def start(self):
        """Join the group. Returns when the first attempt is over, joined or not:
        a viewer connecting during an outage still gets its snapshot."""
        layer = get_channel_layer()
        self.channel = await layer.new_channel()
        joined = asyncio.get_running_loop().create_future()
        self.pump = asyncio.get_running_loop().create_task(self._pump(layer, joined))
        await joined

    async def _join(self, layer):
        try:
            await layer.group_add(self.group, self.channel)
        except Exception as error:  # noqa: BLE001 - any failure: keep the sockets, try again
            logger.warning("Relay for paper %s cannot join its group (%s); retrying", self.paper_id, error)
            return False
        self.joined = True
        self._forget_snapshot()
        return True

    def _forget_snapshot(self):
        self.generation += 1
        self.snapshot = None

    async def snapshot_text(self):
        """The paper's snapshot as text (None if it is no longer published), for a
        viewer that has already joined this relay.

        Shared while nothing has reached the relay since it was read: anything
        later reaches the viewer through its outbox, as with a snapshot of its
        own. A read that began in an earlier generation is not shared (it may
        predate a message this viewer joined too late to receive). While the
        relay is out of its group nothing is shared: each viewer reads the
        database, as the relay cannot hear what changes."""
        if not self.joined:
            return await database_sync_to_async(_snapshot_text)(self.paper_id)
        if self.snapshot is not None:
            return self.snapshot
        generation = self.generation
        if self.reading is None or self.reading[0] != generation:
            self.reading = (generation, asyncio.ensure_future(self._read_snapshot(generation)))
        # Shielded: one viewer giving up must not cancel the read the others wait for.
        return await asyncio.shield(self.reading[1])

    async def _read_snapshot(self, generation):
        try:
            text = await database_sync_to_async(_snapshot_text)(self.paper_id)
        finally:
            if self.reading is not None and self.reading[0] == generation:
                self.reading = None
        if generation == self.generation and self.joined:
            self.snapshot = text
        return text

    async def _pump(self, layer, joined):
        try:
            recovering = not await self._join(layer)
        finally:
            if not joined.done():  # start() may have been cancelled meanwhile
                joined.set_result(None)
        while True:
            if recovering:
                await asyncio.sleep(self.RETRY_SECONDS)
                if not await self._join(layer):
                    continue
                recovering = False
                # An access change announced during the outage was lost: ask
                # again, and close those refused before anyone gets a snapshot.
                await asyncio.gather(*(viewer._recheck_access() for viewer in list(self.viewers)))
                await self._resync()
            try:
                message = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # Whatever the cause, the group may have forgotten us (a restarted
                # Redis has): join again, then resync the viewers.
                logger.warning(
                    "Relay for paper %s lost the channel layer (%s); rejoining", self.paper_id, error
                )
                self.joined = False
                self.access_epoch += 1
                self._forget_snapshot()
                recovering = True
                continue
            # Whatever the message, the shared snapshot may now be older than it.
            self._forget_snapshot()
            if message.get("access") == "changed":
                self.access_epoch += 1
                for viewer in list(self.viewers):
                    viewer.recheck_access()
                continue
            text = message.get("text")
            if text:
                self._deliver(text)

    async def _resync(self):
        try:
            text = await database_sync_to_async(_snapshot_text)(self.paper_id)
        except Exception:
            # The viewers resync on the next update's gap or on reconnect.
            logger.exception("Relay for paper %s could not read a snapshot", self.paper_id)
            return
        if text:
            self._deliver(text)

    def _deliver(self, text):
        # One message, built once, for every socket; written in this one pass
        # (see PaperTalliesConsumer.deliver), with no await between two viewers.
        message = {"type": "websocket.send", "text": text}
        for viewer in list(self.viewers):
            viewer.deliver(message)

    # How long the last viewer's leaving waits for the pump to end, and how often it cancels
    # it meanwhile. A cancellation can be lost in the layer's blocking pop (seen on the Redis
    # pass: a pump still in a pop 15 s after it was cancelled), and channels-redis pops again
    # after an empty pop, so the pump would run on, unseen, for as long as the process does.
    # Asked again, it ends. Bounded, so a leaving socket never hangs on it.
    STOP_WAIT_SECONDS = 5
    CANCEL_AGAIN_SECONDS = 0.5

    async def stop(self):
        if self.pump is not None:
            # Ended before the group is left, so nothing of this relay runs on after it
            # (unless the pump itself is leaving: a recheck after an outage can close the last viewer).
            if self.pump is asyncio.current_task():
                self.pump.cancel()
            else:
                await _cancel_and_wait(self.pump, self.STOP_WAIT_SECONDS, self.CANCEL_AGAIN_SECONDS)
        if self.channel is not None:
            try:
                await get_channel_layer().group_discard(self.group, self.channel)
            except CHANNEL_ERRORS as error:
                # The group entry expires on its own.
                logger.warning("Relay for paper %s could not leave its group: %s", self.paper_id, error)


async def _cancel_and_wait(task, seconds, again_every):
    """Cancel `task` and wait up to `seconds` for it to end, cancelling it again every
    `again_every` seconds in case a cancellation was swallowed (see PaperRelay.stop)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not task.done():
        left = deadline - loop.time()
        if left <= 0:
            logger.warning("A relay's pump did not end within %s s of being cancelled", seconds)
            return
        task.cancel()
        await asyncio.wait({task}, timeout=min(again_every, left))


def _snapshot_text(paper_id):
    paper = PolicyPaperPage.objects.live().filter(pk=paper_id).first()
    return encode_snapshot(tally_snapshot(paper=paper)) if paper is not None else None


_relays = weakref.WeakKeyDictionary()  # event loop -> {paper id: PaperRelay}


def relays():
    return _relays.setdefault(asyncio.get_running_loop(), {})


async def relay_join(paper_id, viewer):
    """Add a viewer; returns once this process is in the paper's group."""
    registry = relays()
    relay = registry.get(paper_id)
    if relay is None:
        relay = registry[paper_id] = PaperRelay(paper_id)
        relay.started = asyncio.ensure_future(relay.start())
    relay.viewers.add(viewer)
    try:
        await asyncio.shield(relay.started)
    except Exception:
        relay.viewers.discard(viewer)
        if registry.get(paper_id) is relay:
            del registry[paper_id]
        raise
    return relay


async def relay_leave(paper_id, viewer):
    registry = relays()
    relay = registry.get(paper_id)
    if relay is None or viewer not in relay.viewers:
        return
    relay.viewers.discard(viewer)
    if not relay.viewers:
        del registry[paper_id]
        await relay.stop()


def _viewer(scope):
    """Who is connecting: the scope's user if a middleware resolved one, else
    the person the session names (Django's own lookup), else the public."""
    user = scope.get("user")
    if user is None:
        session = scope.get("session")
        user = get_user(SimpleNamespace(session=session)) if session is not None else AnonymousUser()
        scope["user"] = user  # kept for the socket's life, as AuthMiddleware does
    return user


def _check_batch(paper_id, scopes):
    """The rule for each viewer, against one read of the paper made after all of
    them arrived: (the paper or None, the explainer's verdict) per scope."""
    paper = PolicyPaperPage.objects.live().filter(pk=paper_id).first()
    results = []
    for scope in scopes:
        if paper is None:
            results.append((None, Verdict(False, "not_found", "There is no published paper here.")))
            continue
        verdict = explain(_viewer(scope), "consultation.view_tallies", paper)
        results.append((paper if verdict else None, verdict))
    return results


class Admissions:
    """The access checks of the viewers connecting to one paper in this process.

    Viewers who arrive while a check is running wait for the next one, which
    then reads the paper once for all of them and asks the rule for each: a
    thousand viewers arriving together cost a few reads and database
    connections, not a thousand. Every verdict still comes from the rule
    (consultation.view_tallies) for that viewer, on a read made after the
    viewer arrived, as a check of its own would be."""

    def __init__(self, paper_id, registry):
        self.paper_id = paper_id
        self.registry = registry
        self.waiting = []
        self.task = None

    async def check(self, scope):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.waiting.append((scope, future))
        if self.task is None:
            # A fresh context, not the first viewer's.
            self.task = loop.create_task(self._run(), context=contextvars.Context())
        return await future

    async def _run(self):
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                try:
                    results = await database_sync_to_async(_check_batch)(
                        self.paper_id, [scope for scope, _ in batch]
                    )
                except Exception as error:  # noqa: BLE001 - each waiting viewer gets the error
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():  # a viewer that gave up is cancelled
                        future.set_result(result)
        finally:
            self.task = None
            if self.registry.get(self.paper_id) is self:
                del self.registry[self.paper_id]


_admissions = weakref.WeakKeyDictionary()  # event loop -> {paper id: Admissions}


def admissions(paper_id):
    registry = _admissions.setdefault(asyncio.get_running_loop(), {})
    if paper_id not in registry:
        registry[paper_id] = Admissions(paper_id, registry)
    return registry[paper_id]


class PaperTalliesConsumer(AsyncWebsocketConsumer):
    # No channel of its own: viewers hear from their relay, never from the layer
    # directly. Channels would otherwise receive on a per-socket channel and end
    # the socket with a traceback when Redis goes away.
    channel_layer_alias = None

    async def connect(self):
        self.paper_id = None
        # Messages from the relay are written straight to the socket once the
        # snapshot has gone (`live`). Until then, and while an earlier message
        # is still being written (`writer`, a task finishing it), they wait in
        # the outbox, in order.
        self.live = False
        self.writer = None
        self.outbox = collections.deque()
        self.tasks = set()
        paper_id = self.scope["url_route"]["kwargs"]["paper_id"]
        paper, verdict = await self._readable_paper(paper_id)
        if paper is None:
            # Refused before the handshake completes: the client sees HTTP 403.
            # The close message carries the explainer's reason code
            # ("not_found", "restricted"), for servers and tests that pass it on.
            await self.close(code=CLOSE_FORBIDDEN, reason=verdict.code)
            return
        # Subscribe before the snapshot is read, so no change can fall between
        # the two (the client drops anything the snapshot already has). What
        # arrives meanwhile waits in the outbox until the snapshot has gone.
        self.paper_id = paper.pk
        relay = await relay_join(paper.pk, self)
        try:
            while True:
                # Asked again now that this viewer is in the relay: a restriction
                # committed after the first check announced itself where this
                # viewer could not yet hear it; one committed after this check
                # reaches the relay. (The first check keeps the refused out of
                # the relay and the channel layer altogether.)
                epoch = relay.access_epoch
                paper, verdict = await self._readable_paper(paper.pk)
                if self.paper_id is None:  # refused meanwhile by a recheck, which closed the socket
                    return
                if paper is None:
                    await self._refuse(verdict.code)
                    return
                snapshot = await relay.snapshot_text()
                if self.paper_id is None:  # refused meanwhile by a recheck, which closed the socket
                    return
                if relay.access_epoch == epoch:
                    break
                # An access change reached the relay while the snapshot was read:
                # ask once more before sending anything.
            if snapshot is None:  # unpublished since the check above
                await self._refuse("not_found")
                return
            await self.accept()
            await self.send(text_data=snapshot)
            self.live = True
            if self.outbox:  # updates that arrived while the snapshot was read and sent
                self._write_later(None)
        except BaseException:
            await relay_leave(self.paper_id, self)
            raise

    async def _readable_paper(self, paper_id):
        return await admissions(paper_id).check(self.scope)

    async def _refuse(self, code):
        """Stop streaming, leave the relay and close with the explainer's reason code, once:
        connect and a recheck may both find the paper unreadable, and the first to get here
        closes (a second close is an error to the ASGI server)."""
        paper_id, self.paper_id = self.paper_id, None
        if paper_id is None:
            return
        self._stop_writing()
        await relay_leave(paper_id, self)
        await self.close(code=CLOSE_FORBIDDEN, reason=code)

    async def dispatch(self, message):
        # Channels' own dispatch first closes stale database connections, a trip
        # to the sync thread for every connect and disconnect. Our handlers touch
        # the database only through database_sync_to_async, which closes them.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def recheck_access(self):
        """Called by the relay when the paper may have become unreadable."""
        task = asyncio.get_running_loop().create_task(self._recheck_access())
        # Held until done: the loop keeps only weak references to tasks.
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _recheck_access(self):
        paper_id = self.paper_id
        if paper_id is None:
            return
        paper, verdict = await self._readable_paper(paper_id)
        if paper is None:
            await self._refuse(verdict.code)

    def deliver(self, message):
        """Called by the relay for every broadcast (an ASGI `websocket.send`
        message, shared by all viewers); never waits for a slow client.

        Written to the socket at once when the socket takes it without waiting
        (almost always); otherwise a task finishes the write, and messages wait
        in the outbox behind it."""
        if not self.live or self.writer is not None:
            # A full outbox drops the message: the client sees the gap and resyncs.
            if len(self.outbox) < OUTBOX_SIZE:
                self.outbox.append(message)
            return
        try:
            rest = start_eagerly(self.base_send(message))
        except Exception:  # noqa: BLE001 - the socket has gone; its disconnect cleans up
            return
        if rest is not None:
            self._write_later(rest)

    def _write_later(self, rest):
        self.writer = asyncio.get_running_loop().create_task(self._catch_up(rest))

    async def _catch_up(self, rest):
        """Finish a suspended write, then write what queued behind it, until the
        outbox is empty: from then on the relay writes to this socket directly."""
        try:
            if rest is not None:
                await rest
            while self.outbox:
                await self.base_send(self.outbox.popleft())
        except Exception:  # noqa: BLE001, S110 - the socket has gone; its disconnect cleans up
            pass
        finally:
            if self.writer is asyncio.current_task():
                self.writer = None

    def _stop_writing(self):
        self.live = False
        self.outbox.clear()
        if self.writer is not None:
            self.writer.cancel()

    async def receive(self, text_data=None, bytes_data=None):
        """Client messages are ignored by design."""

    async def disconnect(self, code):
        self._stop_writing()
        if self.paper_id is not None:
            await relay_leave(self.paper_id, self)
