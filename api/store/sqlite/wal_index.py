"""A look at SQLite's WAL-index header: whether any connection, of any process, may have committed since the last look.

In WAL mode SQLite keeps the state of the write-ahead log in the ``-shm`` file beside the database
(https://www.sqlite.org/walformat.html, "The WAL-Index File Format"), which every connection maps
into memory. Its first 96 bytes are two copies of a header that every commit rewrites: a counter
incremented by each transaction, the number of valid frames, and the salts a restart of the log
changes (a checkpoint changes neither them nor the data). Mapped here too (read-only, shared),
reading them is a copy of 96 bytes with no system call, where a query costs a read transaction. So
``SQLiteDriver.unchanged`` asks the database for its head only when these bytes differ from those it
read *before* its last query: a commit after that read changes them, so the head that query saw is
never kept past a commit. It assumes what SQLite's WAL mode itself needs of every process on the
file: the shared-memory WAL index (not ``locking_mode=EXCLUSIVE``, which Tidings never sets).

SQLite guards the ``-shm`` file with POSIX locks, and closing *any* descriptor of a file drops every
POSIX lock the process holds on it. So a file is mapped once per process and its descriptors are
closed only when the last store using it releases it, after closing its connections (``release``);
nothing here is closed while SQLite may hold the file open through a store.

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
class _Mapped:
    fds: list[int]
    """Every descriptor opened on the file (more than one only if two stores raced to map it)."""
    view: mmap.mmap | None
    users: int = 0


_MAPPED: dict[tuple[int, int], _Mapped] = {}
"""The mapped ``-shm`` files of this process, by device and inode."""
_GUARD = threading.Lock()


class WalIndex:
    """One store's use of a ``-shm`` file's mapping; ``header()`` is None where it cannot tell."""

    def __init__(self, key: tuple[int, int], mapped: _Mapped) -> None:
        self._key: tuple[int, int] | None = key
        self._mapped = mapped

    @classmethod
    def acquire(cls, database: str) -> WalIndex | None:
        """The mapping of ``database``'s ``-shm`` file, shared with the other stores of this process that use it."""
        path = f"{database}-shm"
        with _GUARD:
            try:
                found = os.stat(path)  # a stat opens no descriptor, so closes none
            except OSError:
                return None
            key = (found.st_dev, found.st_ino)
            mapped = _MAPPED.get(key)
            if mapped is None:
                if found.st_size < HEADER_BYTES:
                    return None
                try:
                    fd = os.open(path, os.O_RDONLY)
                except OSError:
                    return None
                opened = os.fstat(fd)
                key = (opened.st_dev, opened.st_ino)  # the file may have been replaced since the stat
                mapped = _MAPPED.get(key)
                if mapped is not None:
                    mapped.fds.append(fd)  # kept: closing it would drop SQLite's locks on the file
                else:
                    try:
                        view = mmap.mmap(fd, HEADER_BYTES, access=mmap.ACCESS_READ)
                    except (OSError, ValueError):
                        view = None
                    mapped = _MAPPED[key] = _Mapped([fd], view)
            mapped.users += 1
            return cls(key, mapped)

    def header(self) -> bytes | None:
        view = self._mapped.view
        if self._key is None or view is None:
            return None
        data = view[:HEADER_BYTES]
        return data if any(data) else None

    def release(self) -> None:
        """Stop using the mapping; the last store to release it closes it. Call it only after this
        store's own connections to the database are closed."""
        with _GUARD:
            key, self._key = self._key, None
            if key is None:
                return
            mapped = self._mapped
            mapped.users -= 1
            if mapped.users > 0:
                return
            del _MAPPED[key]
            if mapped.view is not None:
                mapped.view.close()
            for fd in mapped.fds:
                os.close(fd)
