"""A look at SQLite's WAL-index header: whether any connection, of any process, may have committed since the last look.

In WAL mode SQLite keeps the state of the write-ahead log in the ``-shm`` file beside the database
(https://www.sqlite.org/walformat.html, "The WAL-Index File Format"), which every connection maps
into memory. Its first 96 bytes are two copies of a header that every commit rewrites: a counter
incremented by each transaction, the number of valid frames, and the salts a restart of the log
changes. Mapped here too (read-only, shared), reading them is a copy of 96 bytes with no system
call, where a query costs a read transaction. So ``SQLiteDriver.unchanged`` asks the database for
its head only when these bytes differ from those it read *before* its last query: a commit after
that read changes them, so the head that query saw is never kept past a commit. (A change that is
not a commit, such as a checkpoint that restarts the log, only costs a query.) It assumes what WAL
mode itself needs of every process on the file: the shared-memory WAL index, which
``locking_mode=EXCLUSIVE`` would replace (Tidings never sets it).

SQLite guards the ``-shm`` file with POSIX locks, and closing *any* descriptor of a file drops every
POSIX lock the process holds on it. So every store of the process joins the database's entry when
it opens (``join``), whether or not it ever looks; one descriptor and mapping are made for the
entry at the first look, and closed only when the last store leaves (``leave``), after closing its
connections. Tidings opens no other SQLite connection in a store's process; one opened beside the
stores (a test's plain ``sqlite3`` connection, say) must not outlive them. Entries are keyed by the
database's real path, so stores of one process should name a database by paths that resolve alike
(not through two bind mounts of one directory).

The same holds for the database file, which SQLite locks too: the one descriptor of it that the WAL
copier syncs the file through (``sync_database``, api.store.sqlite.wal) belongs to the entry as well.

Any doubt reads as a change: no ``-shm`` file, a header not yet written.
"""

from __future__ import annotations

import mmap
import os
import threading
from dataclasses import dataclass

__all__ = ["WalIndex"]

HEADER_BYTES = 96
"""Both copies of the WalIndexHdr (48 bytes each); a commit writes the second copy, then the first."""


@dataclass(slots=True)
class _Entry:
    """One database's ``-shm`` file in this process: its one descriptor once opened, and its mapping."""

    users: int = 0
    fd: int | None = None
    view: mmap.mmap | None = None
    database_fd: int | None = None
    """A descriptor of the database file itself, for ``sync_database``."""


_ENTRIES: dict[str, _Entry] = {}
"""By the database's real path."""
_GUARD = threading.Lock()


class WalIndex:
    """One store's share of its database's ``-shm`` entry; ``header()`` is None where it cannot tell."""

    def __init__(self, database: str, entry: _Entry) -> None:
        self._database = database
        self._entry: _Entry | None = entry

    @classmethod
    def join(cls, database: str) -> WalIndex:
        """Called when a store opens: until it leaves, no descriptor of the file is closed."""
        real = os.path.realpath(database)
        with _GUARD:
            entry = _ENTRIES.setdefault(real, _Entry())
            entry.users += 1
        return cls(real, entry)

    def header(self) -> bytes | None:
        entry = self._entry
        if entry is None:
            return None
        view = entry.view if entry.view is not None else self._map(entry)
        if view is None:
            return None
        try:
            data = view[:HEADER_BYTES]
        except ValueError:  # closed: the store is leaving
            return None
        return data if any(data) else None

    def _map(self, entry: _Entry) -> mmap.mmap | None:
        with _GUARD:
            if entry.view is None and self._entry is not None:
                try:
                    if entry.fd is None:
                        entry.fd = os.open(f"{self._database}-shm", os.O_RDONLY)  # kept until the last store leaves
                    if os.fstat(entry.fd).st_size >= HEADER_BYTES:
                        entry.view = mmap.mmap(entry.fd, HEADER_BYTES, access=mmap.ACCESS_READ)
                except (OSError, ValueError):
                    pass  # no -shm file yet, or too short to map: the next look tries again
            return entry.view

    def sync_database(self) -> None:
        """Write the database file's pages to disk (fsync), on a descriptor of the file kept, as the
        ``-shm`` one is, until the last store leaves. Raises OSError as fsync does."""
        with _GUARD:
            entry = self._entry
            if entry is None:
                return
            if entry.database_fd is None:
                entry.database_fd = os.open(self._database, os.O_RDONLY)
            fd = entry.database_fd
        os.fsync(fd)

    def leave(self) -> None:
        """Called when the store has closed its connections; the last store to leave closes the file."""
        with _GUARD:
            entry, self._entry = self._entry, None
            if entry is None:
                return
            entry.users -= 1
            if entry.users > 0:
                return
            del _ENTRIES[self._database]
            if entry.view is not None:
                entry.view.close()
            if entry.fd is not None:
                os.close(entry.fd)
            if entry.database_fd is not None:
                os.close(entry.database_fd)
