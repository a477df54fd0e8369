"""WAL checkpoints off the commit path: a thread of the SQLite store copies the WAL into the database.

SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, so every
so often one group of appends waits for a thousand random page writes and an fsync of the
database file: the append latency's long tail. The writer turns it off
(``wal_autocheckpoint = 0``) and this thread runs a PASSIVE checkpoint on its own
connection once per ``interval`` instead. PASSIVE never waits for the writer or for
readers; what it cannot copy yet it copies next time. Durability does not depend on it: a
commit is durable once its WAL frames are synced (``synchronous = FULL``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

__all__ = ["Checkpointer"]

log = logging.getLogger("tidings.sqlite")


class Checkpointer:
    def __init__(self, path: str, *, interval: float = 1.0, synchronous: str = "FULL") -> None:
        self.path = path
        self.interval = interval
        self.synchronous = synchronous
        self.checkpoints = 0
        """PASSIVE checkpoints run (tests and metrics read it)."""
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        """The running thread, between start and stop."""

    def start(self) -> None:
        self._stop.clear()
        self.thread = threading.Thread(target=self._run, name="tidings-sqlite-checkpoint", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Ask the thread to end and wait for it (at most one checkpoint long)."""
        self._stop.set()
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        last_error = ""
        while not self._stop.wait(self.interval):
            try:
                if conn is None:
                    conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                    conn.execute("PRAGMA busy_timeout = 0")  # PASSIVE: never wait, try again later
                    conn.execute(f"PRAGMA synchronous = {self.synchronous}")
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.checkpoints += 1
                last_error = ""
            except sqlite3.Error as error:
                # A full disk or a file made read-only: the writer reports it on its own commits.
                # Said once until it changes, and retried on a fresh connection.
                if str(error) != last_error:
                    log.warning("WAL checkpoint failed: %s", error)
                    last_error = str(error)
                if conn is not None:
                    conn.close()
                    conn = None
        if conn is not None:
            conn.close()
