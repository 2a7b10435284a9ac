"""Benchmark: N live viewers connecting and receiving, against a bare ASGI broadcaster.

    python -m bench                           # N = 10, 100, 1000; about 6 minutes
    python -m bench --clients 1000 --trials 40 --burst-seconds 0
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench
    python -m bench --layer memory            # the embedded default: in-memory layer, no Redis

What runs: the real site under uvicorn (one process, production settings,
RedisChannelLayer) in a subprocess, on a scratch database this script creates
(var/bench/live.sqlite3, or a database named <yours>_bench_live beside the one
DATABASE_URL names) and seeds with one paper; and, as the floor, a bare ASGI
broadcaster of our own (bench/bare_ws.py) under the same uvicorn with the same
websocket implementation.

For each N, on both servers with the same client code: the time to connect N
websocket clients (50 handshakes in flight) until all hold their first message
(the site's snapshot, the floor's hello), the server's memory per open socket
(RSS after less before, over N), and delivery until all N hold a message: the
floor from POST /broadcast; the site's live path from a group_send of an update
into the paper's group (what its own broadcast does); and the site from a
member's reaction POST. Trials are spaced beyond the 250 ms coalescing
interval, so each measures a lone vote, which the server sends at once.

For reference, in the same run: channels-redis alone, one `group_send` to a
group of N channels until all N have it (no server, no websockets).

Then a burst: 10 people post reactions as fast as they can for a few seconds
while N clients watch; the report shows how many messages each client needed
(coalescing) and checks the clients' final tallies against the database.

With --layer memory the site runs as the embedded default does, with
Channels' in-memory layer and no Redis: nothing outside the server can put a
message into its groups, so delivery is timed from the reaction POST only, and
the raw group_send reference is left out.

Everything talks to 127.0.0.1 only. Needs Redis (REDIS_URL, default
redis://127.0.0.1:6379/0) unless --layer memory. The open-file limit is raised
for the clients.
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
VAR = ROOT / "var" / "bench"
PREFIX = "bench-live"


# ---------------------------------------------------------------- set-up


def scratch_database(database_url, name="live"):
    """A fresh database for this run, and how to drop it afterwards."""
    if not database_url:
        VAR.mkdir(parents=True, exist_ok=True)
        path = VAR / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", "SQLite (WAL)", lambda: None

    import psycopg

    parts = urlsplit(database_url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("DATABASE_URL must be a PostgreSQL URL (or unset for SQLite).")
    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_{name}"
    # Created from the server's maintenance database: the named one need not exist.
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))

    def execute(sql):
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    return (
        urlunsplit(parts._replace(path=f"/{name}")),
        "PostgreSQL",
        lambda: execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'),
    )


def server_environment(database_url, redis_url):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNELS_PREFIX": PREFIX,
        "CACHE_PREFIX": PREFIX,
        "LOG_LEVEL": "ERROR",
        # The benchmark posts far faster than a person; the limit would answer 429.
        "RATE_LIMIT_REACTION": "1000000/m",
        "PYTHONPATH": os.pathsep.join([str(SITE), str(ROOT)]),
        # Production settings expect collected static files; the benchmark serves none.
        "PYTHONWARNINGS": "ignore:No directory at",
    }


def migrate(env):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def seed(env, people):
    """One consultation in review with one paper; `people` members with sessions."""
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path[:0] = [str(SITE), str(ROOT)]
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.test import Client

    from tests.support.factories import MembershipFactory, UserFactory, WorkingGroupFactory
    from tests.support.trees import build_site_tree

    groups = [WorkingGroupFactory(), WorkingGroupFactory()]
    tree = build_site_tree(sections=5, stage="review", groups=groups)
    sessions = []
    for i in range(people):
        user = UserFactory(username=f"bench{i}")
        MembershipFactory(group=groups[i % 2], user=user)
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    return tree["paper"].pk, [s.pk for s in tree["sections"]], sessions


class Server:
    """uvicorn in a subprocess: the site's ASGI application, or (for the floor) another app."""

    def __init__(self, env, app="config.asgi:application", cwd=SITE):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", app),
                *("--host", "127.0.0.1", "--port", str(self.port)),
                *("--ws", "websockets-sansio", "--lifespan", "off", "--log-level", "warning"),
                "--no-access-log",
            ],
            cwd=cwd,
            env=env,
        )

    def rss(self):
        """The server process's resident memory, in bytes (Linux)."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def wait(self, path):
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("The server exited during start-up.")
            try:
                if requests.get(self.url + path, timeout=10).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or slow on a loaded machine
                time.sleep(0.2)
        raise SystemExit("The server did not start within 60 s.")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ---------------------------------------------------------------- measuring


# Handshakes in flight at once, for the site and the floor alike.
CONNECTING = 50


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(seconds):
    if not seconds:
        return {"p50": float("nan"), "p99": float("nan")}
    return {"p50": percentile(seconds, 0.5) * 1000, "p99": percentile(seconds, 0.99) * 1000}


class Viewers:
    """N websocket clients on one paper, keeping what each last received."""

    def __init__(self, server, path, count):
        self.url = f"ws://127.0.0.1:{server.port}{path}"
        self.origin = server.url
        self.count = count
        self.sockets = []
        self.received = []  # per client: messages after the snapshot
        self.latest = []  # per client: {target: (version, tally)}
        self.waiters = []

    async def open(self):
        """Connect all N, at most CONNECTING at a time; returns when every one is
        open and holds its first message (the site's snapshot, the floor's hello)."""
        from websockets.asyncio.client import connect

        gate = asyncio.Semaphore(CONNECTING)

        async def one(index):
            async with gate:
                socket = await connect(self.url, origin=self.origin, open_timeout=60, max_queue=None)
                snapshot = json.loads(await asyncio.wait_for(socket.recv(), 60))
                self.latest[index] = {t["target"]: (snapshot["version"], t) for t in snapshot["tallies"]}
                return socket

        self.received = [0] * self.count
        self.latest = [{} for _ in range(self.count)]
        self.sockets = await asyncio.gather(*(one(i) for i in range(self.count)))
        self.readers = [asyncio.create_task(self._read(i, s)) for i, s in enumerate(self.sockets)]

    async def _read(self, index, socket):
        try:
            async for text in socket:
                now = time.perf_counter()
                message = json.loads(text)
                latest = self.latest[index]
                for tally in message["tallies"]:
                    if message["version"] > latest.get(tally["target"], (-1, None))[0]:
                        latest[tally["target"]] = (message["version"], tally)
                self.received[index] += 1
                for waiter in list(self.waiters):
                    waiter(index, now)
        except Exception:  # closed at the end of the phase
            return

    async def all_advanced(self, start, timeout=10):
        """Wait until every client has received a message since `start` (their counts then).

        Returns when the last of them got it, or None if some never did (a lost message).
        Constant work per message received, so the bench's own bookkeeping does not
        grow with N squared and hide the servers' differences."""
        done = asyncio.get_running_loop().create_future()
        state = {"last": None, "waiting": sum(1 for n, s in zip(self.received, start, strict=True) if n <= s)}

        def check(index, now):
            if self.received[index] == start[index] + 1:  # this client's first since start
                state["waiting"] -= 1
                if state["waiting"] == 0 and not done.done():
                    state["last"] = now
                    done.set_result(None)

        if state["waiting"] == 0:
            return time.perf_counter()
        self.waiters.append(check)
        try:
            await asyncio.wait_for(done, timeout)
        except TimeoutError:
            return None
        finally:
            self.waiters.remove(check)
        return state["last"]

    async def close(self):
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)


class Poster:
    def __init__(self, server, session):
        import requests

        self.http = requests.Session()
        self.base = server.url
        csrf = secrets.token_hex(16)
        self.http.cookies.update({"sessionid": session, "csrftoken": csrf})
        self.http.headers.update({"Accept": "application/json", "X-CSRFToken": csrf})

    def react(self, section_id, choice):
        response = self.http.post(
            f"{self.base}/consultation/reactions/section/{section_id}/", data={"choice": choice}, timeout=30
        )
        if response.status_code != 200:
            raise SystemExit(f"Reaction POST failed: {response.status_code} {response.text[:200]}")
        return response


async def open_viewers(server, path, count):
    """Connect N clients; the time until all hold their first message, and the
    server's memory per open socket (its RSS after, less before, over N)."""
    viewers = Viewers(server, path, count)
    before = server.rss()
    started = time.perf_counter()
    await viewers.open()
    connect_seconds = time.perf_counter() - started
    await asyncio.sleep(0.5)  # let the server settle what each connect left behind
    per_socket = (server.rss() - before) / count
    return viewers, connect_seconds, per_socket


async def timed_trials(viewers, trials, spacing, send):
    """`trials` sends, `spacing` seconds apart, each timed from the send until every
    viewer holds it. Returns (latencies, lost): lost counts sends some viewer never
    got within 10 s (a real client would resync)."""
    latencies, lost = [], 0
    for trial in range(trials):
        await asyncio.sleep(spacing)
        start = list(viewers.received)
        sent = time.perf_counter()
        await send(trial)
        last = await viewers.all_advanced(start)
        if last is None:
            lost += 1
        else:
            latencies.append(last - sent)
    return latencies, lost


async def measure_floor(server, count, trials, spacing, payload):
    """The bare broadcaster: connect N, then time POST /broadcast until all N hold it."""
    import requests

    viewers, connect_seconds, per_socket = await open_viewers(server, "/ws/", count)
    http = requests.Session()

    def trigger(version):
        text = json.dumps({**payload, "version": version})
        response = http.post(f"{server.url}/broadcast", data=text.encode(), timeout=30)
        response.raise_for_status()

    start = list(viewers.received)
    await asyncio.to_thread(trigger, 1)  # warm the connection, as the site's first POST does
    await viewers.all_advanced(start)
    latencies, lost = await timed_trials(
        viewers, trials, spacing, lambda trial: asyncio.to_thread(trigger, trial + 2)
    )
    await viewers.close()
    return {"latency": summary(latencies), "connect": connect_seconds, "per_socket": per_socket, "lost": lost}


async def measure_reactions(server, paper_id, section_id, session, count, trials, spacing, redis_url, update):
    """The site: connect N, then time reaction POSTs and (with Redis) the live path.
    With the in-memory layer (`redis_url` None) only the POSTs can reach its groups."""
    viewers, connect_seconds, per_socket = await open_viewers(server, f"/ws/papers/{paper_id}/", count)
    poster = Poster(server, session)
    start = list(viewers.received)
    await asyncio.to_thread(poster.react, section_id, "neutral")  # warm the connection and caches
    await viewers.all_advanced(start)
    posts = []

    async def react(trial):
        sent = time.perf_counter()
        await asyncio.to_thread(poster.react, section_id, "agree" if trial % 2 == 0 else "disagree")
        posts.append(time.perf_counter() - sent)

    latencies, lost = await timed_trials(viewers, trials, spacing, react)
    measured = {
        "latency": summary(latencies),
        "post": summary(posts),
        "connect": connect_seconds,
        "per_socket": per_socket,
        "lost": lost,
    }
    if redis_url is None:
        await viewers.close()
        return {**measured, "fanout": summary([]), "fanout_lost": "-"}
    # The same viewers, now from where the site's own broadcast starts: the
    # update message the coalescer would send, put into the paper's group as it
    # does (group_send, at the paper's next version on the site's clock). This
    # leaves out the POST (the write path, measured above) and times only the
    # live path: Redis → this process's relay → N websockets.
    layer, clock = site_layer(redis_url), redis_clock(redis_url, paper_id)

    async def publish():
        text = json.dumps({**update, "epoch": clock.epoch, "version": clock.next()})
        await layer.group_send(f"paper-{int(paper_id)}.tallies", {"type": "tally.message", "text": text})

    # Untimed, as the first POST and the floor's first trigger are: the layer's
    # first send opens its Redis connections and loads its scripts.
    start = list(viewers.received)
    await publish()
    await viewers.all_advanced(start)
    fanout, fanout_lost = await timed_trials(viewers, trials, spacing, lambda trial: publish())
    await layer.flush()
    await viewers.close()
    return {**measured, "fanout": summary(fanout), "fanout_lost": fanout_lost}


async def measure_burst(server, paper_id, section_ids, sessions, count, seconds):
    """Ten people react as fast as they can; N viewers watch."""
    import random

    viewers = Viewers(server, f"/ws/papers/{paper_id}/", count)
    await viewers.open()
    before = list(viewers.received)
    stop = time.perf_counter() + seconds
    rng = random.Random(7)
    posted = 0

    def hammer(session):
        nonlocal posted
        poster = Poster(server, session)
        while time.perf_counter() < stop:
            poster.react(rng.choice(section_ids), rng.choice(["agree", "disagree", "neutral"]))
            posted += 1

    await asyncio.gather(*(asyncio.to_thread(hammer, s) for s in sessions[:10]))
    # Until the last coalesced flush has reached everyone: 3 s without a message (at most 60 s).
    quiet_since, deadline = time.perf_counter(), time.perf_counter() + 60
    seen = sum(viewers.received)
    while time.perf_counter() - quiet_since < 3 and time.perf_counter() < deadline:
        await asyncio.sleep(0.25)
        if sum(viewers.received) != seen:
            seen, quiet_since = sum(viewers.received), time.perf_counter()
    per_client = [after - start for after, start in zip(viewers.received, before, strict=True)]
    states = list(viewers.latest)
    await viewers.close()
    return {"posted": posted, "messages": per_client, "states": states}


def site_layer(redis_url):
    """A channel layer speaking to the site's groups (the server's prefix)."""
    from channels_redis.core import RedisChannelLayer

    return RedisChannelLayer(hosts=[{"address": redis_url}], prefix=PREFIX, capacity=1500, expiry=10)


class redis_clock:
    """The site's version clock for a paper (consultation/reactions/broadcast.py's RedisClock key)."""

    def __init__(self, redis_url, paper_id):
        import redis

        self.client = redis.Redis.from_url(redis_url)
        self.key = f"{PREFIX}:tally-clock:{int(paper_id)}"
        self.client.hsetnx(self.key, "epoch", secrets.token_hex(6))
        self.epoch = self.client.hget(self.key, "epoch").decode()

    def next(self):
        return int(self.client.hincrby(self.key, "version", 1))


async def measure_baseline(redis_url, count, trials, payload):
    """channels-redis alone: one group_send, N members, until all N have it."""
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(
        hosts=[{"address": redis_url, "max_connections": 1000, "socket_timeout": 30}],
        prefix=f"{PREFIX}-baseline",
        capacity=1500,
        expiry=10,
    )
    group = f"baseline-{count}"
    channels = [await layer.new_channel() for _ in range(count)]
    await asyncio.gather(*(layer.group_add(group, c) for c in channels))
    latencies, lost = [], 0
    for _ in range(trials):
        receiving = [asyncio.ensure_future(layer.receive(c)) for c in channels]
        await asyncio.sleep(0.05)
        sent = time.perf_counter()
        await layer.group_send(group, {"type": "tally.message", "text": payload})
        try:
            await asyncio.wait_for(asyncio.gather(*receiving), 10)
        except TimeoutError:
            lost += 1  # channels-redis dropped (or never delivered) a message to some member
            continue
        latencies.append(time.perf_counter() - sent)
    await asyncio.gather(*(layer.group_discard(group, c) for c in channels))
    await layer.flush()
    return {**summary(latencies), "lost": lost}


# ---------------------------------------------------------------- running


def raise_open_files(needed):
    """Each client socket is a file on both ends: lift the soft limit (1,024 by
    default) towards the hard one, here and in the servers, which inherit it."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < needed:
            print(f"Open-file limit is {target}; {needed} wanted. Fewer clients may connect.", flush=True)


def check_redis(redis_url):
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as error:
        raise SystemExit(
            f"Redis is not reachable at {redis_url}: {error}. Start redis-server or set REDIS_URL."
        ) from error


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="10,100,1000", help="numbers of viewers, comma-separated")
    parser.add_argument("--trials", type=int, default=60, help="reactions timed per N (and baseline sends)")
    parser.add_argument("--spacing", type=float, default=0.3, help="seconds between timed reactions")
    parser.add_argument("--burst-seconds", type=float, default=4.0, help="length of the burst (0: no burst)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--layer",
        choices=["redis", "memory"],
        default="redis",
        help="the site's channel layer: RedisChannelLayer (REDIS_URL), or in-memory as the embedded default",
    )
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.clients.split(",")]
    raise_open_files(max(counts) * 2 + 256)
    redis_url = None
    if args.layer == "redis":
        redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        check_redis(redis_url)

    database_url, database_name, drop = scratch_database(os.environ.get("DATABASE_URL", ""))
    env = server_environment(database_url, redis_url or "")
    print(f"Scratch database: {database_name}. Migrating…", flush=True)
    migrate(env)
    paper_id, section_ids, sessions = seed(env, people=10)
    server = Server(env)
    floor = Server({**os.environ, "PYTHONPATH": str(ROOT)}, app="bench.bare_ws:app", cwd=ROOT)
    try:
        server.wait(f"/consultation/papers/{paper_id}/tallies/")
        floor.wait("/")
        results = asyncio.run(run(args, counts, server, floor, redis_url, paper_id, section_ids, sessions))
    finally:
        server.stop()
        floor.stop()
        if not args.keep:
            drop()
            if database_name.startswith("SQLite"):
                shutil.rmtree(VAR, ignore_errors=True)
    layer = "RedisChannelLayer" if redis_url else "in-memory layer, no Redis"
    report(results, args, f"{database_name}, {layer}")


async def run(args, counts, server, floor, redis_url, paper_id, section_ids, sessions):
    import requests

    # The floor broadcasts a message the size of the site's update for one section.
    tallies = requests.get(f"{server.url}/consultation/papers/{paper_id}/tallies/", timeout=10).json()
    update = {"type": "tallies", "schema": 1, "paper": paper_id, "epoch": "0" * 12, "version": 0}
    update["tallies"] = tallies["tallies"][:1]
    results = []
    for count in counts:
        print(f"N = {count}: site…", end=" ", flush=True)
        live = await measure_reactions(
            server, paper_id, section_ids[0], sessions[0], count, args.trials, args.spacing, redis_url, update
        )
        print("bare ASGI floor…", end=" ", flush=True)
        bare = await measure_floor(floor, count, args.trials, args.spacing, update)
        if redis_url is None:
            baseline = {**summary([]), "lost": "-"}
        else:
            print("raw group_send…", end=" ", flush=True)
            baseline = await measure_baseline(redis_url, count, args.trials, json.dumps(update))
        print(flush=True)
        results.append({"count": count, "live": live, "bare": bare, "baseline": baseline})
    if args.burst_seconds:
        count = counts[-1]
        print(f"Burst: 10 people reacting for {args.burst_seconds:g} s, {count} viewers…", flush=True)
        burst = await measure_burst(server, paper_id, section_ids, sessions, count, args.burst_seconds)
        burst["count"] = count
        burst["correct"] = await asyncio.to_thread(burst_matches_database, paper_id, burst["states"])
        results.append({"burst": burst})
    return results


def burst_matches_database(paper_id, states):
    from django.db import close_old_connections

    from consultation.reactions.selectors import reaction_tallies

    close_old_connections()
    truth = reaction_tallies(paper_id=paper_id)
    wrong = 0
    for state in states:
        shown = {target: tally for target, (_, tally) in state.items()}
        if any(shown.get(target, {}).get("counts") != tally["counts"] for target, tally in truth.items()):
            wrong += 1
    return len(states) - wrong, len(states)


def report(results, args, database_name):
    rows = [row for row in results if "burst" not in row]
    print()
    print(
        "Live tallies. Site: uvicorn (1 process, --ws websockets-sansio),"
        f" {database_name}."
        f" Floor: a bare ASGI broadcaster (bench/bare_ws.py) under the same uvicorn. {args.trials} trials"
        f" per N, {CONNECTING} handshakes in flight, {os.cpu_count()} CPU cores, load average"
        f" {'/'.join(f'{x:.1f}' for x in os.getloadavg())} at the end."
    )
    print()
    print("Connect N clients (until all hold their first message: the site's snapshot, the floor's hello),")
    print("and server memory per open socket (RSS after connecting, less before, over N):")
    header = (
        f"{'N':>6}  {'site':>9} {'floor':>9} {'ratio':>7}  {'site kB/socket':>14} {'floor kB/socket':>15}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        live, bare = row["live"], row["bare"]
        print(
            f"{row['count']:>6}  {live['connect']:>7.2f} s {bare['connect']:>7.2f} s"
            f" {live['connect'] / bare['connect']:>6.1f}x  {live['per_socket'] / 1024:>14.1f}"
            f" {bare['per_socket'] / 1024:>15.1f}"
        )
    print()
    print("Delivery, milliseconds until all N clients hold the message. floor: POST /broadcast to the bare")
    print("app. site live path: the update put into the paper's group as the site's broadcast does (Redis,")
    print("relay, N websockets). site from POST: a member's reaction POST until all N hold the new tally.")
    print("raw: channels-redis group_send to N channels (no server, no websockets).")
    header = (
        f"{'N':>6}  {'floor p50':>9} {'p99':>6}  {'live path p50':>13} {'p99':>6} {'ratio p50':>9} {'p99':>6}"
        f"  {'from POST p50':>13} {'p99':>6} {'ratio p50':>9} {'p99':>6}  {'POST alone':>10}"
        f"  {'raw p50':>7} {'p99':>6}  {'lost':>14}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        live, bare, base = row["live"], row["bare"], row["baseline"]
        site, fanout, floor = live["latency"], live["fanout"], bare["latency"]
        print(
            f"{row['count']:>6}  {floor['p50']:>9.1f} {floor['p99']:>6.1f}"
            f"  {fanout['p50']:>13.1f} {fanout['p99']:>6.1f}"
            f" {fanout['p50'] / floor['p50']:>8.2f}x {fanout['p99'] / floor['p99']:>5.2f}x"
            f"  {site['p50']:>13.1f} {site['p99']:>6.1f}"
            f" {site['p50'] / floor['p50']:>8.2f}x {site['p99'] / floor['p99']:>5.2f}x"
            f"  {live['post']['p50']:>10.1f}  {base['p50']:>7.1f} {base['p99']:>6.1f}"
            f"  {bare['lost']}/{live['fanout_lost']}/{live['lost']}/{base['lost']:<5}"
        )
    for row in results:
        if "burst" not in row:
            continue
        burst = row["burst"]
        messages = burst["messages"]
        good, total = burst["correct"]
        print()
        print(
            f"Burst: {burst['posted']} reactions in {args.burst_seconds:g} s from 10 people "
            f"({burst['posted'] / args.burst_seconds:.0f}/s), {burst['count']} viewers. Messages per viewer: "
            f"median {statistics.median(messages):g}, max {max(messages)} "
            "(coalesced: at most one per 250 ms). "
            f"Viewers whose final tallies equal the database: {good} of {total}."
        )
    print()
    print("lost (floor/live path/from POST/raw): trials in which some client had nothing after 10 s.")
    print(
        "p99 over this many trials is close to the slowest trial; run with --trials 200 for a steadier tail."
    )
