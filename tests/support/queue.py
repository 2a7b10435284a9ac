"""A real task queue for the tests of background work (a pytest plugin, tests/conftest.py).

The test settings run jobs as they are enqueued (django-tasks' immediate
backend), so tests about something else see their emails at once. A test about
the queue itself takes `task_queue`: the database backend (django-tasks-db),
or, when REDIS_URL is set, the Redis one (django-tasks-rq), with a real worker
run in this process for one batch (`task_queue.work()`): db_worker's `Worker`
in batch mode, or an rq worker in burst mode with its scheduler. Each xdist
worker has its own rq queue (TASK_QUEUE in the test settings).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from jobs.workers import SimpleWorker
from tests.support.services import database_url, redis_available, require_service

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"

BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}


def queue_backend():
    """rq on the Redis pass of the suite (REDIS_URL set), else the database."""
    return "rq" if os.environ.get("REDIS_URL") else "database"


class TaskQueue:
    def __init__(self, backend):
        self.backend = backend

    def work(self):
        """Run every job that is due, then return (one batch of a real worker)."""
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if self.backend == "rq":
                self._work_rq()
            else:
                self._work_database()
        finally:
            # Both workers install their own signal handlers; give pytest its own back.
            for sig, handler in handlers.items():
                signal.signal(sig, handler)

    def _work_database(self):
        from django_tasks_db.management.commands.db_worker import Worker

        Worker(
            queue_names=[settings.TASK_QUEUE, "default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    def _work_rq(self):
        import django_rq
        from django_tasks_rq.backend import Job

        # SimpleWorker runs jobs in this process (no fork), on this test's database connection.
        worker = django_rq.get_worker(settings.TASK_QUEUE, job_class=Job, worker_class=SimpleWorker)
        worker.work(burst=True, with_scheduler=True)

    def work_in_process(self, timeout=120):
        """Run `manage.py work --burst` (what the Procfile's worker runs) as a process
        of its own, on this test's database and queue."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "TASK_BACKEND": self.backend,
            "LOG_LEVEL": "WARNING",
        }
        # A fixed command line: nothing in it comes from outside the test.
        done = subprocess.run(  # noqa: S603
            [sys.executable, str(MANAGE_PY), "work", "--burst", "--verbosity=0"],
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")

    def clear(self):
        if self.backend != "rq":
            return
        import django_rq

        for name in (settings.TASK_QUEUE, "default"):
            queue = django_rq.get_queue(name)
            for registry in (
                queue.scheduled_job_registry,
                queue.failed_job_registry,
                queue.finished_job_registry,
                queue.started_job_registry,
                queue.deferred_job_registry,
            ):
                for job_id in registry.get_job_ids():
                    registry.remove(job_id, delete_job=True)
            queue.empty()


@pytest.fixture
def task_queue(transactional_db):
    """A real queue backend and its worker, for tests of background work."""
    backend = queue_backend()
    if backend == "rq":
        require_service(redis_available(), "Redis not reachable: start redis-server or set REDIS_URL")
    queue = TaskQueue(backend)
    queues = sorted({settings.TASK_QUEUE, "default"})
    with override_settings(TASKS={"default": {"BACKEND": BACKENDS[backend], "QUEUES": queues}}):
        queue.clear()
        yield queue
        queue.clear()
