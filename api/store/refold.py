"""Folding the whole SQLite log again, for ``rebuild`` and ``check``: in order, in batches, on several cores.

A fold decodes every event and projects it into read-model rows; that is Python work held
by the GIL, so one process folds on one core. For a large log the positions are cut into
spans that worker processes fold side by side, each on its own read-only connection; the
caller gets the batches back in position order, exactly as the one-process fold gives them.
Workers only read the events and touches tables, which a rebuild does not change, and they
never read past the position the caller's snapshot ends at.

Workers are started with ``spawn``, so a program that rebuilds or checks a large store
itself (rather than through ``tidings``) must guard its entry point with
``if __name__ == "__main__":``, as every user of multiprocessing must.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import sqlite3
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait

import msgspec

from api.projections import project
from api.projections.row import Row
from api.store.sql import file_uri
from schema.codec import decode_event, parse_time
from schema.events import Event, StoredEvent

__all__ = ["Folded", "Stopped", "fold_log", "fold_span", "retractions", "stored_event", "workers"]

Folded = tuple[list[Row], list[tuple[int, int]], int, int]
"""One batch of a fold: its rows, its retractions (target, by), the last position folded, the total."""


class Stopped(Exception):
    """A fold its caller stopped before the end (a rebuild rolls back)."""


SPAN = 5000
"""Positions per batch: a batch's rows are a few MB, and the next batches fold while it is written."""

PARALLEL_FROM = 50_000
"""Fewer events fold faster in this process than worker processes take to start (~0.5 s each)."""

log = logging.getLogger("tidings.refold")


def workers(limit: int) -> int:
    """Worker processes for a large fold: one per core this process may use, at most ``limit``; none on one core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, limit) if cores > 1 else 0


def fold_log(
    conn: sqlite3.Connection,
    path: str,
    total: int,
    *,
    processes: int = 0,
    span: int = SPAN,
) -> Iterator[Folded]:
    """The log up to position ``total`` folded again, in position order.

    ``processes`` worker processes fold it when there are any and ``path`` names a database
    file; otherwise, or when workers cannot be had (no semaphores, a worker lost), ``conn``
    folds the rest in this process.
    """
    done = 0
    if processes > 0 and path not in ("", ":memory:"):
        try:
            for folded in _fold_in_workers(path, total, processes, span):
                done = folded[2]
                yield folded
        except (OSError, ImportError, BrokenProcessPool) as error:
            log.warning("folding in this process from position %d: worker processes failed (%s)", done + 1, error)
    while done < total:
        last = min(done + span, total)
        rows, retractions = fold_span(conn, done + 1, last)
        done = last
        yield rows, retractions, done, total


def fold_span(conn: sqlite3.Connection, first: int, last: int) -> tuple[list[Row], list[tuple[int, int]]]:
    """The rows and retractions of the events at positions ``first`` to ``last``."""
    touched: dict[int, list[str]] = {}
    for company, position in conn.execute(
        "SELECT company_id, position FROM touches WHERE position BETWEEN ? AND ? ORDER BY rowid", (first, last)
    ):
        touched.setdefault(position, []).append(company)
    rows: list[Row] = []
    retractions: list[tuple[int, int]] = []
    for position, recorded_at, body in conn.execute(
        "SELECT position, recorded_at, body FROM events WHERE position BETWEEN ? AND ? ORDER BY position",
        (first, last),
    ):
        stored = stored_event(position, recorded_at, body)
        target = target_position(conn, stored.event)
        if stored.event.retracts and target is not None:
            retractions.append((target, position))
        rows.extend(project(stored, tuple(touched.get(position, ())), target))
    return rows, retractions


def stored_event(position: int, recorded_at: str, body: bytes) -> StoredEvent:
    """An event as a row of the SQLite events table holds it."""
    return StoredEvent(position=position, recorded_at=parse_time(recorded_at), event=decode_event(body))


def retractions(conn: sqlite3.Connection, total: int) -> dict[int, int]:
    """Every retraction of the log up to ``total`` as a fold finds it: retracted position -> the retraction's."""
    found: dict[int, int] = {}
    for position, body in conn.execute(
        "SELECT position, body FROM events WHERE type = 'event_retracted' AND position <= ? ORDER BY position", (total,)
    ):
        event = decode_event(body)
        target = target_position(conn, event) if event.retracts else None  # as fold_span decides
        if target is not None:
            found.setdefault(target, position)
    return found


def target_position(conn: sqlite3.Connection, event: Event) -> int | None:
    """The position of the event an evidence or retraction event names, if it is stored."""
    target = event.target_id()
    if target is None:
        return None
    row = conn.execute("SELECT position FROM events WHERE id = ?", (target.bytes,)).fetchone()
    return None if row is None else int(row[0])


def _fold_in_workers(path: str, total: int, processes: int, span: int) -> Iterator[Folded]:
    # spawn, not fork: the caller has threads (writer, readers, checkpointer) that a fork would copy mid-step.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_open_worker, initargs=(path,)) as pool:
        ahead: deque[tuple[Future[bytes], int]] = deque()
        submitted = 0
        try:
            while submitted < total or ahead:
                # Two spans a worker in flight: each has the next one queued while its last result is written.
                while submitted < total and len(ahead) < 2 * processes:
                    last = min(submitted + span, total)
                    ahead.append((pool.submit(_fold_in_worker, submitted + 1, last), last))
                    submitted = last
                future, last = ahead.popleft()
                rows, retractions = _span_decoder.decode(future.result())
                yield rows, retractions, last, total
        finally:
            for future, _ in ahead:
                future.cancel()


# A span's rows cross from a worker as MessagePack: about ten times cheaper to encode than a pickle of them.
_span_encoder = msgspec.msgpack.Encoder()
_span_decoder = msgspec.msgpack.Decoder(tuple[list[Row], list[tuple[int, int]]])
_worker_conn: sqlite3.Connection | None = None


def _open_worker(path: str) -> None:
    global _worker_conn
    # The caller decides when a fold stops (Ctrl-C reaches the whole process group); a worker
    # whose caller is gone (killed, even with SIGKILL) exits instead of holding the files open.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        sentinel = parent.sentinel
        threading.Thread(target=lambda: (wait([sentinel]), os._exit(1)), daemon=True).start()
    _worker_conn = sqlite3.connect(file_uri(path, "ro"), uri=True, isolation_level=None)
    _worker_conn.execute("PRAGMA query_only = 1")
    gc.freeze()  # the modules just imported are never garbage: spare the collector scanning them per span


def _fold_in_worker(first: int, last: int) -> bytes:
    assert _worker_conn is not None, "the pool's initializer opens the connection"
    _worker_conn.execute("BEGIN")
    try:
        return _span_encoder.encode(fold_span(_worker_conn, first, last))
    finally:
        _worker_conn.execute("COMMIT")
