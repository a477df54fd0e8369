"""The log folded again, span by span: what ``rebuild`` writes and ``check`` compares, on every backend.

A fold decodes each event and projects it into read-model rows, exactly as the append
transaction did; retractions are collected beside the rows (a retraction marks rows folded
long before it). A backend may fold a large log on worker processes (SQLite does); they
run this same ``fold_span`` and hand the spans back in order.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import NamedTuple
from uuid import UUID

from api.projections.registry import Fold
from api.projections.row import Row
from api.store import log_index
from api.store.driver import Dialect, Spans, Transaction
from api.store.statements import Q
from schema.declarations import Catalogue
from schema.events import Event, StoredEvent

__all__ = ["SPAN", "Folded", "Indexed", "SpanFold", "fold_log", "fold_span", "retractions", "stored_event"]

log = logging.getLogger("tidings.fold")

SPAN = 5000
"""Positions per span: a span's rows are a few MB, and the next spans fold while one is written."""

Indexed = tuple[list[tuple[str, int]], list[tuple[int, str, str]]]
"""The rows of the log's filter index of a span (api.store.log_index.index_rows): its terms and its dates."""


class SpanFold(NamedTuple):
    """What a span of the log folds into."""

    rows: list[Row]
    retractions: list[tuple[int, int]]
    """(target, by): each retraction of the span whose target is stored."""
    indexed: Indexed
    """The span's filter-index rows: empty unless asked for."""


class Folded(NamedTuple):
    """One span of a fold of the log, and how far the fold is."""

    span: SpanFold
    last: int
    """The last position folded."""
    total: int


def stored_event(
    dialect: Dialect, catalogue: Catalogue, position: int, recorded_at: object, body: bytes, digest: bytes | None = None
) -> StoredEvent:
    """An event as a row of the events table holds it (with its stored hash, where the row has one)."""
    return StoredEvent(
        position=position,
        recorded_at=dialect.read_time(recorded_at),
        event=catalogue.decode_unchecked(body),
        hash=None if digest is None else bytes(digest).hex(),
    )


async def fold_span(
    tx: Transaction,
    dialect: Dialect,
    catalogue: Catalogue,
    project: Fold,
    first: int,
    last: int,
    *,
    indexed: bool = False,
) -> SpanFold:
    """The rows and retractions of the events at positions ``first`` to ``last``; their filter-index rows
    too when ``indexed`` (from the events decoded once for both)."""
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
    if not indexed:
        return SpanFold(rows, found, ([], []))
    terms, dated = log_index.index_rows((s.position, s.event, touched.get(s.position, ())) for s in batch)
    terms.sort()  # in the order of log_terms' key: each term's rows go to one place of the table together
    return SpanFold(rows, found, (terms, dated))


async def fold_log(
    tx: Transaction,
    dialect: Dialect,
    catalogue: Catalogue,
    project: Fold,
    total: int,
    *,
    spans: Spans | None = None,
    after: int = 0,
    indexed: bool = False,
) -> AsyncIterator[Folded]:
    """The log after ``after`` up to position ``total`` folded again, in position order (with its filter-index
    rows when ``indexed``); on worker processes when ``spans`` gives them (from the start only), in this
    process from wherever they failed."""
    done = after
    if spans is not None and after == 0:
        try:
            async for folded in spans(total, indexed):
                done = folded.last
                yield folded
        except (OSError, ImportError, RuntimeError) as error:  # BrokenProcessPool is a RuntimeError
            log.warning("folding in this process from position %d: worker processes failed (%s)", done + 1, error)
    while done < total:
        last = min(done + SPAN, total)
        span = await fold_span(tx, dialect, catalogue, project, done + 1, last, indexed=indexed)
        done = last
        yield Folded(span, done, total)


async def retractions(tx: Transaction, dialect: Dialect, catalogue: Catalogue, total: int) -> dict[int, int]:
    """Every retraction of the log up to ``total`` as a fold finds it: retracted position -> the retraction's."""
    tags = [tag for tag, kind in catalogue.by_tag.items() if kind.retracts]
    events = [
        (int(position), catalogue.decode_unchecked(body))
        for position, body in await tx.rows(Q.EVENTS_OF_TYPES, tags, total)
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
