"""The suite's pytest-xdist workers share one Redis database, each under its own key prefixes
(config/settings/test.py). Django's `cache.clear()` on Redis is FLUSHDB: one test calling it
emptied every other worker's rate-limit counts, channel-layer groups, tally clock and queued
jobs, and tests running beside it lost a broadcast or a scheduled job. Tests empty the cache
with `tests.support.services.cache_clear()`, which deletes their own worker's keys only."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FLUSHES = re.compile(r"\bcaches?(?:\[[^\]]+\])?\.clear\(\)|\bflush(?:db|all)\(", re.IGNORECASE)


def test_no_test_empties_the_shared_redis_database():
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve() and path.name != "services.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if FLUSHES.search(line)
    ]
    assert not offenders, f"use tests.support.services.cache_clear() instead: {offenders}"
