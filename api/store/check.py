"""``tidings check``: a store's faults, found by comparing it with a fresh fold of its log, span by span.

Memory holds one span's rows and the log's retractions, never the whole fold (a check of
1,000,000 events once peaked at 2.6 GB). The check runs in one read-only snapshot, so
appends go on meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from api.projections.registry import Registry
from api.projections.row import Row
from api.store import folding, hashing, kept_heads, log_index, tree
from api.store.driver import Dialect, Spans, Transaction
from api.store.statements import Q
from schema.declarations import Catalogue

__all__ = ["Faults", "FreshFold", "check"]


async def check(
    tx: Transaction,
    dialect: Dialect,
    catalogue: Catalogue,
    registry: Registry,
    *,
    spans: Spans | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """What is wrong with the store: damaged files or counters, gaps, versions, hashes, the Merkle tree, signed
    heads kept that the log no longer extends, read models unlike a fresh fold."""
    damaged = [str(fault) for (fault,) in await tx.rows(Q.DAMAGE)]
    if damaged:
        return damaged
    faults = Faults()
    extent = await tx.row(Q.LOG_EXTENT)
    count, last = (int(extent[0]), int(extent[1])) if extent else (0, 0)
    if count != last:
        faults.add([f"positions: {count} events but the last position is {last}; the log has gaps"])
    for company, version, counted in await tx.rows(Q.VERSION_FAULTS):
        faults.add([f"versions: company {company} is at version {version} but {counted} events touch it"])
    marks = {str(name): int(position) for name, position in await tx.rows(Q.CHECKPOINTS)}
    for projection in registry.projections:
        mark = marks.get(projection.checkpoint)
        if mark != last:
            where = "has no checkpoint" if mark is None else f"is at position {mark}"
            faults.add([f"checkpoints: projection {projection.checkpoint} {where} but the log is at {last}"])
    indexed = marks.get(log_index.CHECKPOINT)
    if indexed != last:
        where = "has no checkpoint" if indexed is None else f"is at position {indexed}"
        faults.add([f"checkpoints: the filter index {log_index.CHECKPOINT} {where} but the log is at {last}"])
    faults.add(await hashing.faults(tx, dialect, catalogue, last))
    faults.add(await tree.faults(tx, last))
    faults.add(await kept_heads.faults(tx, dialect, last))
    fold = FreshFold(await folding.retractions(tx, dialect, catalogue, last))
    previous = 0
    async for (rows, _, _), done, total in folding.fold_log(
        tx, dialect, catalogue, registry.project, last, spans=spans
    ):
        faults.add(fold.compare(rows, await tx.rows(Q.ROWS_BETWEEN, previous, done)))
        previous = done
        if progress is not None:
            progress(done, total)
    # Rows at positions the log does not have.
    faults.add(fold.compare([], await tx.rows(Q.ROWS_OUTSIDE, previous)))
    return faults.report()


class FreshFold:
    """Stored read-model rows compared with a fresh fold of the log, one span of positions at a time.

    Memory holds one span's rows and the log's retractions, never the whole fold (a check of
    1,000,000 events once peaked at 2.6 GB). ``retracted`` maps each retracted position to the
    position of the retraction, for the whole log: a retraction marks rows folded long before it.
    """

    def __init__(self, retracted: dict[int, int]) -> None:
        self.retracted = retracted

    def compare(self, folded: Iterable[Row], stored: Iterable[Sequence[Any]]) -> list[str]:
        """Faults of the stored rows ``(company, view, position, key, sort, item, retracted_at)`` of
        a span against the rows a fold gives for the same span: each stored row it cannot match,
        and each folded row no stored row matched."""
        expected: dict[tuple[str, str, int, str], tuple[str, bytes, int | None]] = {
            (row.company_id, row.view, row.position, row.key): (row.sort, row.item, self.retracted.get(row.position))
            for row in folded
        }
        faults: list[str] = []
        for company, view, position, key, sort, item, retracted_at in stored:
            want = expected.pop((company, view, position, key), None)
            # A tampered row may hold any type; compare what it holds, never fail on it.
            held = (
                item.encode()
                if isinstance(item, str)
                else bytes(item)
                if isinstance(item, bytes | memoryview)
                else item
            )
            if want != (sort, held, retracted_at):
                faults.append(f"read models: {view} row of {company} at position {position} differs from a fresh fold")
        faults.extend(
            f"read models: {view} row of {company} at position {position} is missing"
            for company, view, position, _ in expected
        )
        return faults


class Faults:
    """The first ``limit`` faults a check finds, and how many more there were: a wiped table has
    millions, and a check must not hold them all."""

    def __init__(self, limit: int = 100) -> None:
        self.limit = limit
        self.found: list[str] = []
        self.more = 0

    def add(self, faults: Iterable[str]) -> None:
        for fault in faults:
            if len(self.found) < self.limit:
                self.found.append(fault)
            else:
                self.more += 1

    def report(self) -> list[str]:
        return [*self.found, f"{self.more} more faults not listed"] if self.more else list(self.found)
