"""Benchmark: a reaction POST reaching N live viewers, against the raw Redis fan-out.

    python -m bench                           # N = 10, 100, 1000; about 3 minutes
    python -m bench --clients 10,100 --trials 30
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench

What runs: the real site under uvicorn (one process, production settings,
RedisChannelLayer) in a subprocess, on a scratch database this script creates
(var/bench/live.sqlite3, or a database named <yours>_bench_live beside the one
DATABASE_URL names) and seeds with one paper. N websocket clients connect to
the paper's socket; one member then reacts over HTTP, alternating agree and
disagree, and the time runs from just before the POST until the last of the N
clients has the new tally. Trials are spaced beyond the 250 ms coalescing
interval, so each measures a lone vote, which the server sends at once.

Baseline, in the same run: channels-redis alone — one `group_send` to a group
of N channels and the time until all N have received it, with no HTTP, no
database, no ASGI server and no websockets. The ratio says what everything
else costs on top of the transport.

Then a burst: 10 people post reactions as fast as they can for a few seconds
while N clients watch; the table shows how many messages each client needed
(coalescing) and checks the clients' final tallies against the database.

Everything talks to 127.0.0.1 only. Needs Redis (REDIS_URL, default
redis://127.0.0.1:6379/0).
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
    def __init__(self, env):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "config.asgi:application"),
                *("--host", "127.0.0.1", "--port", str(self.port)),
                *("--ws", "websockets-sansio", "--lifespan", "off", "--log-level", "warning"),
                "--no-access-log",
            ],
            cwd=SITE,
            env=env,
        )

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
                if requests.get(self.url + path, timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise SystemExit("The server did not start within 60 s.")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ---------------------------------------------------------------- measuring


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

    def __init__(self, server, paper_id, count):
        self.url = f"ws://127.0.0.1:{server.port}/ws/papers/{paper_id}/"
        self.origin = server.url
        self.count = count
        self.sockets = []
        self.received = []  # per client: messages after the snapshot
        self.latest = []  # per client: {target: (version, tally)}
        self.waiters = []

    async def open(self):
        from websockets.asyncio.client import connect

        gate = asyncio.Semaphore(50)

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
                    waiter(now)
        except Exception:  # closed at the end of the phase
            return

    async def all_advanced(self, start, timeout=10):
        """Wait until every client has received a message since `start` (their counts then).

        Returns when the last of them got it, or None if some never did (a lost message)."""
        done = asyncio.get_running_loop().create_future()
        state = {"last": None}

        def check(now):
            if not done.done() and all(n > s for n, s in zip(self.received, start, strict=True)):
                state["last"] = now
                done.set_result(None)

        self.waiters.append(check)
        check(time.perf_counter())
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


async def measure_reactions(server, paper_id, section_id, session, count, trials, spacing):
    viewers = Viewers(server, paper_id, count)
    started = time.perf_counter()
    await viewers.open()
    connect_seconds = time.perf_counter() - started
    poster = Poster(server, session)
    start = list(viewers.received)
    await asyncio.to_thread(poster.react, section_id, "neutral")  # warm the connection and caches
    await viewers.all_advanced(start)
    latencies, posts, lost = [], [], 0
    for trial in range(trials):
        await asyncio.sleep(spacing)
        choice = "agree" if trial % 2 == 0 else "disagree"
        start = list(viewers.received)
        sent = time.perf_counter()
        await asyncio.to_thread(poster.react, section_id, choice)
        answered = time.perf_counter()
        last = await viewers.all_advanced(start)
        posts.append(answered - sent)
        if last is None:
            lost += 1  # some viewer never got it within 10 s; a real client would resync
        else:
            latencies.append(last - sent)
    await viewers.close()
    return {"latency": summary(latencies), "post": summary(posts), "connect": connect_seconds, "lost": lost}


async def measure_burst(server, paper_id, section_ids, sessions, count, seconds):
    """Ten people react as fast as they can; N viewers watch."""
    import random

    viewers = Viewers(server, paper_id, count)
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
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.clients.split(",")]
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    check_redis(redis_url)

    database_url, database_name, drop = scratch_database(os.environ.get("DATABASE_URL", ""))
    env = server_environment(database_url, redis_url)
    print(f"Scratch database: {database_name}. Migrating…", flush=True)
    migrate(env)
    paper_id, section_ids, sessions = seed(env, people=10)
    server = Server(env)
    try:
        server.wait(f"/consultation/papers/{paper_id}/tallies/")
        results = asyncio.run(run(args, counts, server, redis_url, paper_id, section_ids, sessions))
    finally:
        server.stop()
        if not args.keep:
            drop()
            if database_name.startswith("SQLite"):
                shutil.rmtree(VAR, ignore_errors=True)
    report(results, args, database_name)


async def run(args, counts, server, redis_url, paper_id, section_ids, sessions):
    results = []
    payload = None
    for count in counts:
        print(f"N = {count}: viewers…", end=" ", flush=True)
        live = await measure_reactions(
            server, paper_id, section_ids[0], sessions[0], count, args.trials, args.spacing
        )
        if payload is None:
            import requests

            payload = requests.get(f"{server.url}/consultation/papers/{paper_id}/tallies/", timeout=10).text
            payload = json.dumps({"type": "tallies", "tallies": json.loads(payload)["tallies"][:1]})
        print("baseline…", flush=True)
        baseline = await measure_baseline(redis_url, count, args.trials, payload)
        results.append({"count": count, "live": live, "baseline": baseline})
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
    print()
    print(
        f"Live tallies: reaction POST → all N websocket clients updated. uvicorn (1 process) + "
        f"RedisChannelLayer, {database_name}, {args.trials} trials per N, {os.cpu_count()} CPU cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end."
    )
    print()
    header = (
        f"{'N':>6}  {'POST → all N: p50':>18} {'p99':>8}  {'raw group_send → N: p50':>24} {'p99':>8}"
        f"  {'ratio p50':>9} {'ratio p99':>9}  {'POST alone p50':>14}  {'connect N':>9}  {'lost':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        if "burst" in row:
            continue
        live, base = row["live"], row["baseline"]
        print(
            f"{row['count']:>6}  {live['latency']['p50']:>15.1f} ms {live['latency']['p99']:>5.1f} ms"
            f"  {base['p50']:>21.1f} ms {base['p99']:>5.1f} ms"
            f"  {live['latency']['p50'] / base['p50']:>8.1f}x {live['latency']['p99'] / base['p99']:>8.1f}x"
            f"  {live['post']['p50']:>11.1f} ms  {live['connect']:>7.1f} s"
            f"  {live['lost']:>4} / {base['lost']:<2}"
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
    print("lost: trials in which some client had nothing after 10 s (site / raw channels-redis); not timed.")
    print(
        "p99 over this many trials is close to the slowest trial; run with --trials 200 for a steadier tail."
    )
