"""Our RQ workers stop at once (site/jobs/workers.py): a deploy restarting the workers, or a
test running a worker for one batch, does not wait on the thread that listens for rq's
commands.

rq stops that thread by unsubscribing from its command channel and then calling redis-py's
`PubSubWorkerThread.stop()`, which from redis-py 8.2 waits for the thread; a thread that has
already read the unsubscribe is by then asleep for up to 60 s waiting to be subscribed again.
With rq's own workers each such stop took a minute (on CI the Redis pass of the suite stalled
past its time limit); this test fails the same way if ours lose their bound.
"""

import time
import uuid

import pytest
import redis
from django_rq.workers import get_worker_class
from rq import Queue

from jobs.workers import SimpleWorker, Worker
from tests.support.services import redis_available, redis_url, require_service

pytestmark = pytest.mark.redis

# rq's own wait for the thread is one second; anything near a minute is the trap.
STOP_LIMIT_SECONDS = 5


@pytest.mark.parametrize("worker_class", [Worker, SimpleWorker], ids=["manage.py work", "the tests' queue"])
def test_a_worker_whose_listener_has_seen_the_unsubscribe_stops_at_once(worker_class):
    require_service(redis_available(), "Redis not reachable: start redis-server or set REDIS_URL")
    connection = redis.Redis.from_url(redis_url())
    queue = Queue(f"test-worker-stop-{uuid.uuid4().hex}", connection=connection)
    worker = worker_class([queue], connection=connection)
    worker.subscribe()
    try:
        # The listener reads the unsubscribe before the worker stops it (on a busy machine
        # this is the usual order, not a contrivance).
        worker.pubsub.unsubscribe()
        deadline = time.monotonic() + 10
        while worker.pubsub.subscribed and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not worker.pubsub.subscribed, "the listener never read the unsubscribe"

        started = time.monotonic()
        worker.unsubscribe()
        assert time.monotonic() - started < STOP_LIMIT_SECONDS
    finally:
        worker.pubsub.close()
        connection.close()


def test_manage_py_work_and_every_django_rq_command_run_that_worker():
    # The class django-rq's commands (rqworker, which `manage.py work` calls) resolve.
    assert get_worker_class() is Worker
