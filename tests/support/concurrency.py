"""Running work in several threads at once, each with its own database connection."""

import threading

from django.db import connection


def in_threads(count, work):
    """Run `work(i)` in `count` threads released at the same moment; each closes its connection.

    Returns the results in order; any exception fails the calling test with all of them."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # reported below, with the others
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results
