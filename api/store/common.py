"""Pure pieces every backend shares, so that only the SQL differs between them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from api.projections.evidence import decode_sources
from api.projections.facts import CompanyRows, ReadRow
from api.projections.row import Row

__all__ = ["Faults", "FreshFold", "company_rows"]


def company_rows(
    company_id: str, version: int, last: int, at: int, at_time: datetime, rows: list[ReadRow]
) -> CompanyRows:
    """A company's rows as read back in position order, with the evidence they carry gathered by target."""
    evidence: dict[int, list[Any]] = {}
    for row in rows:
        if row.view == "evidence":
            evidence.setdefault(int(row.key), []).extend(decode_sources(row.item))
    return CompanyRows(company_id, version, last, at, at_time, rows, evidence)


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
