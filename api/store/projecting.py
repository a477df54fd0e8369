"""Keeping every projection in step with the log: catching up at start-up, and rebuilding.

Each projection's checkpoint (``name/version``: the last position it folded) commits with its
rows, in the append transaction. At start-up a projection whose checkpoint is behind the log
(one added or changed since the store was last opened) is folded from its checkpoint to the
head, alone, under the log's write lock. A rebuild deletes the rows of every projection (or
of those named) and folds the whole log again, in one transaction.

The filter index of the log (api.store.log_index) keeps a checkpoint the same way: a store made
before it, or before its terms changed, writes it from the log at start-up; a full rebuild
writes it again.

Stores made before projections kept checkpoints of their own hold one ``read_rows``
checkpoint: it is handed to each projection of that release (``LEGACY``) at the first start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from api.projections import search
from api.projections.registry import Registry, default_registry
from api.store import folding, log_index
from api.store.driver import Dialect, Driver, Spans, Transaction
from api.store.statements import Q
from schema.declarations import Catalogue
from schema.events import CATALOGUE

__all__ = ["LEGACY", "catch_up", "rebuild"]

log = logging.getLogger("tidings.projections")

LEGACY = ("evidence/1", "meetings/1", "plans/1", "profile/1", "relationships/1", "sales/1", "timeline/1")
"""The projections of the release whose stores keep one ``read_rows`` checkpoint for all."""


async def catch_up(driver: Driver, catalogue: Catalogue, registry: Registry) -> list[str]:
    """Fold every projection that is behind the log up to its head; returns their names."""
    async with driver.writing() as tx:
        await tx.row(Q.TAKE_HEAD)  # the write lock: instances starting together catch up once
        head = await _head(tx)
        marks = {str(name): int(position) for name, position in await tx.rows(Q.CHECKPOINTS)}
        if "read_rows" in marks:
            legacy = marks.pop("read_rows")
            adopted = [(name, legacy) for name in LEGACY if name not in marks]
            await tx.run_many(Q.SET_CHECKPOINT, adopted)
            await tx.run(Q.DELETE_CHECKPOINT, "read_rows")
            marks.update(adopted)
        current = {p.checkpoint for p in registry.projections} | {log_index.CHECKPOINT}
        for name in sorted(set(marks) - current):  # a projection's older version, or one removed
            await tx.run(Q.DELETE_CHECKPOINT, name)
        behind = [p for p in registry.projections if marks.get(p.checkpoint, -1) < head]
        for projection in behind:
            start = marks.get(projection.checkpoint)
            log.info("catching projection %s up from position %d to %d", projection.checkpoint, start or 0, head)
            if start is None:  # new, or changed: none of its rows can stay
                await tx.run(Q.DELETE_ROWS_OF_VIEWS, list(projection.writes))
            await _fold_rows(tx, driver, catalogue, registry.only([projection.name]), start or 0, head, spans=None)
            await _mark_retracted(tx, driver, catalogue, head)  # rows written now may be retracted long before
            await tx.run(Q.SET_CHECKPOINT, projection.checkpoint, head)
        indexed = marks.get(log_index.CHECKPOINT)
        if indexed is None or indexed < head:
            log.info("writing the filter index of the log from position %d to %d", indexed or 0, head)
            if indexed is None:  # none, or of terms since changed: none of its rows can stay
                await _unindexed(tx)
            await _index_into(tx, driver.dialect, catalogue, indexed or 0, head)
        return [p.name for p in behind]


async def rebuild(
    driver: Driver,
    catalogue: Catalogue,
    registry: Registry,
    *,
    only: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Delete the rows of every projection (or of those ``only`` names) and fold the whole log again, in
    one transaction; returns the last position folded. Raises LookupError naming an unknown projection.

    Cancelled (Ctrl-C), it rolls back, unless its COMMIT had begun: then it returns as if it had
    not been cancelled (the caller's task is uncancelled)."""
    chosen = registry if only is None else registry.only(only)
    done = 0
    tx: Transaction | None = None
    try:
        async with driver.writing() as tx:
            await tx.row(Q.TAKE_HEAD)
            total = await _head(tx)
            # Worker processes fold with the default catalogue and projections: only for the default store.
            whole = only is None
            parallel = whole and registry is default_registry() and catalogue is CATALOGUE
            async with driver.rebuilding(tx, whole=whole):
                if whole:
                    await tx.run(Q.DELETE_ROWS)
                    for name, _ in await tx.rows(Q.CHECKPOINTS):
                        await tx.run(Q.DELETE_CHECKPOINT, name)
                    await _unindexed(tx)
                else:
                    await tx.run(Q.DELETE_ROWS_OF_VIEWS, chosen.views())
                done = await _fold_rows(
                    tx,
                    driver,
                    catalogue,
                    chosen,
                    0,
                    total,
                    spans=driver.spans(total) if parallel else None,
                    indexed=whole,  # the filter index of the log, from the same decoded events
                    progress=progress,
                )
            await _mark_retracted(tx, driver, catalogue, total)  # by position: after the indexes are back
            await tx.run_many(Q.SET_CHECKPOINT, [(p.checkpoint, total) for p in chosen.projections])
            if whole:
                await _indexed(tx, driver.dialect, total, total > 0)
    except asyncio.CancelledError:
        if tx is None or not tx.committed:
            raise
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()  # it finished: say so rather than "stopped"
    return done


async def _fold_rows(
    tx: Transaction,
    driver: Driver,
    catalogue: Catalogue,
    registry: Registry,
    after: int,
    head: int,
    *,
    spans: Spans | None,
    indexed: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the rows ``registry`` folds from the events after ``after`` up to ``head`` (and the filter-index
    rows of the log when ``indexed``); returns the last position folded."""
    done = after
    async for (rows, _, (terms, dated)), done, total in folding.fold_log(
        tx, driver.dialect, catalogue, registry.project, head, spans=spans, after=after, indexed=indexed
    ):
        await tx.run_all([(Q.INSERT_ROW, rows), (Q.INSERT_TERM, terms), (Q.INSERT_DATED, dated)])
        if progress is not None:
            progress(done, total)
    if done > after and driver.dialect.sql[Q.INDEX_TEXT] is not None and search.VIEW in registry.views():
        await tx.run(Q.INDEX_TEXT, after + 1, done)  # once for all the rows: see Q.INDEX_TEXT
    return done


async def _mark_retracted(tx: Transaction, driver: Driver, catalogue: Catalogue, head: int) -> None:
    """Mark the rows of every event the log retracts up to ``head``."""
    retracted = await folding.retractions(tx, driver.dialect, catalogue, head)
    # Rows marked before keep their mark: the statement only marks rows not yet marked.
    await tx.run_many(Q.MARK_RETRACTED, [(by, target) for target, by in retracted.items()])


async def _index_into(tx: Transaction, dialect: Dialect, catalogue: Catalogue, after: int, head: int) -> None:
    """Write the filter index of the log (api.store.log_index) after ``after`` up to ``head``, and its checkpoint."""
    done = after
    while done < head:
        last = min(done + folding.SPAN, head)
        touched: dict[int, list[str]] = {}
        for position, company in await tx.rows(Q.TOUCHED_BETWEEN, done + 1, last):
            touched.setdefault(int(position), []).append(company)
        events = await tx.rows(Q.EVENTS_BETWEEN, done + 1, last)
        terms, dated = log_index.index_rows(
            (int(position), catalogue.decode_unchecked(body), touched.get(int(position), ()))
            for position, _, body in events
        )
        await tx.run_all([(Q.INSERT_TERM, terms), (Q.INSERT_DATED, dated)])
        done = last
    await _indexed(tx, dialect, head, head > after)


async def _unindexed(tx: Transaction) -> None:
    """Delete every row of the filter index of the log."""
    await tx.run(Q.DELETE_TERMS)
    await tx.run(Q.DELETE_DATED)


async def _indexed(tx: Transaction, dialect: Dialect, head: int, grown: bool) -> None:
    """The filter index of the log is written up to ``head`` (``grown``: by some events just now)."""
    if dialect.sql[Q.ANALYZE_INDEX] is not None and grown:
        await tx.run(Q.ANALYZE_INDEX)
    await tx.run(Q.SET_CHECKPOINT, log_index.CHECKPOINT, head)


async def _head(tx: Transaction) -> int:
    row = await tx.row(Q.LAST_POSITION)
    return int(row[0]) if row else 0
