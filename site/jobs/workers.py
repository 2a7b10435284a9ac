"""RQ workers that stop at once.

rq stops a worker's command listener (a redis-py `PubSubWorkerThread`) by unsubscribing,
calling the thread's `stop()`, then waiting one second for it. From redis-py 8.2, `stop()`
itself waits for the thread, without a bound; a listener that has already read the
unsubscribe is by then asleep for up to 60 s waiting to be subscribed again, so a worker took
up to a minute to stop (a deploy's restart waited on it; on CI the test suite's Redis pass
stalled past its time limit). These workers tell it to stop before unsubscribing, so it ends
at once, and wait for it at most rq's one second. Every django-rq command (`manage.py work`,
`rqworker`) runs `Worker` (settings.RQ["WORKER_CLASS"]); the tests' queue runs `SimpleWorker`
(no fork). tests/site/test_jobs_worker_stop.py checks both.
"""

from rq import SimpleWorker as RQSimpleWorker
from rq import Worker as RQWorker


class PromptStopMixin:
    """rq 2.12's `Worker.unsubscribe`, reordered: the listener is told to stop before the
    unsubscribe whose reply wakes it, so it ends at once instead of going back to sleep."""

    def unsubscribe(self):
        if self.pubsub_thread:
            self.log.info("Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name)
            self.pubsub_thread.stop(timeout=0)  # clears its running flag; waits for nothing
            self.pubsub.unsubscribe()
            self.pubsub_thread.join(timeout=1)
            self.pubsub.close()


class Worker(PromptStopMixin, RQWorker):
    """rq's worker (a work horse forked per job), stopping at once."""


class SimpleWorker(PromptStopMixin, RQSimpleWorker):
    """rq's worker that runs jobs in its own process, stopping at once."""
