"""Writing a large group: its read-model rows fold while the database writes, in its one transaction.

A group commit used to decide, fold and index every new event in Python and only then hand
the rows to the database: the two took turns, and SQLite's share (the read-model rows with
their indexes and the full-text index, about half of an import) ran while this process
waited. From BULK_FOLD_FROM events on, the store writes the log's rows first, indexes the log
for filters while the database writes them, and folds the new events into read-model rows
SPAN at a time, each span while the database writes the one before it. The rows, their order
and the transaction are the same as the one-pass path's: nothing is acknowledged before the
group's commit, and a refused command leaves nothing (the planner decides before any write).

The fold may run on worker processes (two spans a worker in flight): each folds an event as
rebuild does (api.store.folding), from its stored body, position and time, the companies it
touches and its target's position, with the default catalogue and projections; a store with
others folds in its own process. Workers are started with ``spawn`` on the first large group
and stop with the store; should they fail (cannot start, one is lost), the spans left fold in
this process and the next group tries them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from typing import Any

import msgspec

from api import collector
from api.projections.registry import Fold, default_registry
from api.projections.row import Row
from api.store.driver import Transaction
from api.store.statements import Q
from api.store.worker_start import follow_the_caller
from schema.events import CATALOGUE, StoredEvent

__all__ = ["BULK_FOLD_FROM", "BulkFolder", "Pending", "Writes"]

log = logging.getLogger("tidings.fold")

BULK_FOLD_FROM = 2000
"""Smaller groups gain less from folding beside the database than the spans and tasks cost them."""

SPAN = 500
"""Events folded at a time: the database writes the rows of one span while the next one folds."""

Pending = tuple[StoredEvent, tuple[str, ...], int | None]
"""A new event to fold: stored (without its hash, as folds read it), the companies it touches, its target's position."""

Writes = Sequence[tuple[Q, Sequence[Sequence[Any]]]]
"""Statements with their records, as ``Transaction.run_all`` takes them."""

_Item = tuple[int, datetime, bytes, tuple[str, ...], int | None]
_items_encoder = msgspec.msgpack.Encoder()
_items_decoder = msgspec.msgpack.Decoder(list[_Item])
_rows_decoder = msgspec.msgpack.Decoder(list[Row])


class BulkFolder:
    """Worker processes folding groups' new events; none on one core or with ``processes`` 0."""

    def __init__(self, processes: int) -> None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self.processes = min(cores, processes) if cores > 1 and processes > 0 else 0
        self._pool: ProcessPoolExecutor | None = None

    def wanted(self, events: int) -> bool:
        return events >= BULK_FOLD_FROM

    def start(self, pending: Sequence[Pending], bodies: Sequence[bytes]) -> list[asyncio.Future[bytes]] | None:
        """The fold of ``pending`` (with their stored ``bodies``) sent to the workers, span by span;
        None when workers cannot be had (fold in this process)."""
        try:
            if self._pool is None:
                # spawn, not fork: the caller has threads (aiosqlite's, the WAL copier) that a fork would copy mid-step.
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(self.processes, mp_context=context, initializer=_open_worker)
            pool = self._pool
            futures: list[Future[bytes]] = []
            for first in range(0, len(pending), SPAN):
                items = [
                    (stored.position, stored.recorded_at, body, touched, target)
                    for (stored, touched, target), body in zip(
                        pending[first : first + SPAN], bodies[first : first + SPAN], strict=True
                    )
                ]
                futures.append(pool.submit(_fold_in_worker, _items_encoder.encode(items)))
        except (OSError, ImportError, RuntimeError) as error:
            log.warning("folding in this process: worker processes failed (%s)", error)
            self.close()
            return None
        return [asyncio.wrap_future(future) for future in futures]

    async def span_rows(
        self, futures: list[asyncio.Future[bytes]] | None, index: int, span: Sequence[Pending], project: Fold
    ) -> tuple[list[Row], list[asyncio.Future[bytes]] | None]:
        """The rows of the ``index``-th span, ``span``: from the workers' ``futures``, or folded here when
        there are none or a worker failed (then the futures left are dropped: None)."""
        if futures is not None:
            try:
                return _rows_decoder.decode(await futures[index]), futures
            except (OSError, ImportError, RuntimeError) as error:  # BrokenProcessPool is a RuntimeError
                log.warning("folding in this process: a worker process failed (%s)", error)
                for future in futures:
                    future.cancel()
                self.close()
        return [row for stored, touched, target in span for row in project(stored, touched, target)], None

    async def write(
        self,
        tx: Transaction,
        before: Writes,
        then: Callable[[], Writes],
        pending: Sequence[Pending],
        bodies: Sequence[bytes],
        project: Fold,
        workers: bool,
    ) -> None:
        """Write ``before``; the writes ``then`` makes; then the rows of ``pending`` span by span in position
        order, each span folded (here, or on the workers when ``workers`` allows) while the one before it is
        written. The writing task takes its first step before this goes on, and the workers fold in
        processes of their own. SQLite's task queues its call on aiosqlite's thread one step later, so
        a fold in this process comes before that write, not beside it: beside it, both took turns at
        the GIL, and the write took half as long again for no gain in all (bench/RESULTS.md, eighth
        session)."""
        futures = self.start(pending, bodies) if workers and self.processes else None
        writing: asyncio.Future[None] = asyncio.ensure_future(tx.run_all(before))
        try:
            await asyncio.sleep(0)  # the writing task's first step (see above)
            later = then()
            await writing  # one statement at a time on the connection (PostgreSQL's asks so)
            writing = asyncio.ensure_future(tx.run_all(later))
            for index, first in enumerate(range(0, len(pending), SPAN)):
                await asyncio.sleep(0)
                rows, futures = await self.span_rows(futures, index, pending[first : first + SPAN], project)
                await writing
                writing = asyncio.ensure_future(tx.run_many(Q.INSERT_ROW, rows))
            await writing
        except BaseException:
            writing.cancel()
            with contextlib.suppress(BaseException):
                await writing  # settled before the transaction rolls back
            raise

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


_worker_fold: Fold | None = None
_rows_encoder = msgspec.msgpack.Encoder()


def _open_worker() -> None:
    global _worker_fold
    follow_the_caller()
    _worker_fold = default_registry().project
    gc.freeze()  # the modules just imported are never garbage: spare the collector scanning them per span
    collector.tune()


def _fold_in_worker(encoded: bytes) -> bytes:
    assert _worker_fold is not None, "the pool's initializer sets the fold"
    project = _worker_fold
    rows: list[Row] = []
    for position, recorded_at, body, touched, target in _items_decoder.decode(encoded):
        stored = StoredEvent(position=position, recorded_at=recorded_at, event=CATALOGUE.decode_unchecked(body))
        rows.extend(project(stored, touched, target))
    return _rows_encoder.encode(rows)
