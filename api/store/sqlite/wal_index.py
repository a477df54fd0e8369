"""A look at SQLite's WAL-index header: whether any connection, of any process, may have committed since the last look.

In WAL mode SQLite keeps the state of the write-ahead log in the ``-shm`` file beside the database
(https://www.sqlite.org/walformat.html, "The WAL-Index File Format"). Its first 96 bytes are two
copies of a header that every commit rewrites: a counter incremented by each transaction, the
number of valid frames, and the salts a restart of the log changes. Reading them is one ``pread``
of a page the kernel shares with every process's mapping of the file, where a query costs a read
transaction. So ``SQLiteDriver.unchanged`` asks the database for its head only when these bytes
differ from those it read *before* its last query: a commit after that read changes them, so the
head that query saw is never kept past a commit.

Any doubt reads as a change: a header not yet written, a short read, an error.
"""

from __future__ import annotations

import os

__all__ = ["WalIndex"]

HEADER_BYTES = 96
"""Both copies of the WalIndexHdr (48 bytes each); a commit writes the second copy, then the first."""


class WalIndex:
    """The ``-shm`` file of one database, opened read-only; ``header()`` is None where it cannot tell."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    @classmethod
    def open(cls, database: str) -> WalIndex | None:
        try:
            return cls(os.open(f"{database}-shm", os.O_RDONLY))
        except OSError:
            return None

    def header(self) -> bytes | None:
        if self._fd is None:
            return None
        try:
            data = os.pread(self._fd, HEADER_BYTES, 0)
        except OSError:
            return None
        return data if len(data) == HEADER_BYTES and any(data) else None

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
