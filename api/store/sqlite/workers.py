"""Folding a large SQLite log on several cores, for ``rebuild`` and ``check``.

A fold decodes every event and projects it into read-model rows; that is Python work held
by the GIL, so one process folds on one core. For a large log the positions are cut into
spans that worker processes fold side by side with the store's own ``fold_span``, each on
its own read-only ``sqlite3`` connection (a worker has no event loop to share, so aiosqlite's
thread would only add a hop); the caller gets the spans back in position order, exactly as
the one-process fold gives them. Workers only read the events and touches tables, which a
rebuild does not change, and never read past the position the caller's snapshot ends at.
They fold with the default catalogue and projections.

Workers are started with ``spawn``, so a program that rebuilds or checks a large store
itself (rather than through ``tidings``) must guard its entry point with
``if __name__ == "__main__":``, as every user of multiprocessing must.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import msgspec

from api import collector
from api.projections.registry import default_registry
from api.store import folding
from api.store.folding import Folded, SpanFold
from api.store.sqlite.dialect import DIALECT, expanded
from api.store.sqlite.paths import file_uri
from api.store.statements import Q
from api.store.worker_start import follow_the_caller
from schema.events import CATALOGUE

__all__ = ["PARALLEL_FROM", "fold_in_workers", "workers"]

PARALLEL_FROM = 50_000
"""Fewer events fold faster in this process than worker processes take to start (~0.5 s each)."""


def workers(limit: int) -> int:
    """Worker processes for a large fold: one per core this process may use, at most ``limit``; none on one core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, limit) if cores > 1 else 0


async def fold_in_workers(path: str, total: int, processes: int, *, indexed: bool = False) -> AsyncIterator[Folded]:
    """The log up to ``total`` folded on ``processes`` worker processes, span by span in position order
    (with its filter-index rows when ``indexed``).

    Raises OSError, ImportError or BrokenProcessPool when workers cannot be had or one is lost."""
    span = folding.SPAN
    # spawn, not fork: the caller has threads (aiosqlite's, the WAL copier) that a fork would copy mid-step.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_open_worker, initargs=(path,)) as pool:
        ahead: deque[tuple[Future[bytes], int]] = deque()
        submitted = 0
        try:
            while submitted < total or ahead:
                # Two spans a worker in flight: each has the next one queued while its last result is written.
                while submitted < total and len(ahead) < 2 * processes:
                    last = min(submitted + span, total)
                    ahead.append((pool.submit(_fold_in_worker, submitted + 1, last, indexed), last))
                    submitted = last
                future, last = ahead.popleft()
                encoded: bytes = await asyncio.wrap_future(future)  # type: ignore[arg-type]
                yield Folded(_span_decoder.decode(encoded), last, total)
        finally:
            for future, _ in ahead:
                future.cancel()


# A span's rows cross from a worker as MessagePack: about ten times cheaper to encode than a pickle of them.
_span_encoder = msgspec.msgpack.Encoder()
_span_decoder = msgspec.msgpack.Decoder(SpanFold)
_worker: tuple[sqlite3.Connection, asyncio.AbstractEventLoop] | None = None


def _open_worker(path: str) -> None:
    global _worker
    follow_the_caller()
    conn = sqlite3.connect(file_uri(path, "ro"), uri=True, isolation_level=None)
    conn.execute("PRAGMA query_only = 1")
    _worker = (conn, asyncio.new_event_loop())
    gc.freeze()  # the modules just imported are never garbage: spare the collector scanning them per span
    collector.tune()


def _fold_in_worker(first: int, last: int, indexed: bool) -> bytes:
    assert _worker is not None, "the pool's initializer opens the connection"
    conn, loop = _worker
    conn.execute("BEGIN")
    try:
        span = folding.fold_span(
            _Reads(conn), DIALECT, CATALOGUE, default_registry().project, first, last, indexed=indexed
        )
        return _span_encoder.encode(loop.run_until_complete(span))
    finally:
        conn.execute("COMMIT")


class _Reads:
    """The read statements of a fold on a plain sqlite3 connection (the store's own are aiosqlite's)."""

    committed = False

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def rows(self, statement: Q, *params: Any) -> list[Sequence[Any]]:
        found: list[Sequence[Any]] = []
        for sql, bound in expanded(statement, params):
            found.extend(self.conn.execute(sql, bound).fetchall())
        return found

    async def row(self, statement: Q, *params: Any) -> Sequence[Any] | None:
        found = await self.rows(statement, *params)
        return found[0] if found else None

    async def rows_all(self, batch: Sequence[tuple[Q, Sequence[Any] | None]]) -> list[list[Sequence[Any]]]:
        return [[] if params is None else await self.rows(statement, *params) for statement, params in batch]

    async def run(self, statement: Q, *params: Any) -> None:
        raise PermissionError("a fold only reads")

    async def run_many(self, statement: Q, records: Sequence[Sequence[Any]]) -> None:
        raise PermissionError("a fold only reads")

    async def run_all(self, batch: Sequence[tuple[Q, Sequence[Sequence[Any]]]]) -> None:
        raise PermissionError("a fold only reads")
