"""Pure pieces every backend shares, so that only the SQL differs between them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from api.projections.evidence import decode_sources
from api.projections.facts import CompanyRows, ReadRow
from api.projections.row import Row
from schema.events import Event

__all__ = ["FreshFold", "company_rows", "event_tag"]


def event_tag(event: Event) -> str:
    """The stored ``type`` of an event: its msgspec tag."""
    return str(event.__struct_config__.tag)


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
    """The read-model rows a fresh fold of the log would hold, to compare the stored rows against.

    Feed it the batches of a fold in position order, then offer it every stored row once;
    each stored row it cannot match, and each folded row never offered, is a fault.
    """

    def __init__(self) -> None:
        self._expected: dict[tuple[str, str, int, str], tuple[str, bytes, int | None]] = {}
        self._by_position: dict[int, list[tuple[str, str, int, str]]] = {}

    def add(self, rows: Iterable[Row], retractions: Iterable[tuple[int, int]]) -> None:
        for row in rows:
            key = (row.company_id, row.view, row.position, row.key)
            self._expected[key] = (row.sort, row.item, None)
            self._by_position.setdefault(row.position, []).append(key)
        for target, by in retractions:
            for key in self._by_position.get(target, ()):
                sort, item, _ = self._expected[key]
                self._expected[key] = (sort, item, by)

    def differs(
        self, company: str, view: str, position: int, key: str, sort: str, item: object, retracted_at: int | None
    ) -> str | None:
        """The fault of one stored row, or None when the fold has the same row."""
        want = self._expected.pop((company, view, position, key), None)
        # A tampered row may hold any type; compare what it holds, never fail on it.
        held = item.encode() if isinstance(item, str) else bytes(item) if isinstance(item, bytes | memoryview) else item
        if want != (sort, held, retracted_at):
            return f"read models: {view} row of {company} at position {position} differs from a fresh fold"
        return None

    def missing(self) -> list[str]:
        """Folded rows that no stored row matched."""
        return [
            f"read models: {view} row of {company} at position {position} is missing"
            for company, view, position, _ in self._expected
        ]
