"""Django's SQLite backend, with each process keeping the connections requests have finished with.

A new SQLite connection reads the whole schema before its first statement (with Wagtail and
every app, hundreds of tables, indexes and triggers) and frees it again on close: 1.9 ms of
CPU per request here, against 0.05 ms to open and close a connection to a one-table file.
Under uvicorn Django runs each request in a thread of its own, so `CONN_MAX_AGE` cannot keep
a connection for the next request (it would stay behind with the thread). Instead, as
PostgreSQL's connection pool does, a connection the request closes goes back to its process
(at most `IDLE_KEPT` per database file), and the next request's thread takes it, its schema
already read. One thread holds a connection at a time; one handed back inside a transaction
is rolled back first, and one closed inside an atomic block is closed for good. SQLite
notices a schema changed by another connection (a migration) by itself, and reads it again.
In-memory databases are never kept (each connection is its own database).
"""

import threading

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    IDLE_KEPT = 8

    _idle = {}  # database file → connections no request holds
    _idle_lock = threading.Lock()

    def _file(self, conn_params):
        return None if self.is_in_memory_db() else conn_params["database"]

    def get_new_connection(self, conn_params):
        self._kept_file = self._file(conn_params)
        if self._kept_file is not None:
            with self._idle_lock:
                idle = self._idle.get(self._kept_file)
                if idle:
                    return idle.pop()
        return super().get_new_connection(conn_params)

    def _close(self):
        file = getattr(self, "_kept_file", None)
        if file is None or self.in_atomic_block:
            return super()._close()
        connection = self.connection
        try:
            if connection.in_transaction:
                connection.rollback()
        except self.Database.Error:
            return super()._close()
        with self._idle_lock:
            idle = self._idle.setdefault(file, [])
            if len(idle) < self.IDLE_KEPT:
                idle.append(connection)
                return None
        return super()._close()
