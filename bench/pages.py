"""Benchmark: the read path, every page as a ratio to a minimal Wagtail page of ours.

    python -m bench pages                     # about 3 minutes
    python -m bench pages --seconds 5 --connections 8 --workers 2
    python -m bench pages --only writes --compare   # writes only, then uvicorn against gunicorn
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench pages

What runs: a scratch database (as bench/live.py makes one) with the demo, a minimal
content page, and a synthetic paper of 100 sections with 10,000 comments; the site
under the Procfile's server (uvicorn, production settings, `--workers`) with one
extra URL, a bare Django view (bench/urls.py). Each page is fetched by `--connections`
client threads over keep-alive connections for `--seconds`; the table gives requests
per second, p50 and p99 latency, response size, and SQL queries per request (counted
separately, anonymous, with the Django test client), each beside its ratio to the
minimal page measured in the same run. The client runs on the same machine and takes
CPU from the server: compare ratios, not absolute figures, and note the load average.
"""

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time

from bench.live import ROOT, VAR, check_redis, percentile, scratch_database, server_environment


def seed(env, comments, writers):
    dev_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DEBUG": "false"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "seed_pages.py"), str(comments), str(writers)],
        cwd=ROOT,
        env=dev_env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Uvicorn:
    """uvicorn serving HTTP and websockets (ASGI), `workers` processes."""

    def __init__(self, env, workers):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "config.asgi:application"),
                *("--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)),
                *("--ws", "websockets-sansio", "--lifespan", "off", "--log-level", "warning"),
                "--no-access-log",
            ],
            cwd=ROOT / "site",
            env=env,
        )

    def wait(self, path):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("The server exited during start-up.")
            try:
                status, _ = fetch(http.client.HTTPConnection("127.0.0.1", self.port, timeout=10), path)
                if status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("The server did not start within 90 s.")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Gunicorn(Uvicorn):
    """gunicorn serving HTTP (WSGI), `workers` processes of `threads` threads each."""

    def __init__(self, env, workers, threads=1):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)),
                *("--threads", str(threads), "--log-level", "warning"),
            ],
            cwd=ROOT / "site",
            env=env,
        )


SERVERS = {"uvicorn": Uvicorn, "gunicorn": Gunicorn}


# What a browser sends: every browser accepts gzip, and the page cache stores pages gzipped.
BROWSER = {"Host": "127.0.0.1", "Accept-Encoding": "gzip, deflate, br, zstd"}


def fetch(connection, path, *, gzip=True):
    connection.request("GET", path, headers=BROWSER if gzip else {"Host": "127.0.0.1"})
    response = connection.getresponse()
    return response.status, response.read()


def load(port, path, *, seconds, connections, gzip=True, before=None):
    """`connections` threads fetching `path` over keep-alive until `seconds` have passed;
    `before()`, if given, is called before each request (outside the timing)."""
    latencies, errors, sizes = [], [0], []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while time.perf_counter() < stop:
            if before is not None:
                before()
            started = time.perf_counter()
            try:
                status, body = fetch(connection, path, gzip=gzip)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    errors[0] += 1
                continue
            mine.append(time.perf_counter() - started)
            if status != 200:
                with lock:
                    errors[0] += 1
            elif not sizes:
                sizes.append(len(body))
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5) * 1000 if latencies else float("nan"),
        "p99": percentile(latencies, 0.99) * 1000 if latencies else float("nan"),
        "size": sizes[0] if sizes else 0,
        "errors": errors[0],
        "requests": len(latencies),
    }


REACT = "/consultation/reactions/section/{target}/"
# Reactions to comments: each one also replaces its section's comments stamp (a row per page,
# consultation/models/reactions.py), so reactions to comments of one section take turns on that row.
REACT_COMMENT = "/consultation/reactions/comment/{target}/"
# The bare Django POST view (bench/urls.py): the raw upsert behind the same middleware.
BARE_UPSERT = "/bench/upsert/{writer}/{target}/"


SECTION_CHOICES = ("agree", "disagree", "neutral")


def write_load(port, writers, targets, *, seconds, path=REACT, known=None, choices=SECTION_CHOICES):
    """Each writer (a member, own session) posts reactions to random targets (sections, or
    comments with `REACT_COMMENT`) as fast as the server answers (to `path`: the reaction
    endpoint, or the bare POST view). Every POST changes the writer's reaction (a choice other
    than the one it last made there, `known` holding what an earlier load left): a repeat writes
    and broadcasts nothing, so it is cheaper, and is not what an event's peak is made of.
    Returns the rate and what each writer last chose per target."""
    import random
    import secrets

    last = {}
    counts, errors = [], [0]
    stop = time.perf_counter() + seconds

    def worker(index, writer):
        rng = random.Random(index)
        csrf = secrets.token_hex(16)
        headers = {
            "Host": "127.0.0.1",
            "Cookie": f"sessionid={writer['session']}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "http://127.0.0.1",
            "Referer": "http://127.0.0.1/",
        }
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, made = dict((known or {}).get(writer["user_id"], {})), 0
        while time.perf_counter() < stop:
            target = rng.choice(targets)
            choice = rng.choice([c for c in choices if c != mine.get(target)])
            connection.request(
                "POST",
                path.format(writer=index, target=target),
                body=f"choice={choice}",
                headers=headers,
            )
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                mine[target] = choice
                made += 1
            else:
                errors[0] += 1
        last[writer["user_id"]] = mine
        counts.append(made)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i, w)) for i, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"rps": sum(counts) / (time.perf_counter() - started), "errors": errors[0], "last": last}


UPSERT = (
    "INSERT INTO bench_upsert (user_id, target_id, choice) VALUES (?, ?, ?) "
    "ON CONFLICT (user_id, target_id) DO UPDATE SET choice = excluded.choice"
)
WRITERS_REACTIONS = (
    "SELECT r.user_id, r.target_id, r.choice FROM consultation_reaction r "
    "JOIN accounts_user u ON u.id = r.user_id "
    "WHERE r.target_kind = %s AND u.username LIKE 'bench-writer-%%'"
)


def _upsert_connect(database_url):
    """A function opening a connection for the raw upserts: (connection, placeholder, BEGIN)."""
    if database_url.startswith("sqlite"):
        import sqlite3

        path = database_url.removeprefix("sqlite:///")

        def connect():
            connection = sqlite3.connect(path, timeout=20, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            return connection, "?", "BEGIN IMMEDIATE"
    else:
        import psycopg

        def connect():
            return (
                psycopg.connect(database_url.replace("postgres://", "postgresql://"), autocommit=True),
                "%s",
                "BEGIN",
            )

    return connect


def create_upsert_table(database_url):
    """The floors' scratch table (the raw upserts and the bare POST view write to it)."""
    connection, _, _ = _upsert_connect(database_url)()
    connection.execute(
        "CREATE TABLE IF NOT EXISTS bench_upsert (user_id integer, target_id integer, choice varchar(10), "
        "PRIMARY KEY (user_id, target_id))"
    )
    connection.close()


def raw_upserts(database_url, *, threads, seconds):
    """The floor: INSERT … ON CONFLICT DO UPDATE, one row per transaction, `threads`
    connections to the same database, on a scratch table."""
    import random

    connect = _upsert_connect(database_url)
    create_upsert_table(database_url)
    counts = []
    stop = time.perf_counter() + seconds

    def worker(index):
        rng = random.Random(index)
        connection, mark, begin = connect()
        sql = UPSERT.replace("?", mark)
        made = 0
        while time.perf_counter() < stop:
            connection.execute(begin)
            connection.execute(sql, (index, rng.randrange(100), rng.choice(["agree", "disagree"])))
            connection.execute("COMMIT")
            made += 1
        connection.close()
        counts.append(made)

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def stored_reactions(database_url, kind):
    """{user id: {target id: choice}} of the writers' reactions to `kind` ("section", "comment"),
    and the number of rows, from the database."""
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            sql = WRITERS_REACTIONS.replace("%s", "?").replace("%%", "%")
            rows = connection.execute(sql, [kind]).fetchall()
    else:
        import psycopg

        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as connection:
            rows = connection.execute(WRITERS_REACTIONS, [kind]).fetchall()
    stored = {}
    for user_id, target_id, choice in rows:
        stored.setdefault(user_id, {})[target_id] = choice
    return stored, len(rows)


def process_cpu(pid):
    """{pid: seconds of CPU} of `pid` and every process below it, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    # The name (field 2) may hold spaces: split after its closing parenthesis.
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, changed = {pid}, True
    while changed:
        below = {p for p, (parent, _) in stats.items() if parent in tree} - tree
        tree |= below
        changed = bool(below)
    return {p: stats[p][1] for p in sorted(tree) if p in stats}


def checked_write_load(port, seeded, database_url, args, server_pid, *, kind):
    """One writes run (after a warm-up) of reactions to `kind`: its rate, the server's and this
    client's CPU, and the stored rows checked against what each writer last chose."""
    if kind == "section":
        targets, path, choices = seeded["sections"], REACT, SECTION_CHOICES
    else:
        targets, path, choices = seeded["comments_of_one_section"], REACT_COMMENT, ("agree", "disagree")
    run = {"targets": targets, "path": path, "choices": choices}
    # Warm, as the pages are before theirs: each process's connections and the sections it
    # remembers (a live event posts to the same sections for minutes). Its rows are checked too.
    warm = write_load(port, seeded["writers"], seconds=min(2.0, args.seconds), **run)
    server_before, client_before = process_cpu(server_pid), time.process_time()
    writes = write_load(port, seeded["writers"], seconds=args.seconds, known=warm["last"], **run)
    writes["errors"] += warm["errors"]
    server_after = process_cpu(server_pid)
    writes["client_cpu"] = time.process_time() - client_before
    # Only the processes that did work (the supervisor and the job worker hardly any).
    writes["server_cpu"] = sorted(
        (round(spent - server_before.get(p, 0.0), 1) for p, spent in server_after.items()), reverse=True
    )
    stored, rows = stored_reactions(database_url, kind)
    writes["wrong"] = sum(
        1
        for user_id, mine in writes["last"].items()
        for t, c in mine.items()
        if stored.get(user_id, {}).get(t) != c
    )
    writes["extra"] = rows - sum(len(mine) for mine in writes["last"].values())
    writes["targets"] = len(targets)
    return writes


def measure_writes(port, seeded, database_url, args, server_pid):
    """Reaction POSTs from distinct members, checked against the stored rows, beside raw upserts;
    the CPU each server process and this client spent on the POSTs. Then the same members
    reacting to comments of one section (the comments stamps' worst case)."""
    print(f"  writes: {args.writers} members reacting…", end=" ", flush=True)
    writes = checked_write_load(port, seeded, database_url, args, server_pid, kind="section")
    print(f"{writes['rps']:.1f} req/s;", end=" ", flush=True)
    writes["comments"] = None
    if seeded["comments_of_one_section"]:  # none with very few comments (--comments)
        print("to comments of one section…", end=" ", flush=True)
        writes["comments"] = checked_write_load(port, seeded, database_url, args, server_pid, kind="comment")
        print(f"{writes['comments']['rps']:.1f} req/s;", end=" ", flush=True)
    # The ceiling of any Django POST here: the floor's upsert in a bare view, same server and middleware.
    print("bare POST view…", end=" ", flush=True)
    create_upsert_table(database_url)
    write_load(port, seeded["writers"], seeded["sections"], seconds=min(2.0, args.seconds), path=BARE_UPSERT)
    server_before = process_cpu(server_pid)
    bare = write_load(port, seeded["writers"], seeded["sections"], seconds=args.seconds, path=BARE_UPSERT)
    server_after = process_cpu(server_pid)
    writes["bare"] = {
        "rps": bare["rps"],
        "errors": bare["errors"],
        "cpu": sum(spent - server_before.get(p, 0.0) for p, spent in server_after.items()),
    }
    print(f"{bare['rps']:.1f} req/s; raw upserts…", end=" ", flush=True)
    writes["raw"] = raw_upserts(database_url, threads=args.writers, seconds=args.seconds)
    # One connection in a loop too: the rate of one client, as a single writer sees the database.
    writes["raw_one"] = raw_upserts(database_url, threads=1, seconds=args.seconds)
    print(f"{writes['raw']:.0f}/s ({writes['raw_one']:.0f}/s on one connection)", flush=True)
    return writes


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="load per page")
    parser.add_argument("--connections", type=int, default=8, help="client threads (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--comments", type=int, default=10_000, help="comments on the 100-section paper")
    parser.add_argument("--writers", type=int, default=16, help="members posting reactions at once")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--only", choices=["pages", "writes"], help="only the pages, or only the writes (and the two floors)"
    )
    parser.add_argument(
        "--server", choices=sorted(SERVERS), default="uvicorn", help="the HTTP server to measure"
    )
    parser.add_argument("--threads", type=int, help="threads per gunicorn process")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="then the floors and the writes under uvicorn and gunicorn in turn",
    )
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="TEXT",
        help="only the pages whose name contains TEXT (repeatable; each group's baseline always runs), "
        "and no every-cache-empty rows: for iterating (add --only pages to skip the writes)",
    )
    args = parser.parse_args(argv)
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    check_redis(redis_url)
    database_url, database_name, drop = scratch_database(os.environ.get("DATABASE_URL", ""), name="pages")
    env = server_environment(database_url, redis_url)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # Its own cache keys, so "every cache empty" can empty them and nothing else.
    env["CACHE_PREFIX"] = cache_prefix = f"bench-pages-{os.getpid()}"
    print(f"Scratch database: {database_name}. Migrating and seeding (about a minute)…", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    seeded = seed(env, args.comments, args.writers)
    pages = seeded["pages"]
    if args.page:
        baselines = {next(n for n, p in pages.items() if p["group"] == g) for g in ("warm", "cold")}
        pages = {n: p for n, p in pages.items() if n in baselines or any(text in n for text in args.page)}
    server = SERVERS[args.server](env, args.workers, **({"threads": args.threads} if args.threads else {}))
    results, writes, empty = {}, None, None
    try:
        first = next(iter(pages.values()))
        server.wait(first["url"])
        # Every worker warm (imports, Wagtail's site lookups, connections) before the baseline.
        load(server.port, first["url"], seconds=min(2.0, args.seconds), connections=args.connections)
        for name, page in pages.items():
            if args.only == "writes" and name not in (MINIMAL_CACHED, MINIMAL_RENDERED, BARE):
                continue  # the floors only, beside the writes
            print(f"  {name}…", end=" ", flush=True)
            for _ in range(2):  # warm: Wagtail's site lookups, the page cache, the report's cache
                fetch(http.client.HTTPConnection("127.0.0.1", server.port, timeout=120), page["url"])
            before = section_writes(redis_url, cache_prefix, page["bump"]) if "bump" in page else None
            results[name] = {
                **load(
                    server.port,
                    page["url"],
                    seconds=args.seconds,
                    connections=args.connections,
                    gzip=page["gzip"],
                    before=before,
                )
            }
            print(f"{results[name]['rps']:.1f} req/s", flush=True)
        if args.only != "writes" and not args.page:
            print("  every cache empty…", end=" ", flush=True)
            empty = {
                name: empty_cache_latency(server.port, url, redis_url=redis_url, prefix=cache_prefix)
                for name, url in seeded["empty"].items()
            }
            print(f"{empty['paper']:.0f} ms", flush=True)
        if args.only != "pages":
            writes = measure_writes(server.port, seeded, database_url, args, server.process.pid)
    finally:
        server.stop()
    try:
        if args.compare:
            compare_servers(env, seeded, args)
    finally:
        if not args.keep:
            drop()
            if database_name.startswith("SQLite"):
                shutil.rmtree(VAR, ignore_errors=True)
    if results:
        report(results, pages, args, database_name)
    if empty is not None:
        print()
        print(
            f"Every cache empty (page, section fragments, tallies; the cache's keys deleted before each of "
            f"{EMPTY_TRIALS} requests, one at a time, median): minimal page {empty['minimal']:.0f} ms, "
            f"paper of 100 sections / {args.comments:,} comments {empty['paper']:.0f} ms "
            f"({empty['minimal'] / empty['paper']:.3f}x the minimal page's speed)."
        )
    if writes is None:
        return
    print()
    print(
        f"Writes: {writes['rps']:.1f} reaction POSTs/s from {args.writers} members (JSON, as the live page "
        f"sends them); raw upserts on the same database, {args.writers} connections: {writes['raw']:.0f}/s; "
        f"ratio {writes['rps'] / writes['raw']:.3f}x (one connection in a loop: {writes['raw_one']:.0f}/s, "
        f"ratio {writes['rps'] / writes['raw_one']:.3f}x). Errors {writes['errors']}; "
        f"rows not matching the last choice {writes['wrong']}; "
        f"rows beyond one per member and section {writes['extra']}."
    )
    print(
        f"CPU during the POSTs ({args.seconds:g} s): server processes "
        f"{', '.join(f'{s:.1f}' for s in writes['server_cpu'])} s "
        f"({1000 * sum(writes['server_cpu']) / max(1, writes['rps'] * args.seconds):.1f} ms per POST); "
        f"this client {writes['client_cpu']:.1f} s. "
        f"Load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}."
    )
    comments = writes["comments"]
    if comments is not None:
        per_post = 1000 * sum(comments["server_cpu"]) / max(1, comments["rps"] * args.seconds)
        print(
            f"Reactions to {comments['targets']} comments of one section (every one moves that section's "
            f"comments stamp): {comments['rps']:.1f} POSTs/s "
            f"({comments['rps'] / writes['rps']:.2f}x the reactions to sections), "
            f"server CPU {per_post:.1f} ms per POST. Errors {comments['errors']}; "
            f"rows not matching the last choice {comments['wrong']}; "
            f"rows beyond one per member and comment {comments['extra']}."
        )
    bare = writes["bare"]
    print(
        f"Ceiling of a Django POST here: a bare view doing the same raw upsert behind the same server and "
        f"middleware, {bare['rps']:.1f}/s ({1000 * bare['cpu'] / max(1, bare['rps'] * args.seconds):.1f} ms "
        f"of server CPU per POST, errors {bare['errors']}); the reaction endpoint at "
        f"{writes['rps'] / bare['rps']:.2f}x its rate."
    )


EMPTY_TRIALS = 3
# The baselines' names, as bench/seed_pages.py gives them.
MINIMAL_CACHED = "minimal Wagtail page, cached (warm baseline)"
MINIMAL_RENDERED = "minimal Wagtail page, rendered (cold baseline)"
BARE = "bare Django view"


def section_writes(redis_url, prefix, bump):
    """A function that does to the page cache what a reaction to a random section of the
    paper does (consultation/pages/cache.py): bump `section:<id>` and `paper-sections:<id>`."""
    import random

    import redis

    client = redis.Redis.from_url(redis_url)
    rng = random.Random(3)

    def write():
        # django-redis keys: <KEY_PREFIX>:<version>:<key>; generations are plain integers.
        section = rng.choice(bump["sections"])
        client.incr(f"{prefix}:1:page-cache:tag:section:{section}")
        client.incr(f"{prefix}:1:page-cache:tag:paper-sections:{bump['paper']}")

    return write


def empty_cache_latency(port, path, *, redis_url, prefix):
    """Median time of one request for `path` with the cache emptied first (this run's keys
    only): the page, its section fragments, tallies and Wagtail's site lookups all read
    and rendered. Milliseconds."""
    import redis

    client = redis.Redis.from_url(redis_url)
    times = []
    for _ in range(EMPTY_TRIALS):
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        started = time.perf_counter()
        fetch(connection, path)
        times.append((time.perf_counter() - started) * 1000)
        connection.close()
    return percentile(times, 0.5)


def compare_servers(env, seeded, args):
    """The bare view, the minimal page and reaction POSTs under each server in turn, same database."""
    rows = []
    for name in ("uvicorn", "gunicorn"):
        for threads in (1, 4) if name == "gunicorn" else (None,):
            label = name if threads is None else f"gunicorn ({threads} thread{'s' * (threads > 1)})"
            server = SERVERS[name](env, args.workers, **({"threads": threads} if threads else {}))
            try:
                server.wait(seeded["pages"][MINIMAL_RENDERED]["url"])
                row = {"server": label}
                for page in (BARE, MINIMAL_RENDERED):
                    url = seeded["pages"][page]["url"]
                    row[page] = load(server.port, url, seconds=args.seconds, connections=args.connections)[
                        "rps"
                    ]
                row["writes"] = write_load(
                    server.port, seeded["writers"], seeded["sections"], seconds=args.seconds
                )
                rows.append(row)
                print(f"  {label}: {row['writes']['rps']:.1f} reactions/s", flush=True)
            finally:
                server.stop()
    print()
    print(f"Servers compared ({args.workers} processes each), load average {os.getloadavg()[0]:.1f}:")
    print(f"{'server':<22} {'bare view/s':>11} {'minimal page/s':>14} {'reactions/s':>11} {'errors':>6}")
    for row in rows:
        print(
            f"{row['server']:<22} {row[BARE]:>11.1f} {row[MINIMAL_RENDERED]:>14.1f}"
            f" {row['writes']['rps']:>11.1f} {row['writes']['errors']:>6}"
        )


def report(results, pages, args, database_name):
    print()
    print(
        f"Read path: {args.server} ({args.workers} workers, production settings), {database_name}, "
        f"{args.connections} connections × {args.seconds:g} s per page, {os.cpu_count()} CPU cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end. Each row's ratios are to its group's "
        "baseline: warm rows (served from the page cache) to the minimal page served from it, cold "
        "rows (rendered for each request) to the minimal page rendered. Sizes as sent (gzip where "
        "the client accepts it, as browsers do)."
    )
    header = (
        f"{'page':<52} {'req/s':>7} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8} {'size kB':>8} {'ratio':>6}"
        f" {'queries':>7} {'errors':>6}"
    )
    for group in ("warm", "cold"):
        names = [name for name in results if pages[name]["group"] == group]
        if not names:
            continue
        base = results[names[0]]
        print()
        print(header)
        print("-" * len(header))
        for name in names:
            row = results[name]
            print(
                f"{name:<52} {row['rps']:>7.1f} {row['rps'] / base['rps']:>5.2f}x {row['p50']:>8.1f}"
                f" {row['p99']:>8.1f} {row['size'] / 1000:>8.1f} {row['size'] / max(base['size'], 1):>5.1f}x"
                f" {pages[name]['queries']:>7} {row['errors']:>6}"
            )


if __name__ == "__main__":
    main()
