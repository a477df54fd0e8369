"""A look at SQLite's WAL-index header: whether any connection, of any process, may have committed since the last look.

In WAL mode SQLite keeps the state of the write-ahead log in the ``-shm`` file beside the database
(https://www.sqlite.org/walformat.html, "The WAL-Index File Format"), which every connection maps
into memory. Its first 96 bytes are two copies of a header that every commit rewrites: a counter
incremented by each transaction, the number of valid frames, and the salts a restart of the log
changes. Mapped here too (read-only, shared), reading them is a copy of 96 bytes with no system
call, where a query costs a read transaction. So ``SQLiteDriver.unchanged`` asks the database for
its head only when these bytes differ from those it read *before* its last query: a commit after
that read changes them, so the head that query saw is never kept past a commit.

Any doubt reads as a change: no ``-shm`` file, a header not yet written. The mapping is made after
the driver's own connections have the file open and dropped before they close: SQLite truncates
the file only when a connection opens it with no other connection holding it, never under ours.
"""

from __future__ import annotations

import mmap
import os

__all__ = ["WalIndex"]

HEADER_BYTES = 96
"""Both copies of the WalIndexHdr (48 bytes each); a commit writes the second copy, then the first."""


class WalIndex:
    """The ``-shm`` file of one database, mapped read-only; ``header()`` is None where it cannot tell."""

    def __init__(self, mapped: mmap.mmap) -> None:
        self._map: mmap.mmap | None = mapped

    @classmethod
    def open(cls, database: str) -> WalIndex | None:
        try:
            fd = os.open(f"{database}-shm", os.O_RDONLY)
        except OSError:
            return None
        try:
            if os.fstat(fd).st_size < HEADER_BYTES:
                return None
            return cls(mmap.mmap(fd, HEADER_BYTES, access=mmap.ACCESS_READ))
        except (OSError, ValueError):
            return None
        finally:
            os.close(fd)  # the mapping keeps the file

    def header(self) -> bytes | None:
        if self._map is None:
            return None
        data = self._map[:HEADER_BYTES]
        return data if any(data) else None

    def close(self) -> None:
        mapped, self._map = self._map, None
        if mapped is not None:
            mapped.close()
