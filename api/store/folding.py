"""The log folded again, span by span: what ``rebuild`` writes and ``check`` compares, on every backend.

A fold decodes each event and projects it into read-model rows, exactly as the append
transaction did; retractions are collected beside the rows (a retraction marks rows folded
long before it). A backend may fold a large log on worker processes (SQLite does); they
run this same ``fold_span`` and hand the spans back in order.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from uuid import UUID

from api.projections.registry import Fold
from api.projections.row import Row
from api.store.driver import Dialect, Spans, Transaction
from api.store.statements import Q
from schema.declarations import Catalogue
from schema.events import Event, StoredEvent

__all__ = ["SPAN", "Folded", "fold_log", "fold_span", "retractions", "stored_event"]

log = logging.getLogger("tidings.fold")

SPAN = 5000
"""Positions per span: a span's rows are a few MB, and the next spans fold while one is written."""

Folded = tuple[list[Row], list[tuple[int, int]], int, int]
"""One span of a fold: its rows, its retractions (target, by), the last position folded, the total."""


def stored_event(
    dialect: Dialect, catalogue: Catalogue, position: int, recorded_at: object, body: bytes, digest: bytes | None = None
) -> StoredEvent:
    """An event as a row of the events table holds it (with its stored hash, where the row has one)."""
    return StoredEvent(
        position=position,
        recorded_at=dialect.read_time(recorded_at),
        event=catalogue.decode(body),
        hash=None if digest is None else bytes(digest).hex(),
    )


async def fold_span(
    tx: Transaction, dialect: Dialect, catalogue: Catalogue, project: Fold, first: int, last: int
) -> tuple[list[Row], list[tuple[int, int]]]:
    """The rows and retractions of the events at positions ``first`` to ``last``."""
    touched: dict[int, list[str]] = {}
    for position, company in await tx.rows(Q.TOUCHED_BETWEEN, first, last):
        touched.setdefault(position, []).append(company)
    batch = [stored_event(dialect, catalogue, *row) for row in await tx.rows(Q.EVENTS_BETWEEN, first, last)]
    targets = await target_positions(tx, dialect, (stored.event for stored in batch))
    rows: list[Row] = []
    found: list[tuple[int, int]] = []
    for stored in batch:
        target_id = stored.event.target_id()
        target = None if target_id is None else targets.get(target_id)
        if stored.event.retracts and target is not None:
            found.append((target, stored.position))
        rows.extend(project(stored, tuple(touched.get(stored.position, ())), target))
    return rows, found


async def fold_log(
    tx: Transaction,
    dialect: Dialect,
    catalogue: Catalogue,
    project: Fold,
    total: int,
    *,
    spans: Spans | None = None,
    after: int = 0,
) -> AsyncIterator[Folded]:
    """The log after ``after`` up to position ``total`` folded again, in position order; on worker
    processes when ``spans`` gives them (from the start only), in this process from wherever they failed."""
    span = SPAN
    done = after
    if spans is not None and after == 0:
        try:
            async for folded in spans(total):
                done = folded[2]
                yield folded
        except (OSError, ImportError, RuntimeError) as error:  # BrokenProcessPool is a RuntimeError
            log.warning("folding in this process from position %d: worker processes failed (%s)", done + 1, error)
    while done < total:
        last = min(done + span, total)
        rows, found = await fold_span(tx, dialect, catalogue, project, done + 1, last)
        done = last
        yield rows, found, done, total


async def retractions(tx: Transaction, dialect: Dialect, catalogue: Catalogue, total: int) -> dict[int, int]:
    """Every retraction of the log up to ``total`` as a fold finds it: retracted position -> the retraction's."""
    tags = [tag for tag, kind in catalogue.by_tag.items() if kind.retracts]
    events = [
        (int(position), catalogue.decode(body)) for position, body in await tx.rows(Q.EVENTS_OF_TYPES, tags, total)
    ]
    targets = await target_positions(tx, dialect, (event for _, event in events))
    found: dict[int, int] = {}
    for position, event in events:
        target_id = event.target_id()
        target = None if target_id is None else targets.get(target_id)
        if event.retracts and target is not None:  # as fold_span decides
            found.setdefault(target, position)
    return found


async def target_positions(tx: Transaction, dialect: Dialect, events: Iterable[Event]) -> dict[UUID, int]:
    """The positions of the stored events that ``events`` add evidence to or retract."""
    ids = [dialect.event_id(i) for i in {event.target_id() for event in events} if i is not None]
    if not ids:
        return {}
    return {dialect.read_event_id(i): int(p) for i, p in await tx.rows(Q.TARGETS, ids)}
