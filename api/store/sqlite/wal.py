"""The WAL copier: a thread of the SQLite store copies the WAL into the database file, mostly off the commit path.

(SQLite calls this a WAL checkpoint; in Tidings a checkpoint is a projection's last folded position.)

SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, so every
so often one group of appends waits for a thousand random page writes and an fsync of the
database file: the append latency's long tail. Instead, once per ``interval`` this thread
runs a PASSIVE checkpoint on its own connection, which never waits for the writer or for
readers. Beside a busy writer it never copies the last few commits, and the WAL can only
start over (instead of growing) after a checkpoint that copied everything. So when the WAL
holds ``finish_frames`` or more, ``finish`` is called: the store then checkpoints the rest
on the writer's own thread between two groups, a few commits' worth of pages. Durability
does not depend on any of this: a commit is durable once its WAL frames are synced
(``synchronous = FULL``).

SQLite syncs the database file only after a checkpoint that copied everything, so the pages this
thread copied would wait in the OS's cache for the writer's ``finish`` to flush them all: 50-70 ms
on the writer's thread once a second under steady appends (about 20,000 pages), the appends' p99.
So after each checkpoint that copied pages, this thread syncs the file itself (``sync``), and the
writer's share is what came in since (8-27 ms).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable

from api.store.sqlite.paths import file_uri

__all__ = ["WalCopier"]

log = logging.getLogger("tidings.sqlite")


class WalCopier:
    def __init__(
        self,
        path: str,
        finish: Callable[[], None],
        *,
        interval: float = 1.0,
        finish_frames: int = 1000,
        synchronous: str = "FULL",
        sync: Callable[[], None] | None = None,
    ) -> None:
        """``sync`` writes the database file's copied pages to disk (fsync), where ``synchronous`` asks for syncs."""
        self.path = path
        self.finish = finish
        self.sync = sync if synchronous.upper() != "OFF" else None
        self.syncs = 0
        """Syncs of the database file by the thread after its checkpoints."""
        self.interval = interval
        self.finish_frames = finish_frames
        self.synchronous = synchronous
        self.checkpoints = 0
        """PASSIVE checkpoints run by the thread."""
        self.restarts = 0
        """Times the thread found the WAL shorter than the time before: it started over, as it should."""
        self._frames = 0
        self._synced = 0
        """The WAL frames copied when the file was last synced (a count that starts over with the WAL)."""
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
                    # mode=rw: a database file moved away is an error here, not a new empty file.
                    conn = sqlite3.connect(
                        file_uri(self.path, "rw"), uri=True, isolation_level=None, check_same_thread=False
                    )
                    conn.execute("PRAGMA busy_timeout = 0")  # PASSIVE: never wait, try again later
                    conn.execute(f"PRAGMA synchronous = {self.synchronous}")
                _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self.checkpoints += 1
                if frames < self._frames:
                    self.restarts += 1
                self._frames = frames
                if self.sync is not None and copied > 0 and copied != self._synced:
                    self.sync()
                    self.syncs += 1
                    self._synced = copied
                last_error = ""
                if frames >= self.finish_frames:
                    self.finish()
            except (sqlite3.Error, OSError) as error:
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
