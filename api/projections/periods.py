"""Dates of facts: the day a fact belongs to on a timeline, and how periods sort (year, quarter, month)."""

from __future__ import annotations

from typing import Protocol, TypeVar

from schema.events import StoredEvent
from schema.facts import DatedBy, Granularity

__all__ = ["granularity", "latest", "occurred_on", "period_sort", "period_start"]


class _Figure(Protocol):
    @property
    def period(self) -> str: ...
    @property
    def granularity(self) -> Granularity: ...


F = TypeVar("F", bound=_Figure)


def occurred_on(stored: StoredEvent) -> tuple[str, DatedBy]:
    """The date a fact belongs to in a timeline, and what dates it: the news' own date; else the
    earliest publication date of its sources (the fact was true by then); else the recording date."""
    dated = stored.event.dated()
    if dated is not None:
        return period_start(dated), "event"  # a partial date is its own start
    published = [s.published_on for s in stored.event.sources if s.published_on is not None]
    if published:
        return min(published), "source"
    return stored.recorded_at.date().isoformat(), "recorded"


def period_start(period: str) -> str:
    """``2024`` -> ``2024``, ``2024-Q2`` -> ``2024-04``, ``2024-05`` -> ``2024-05``."""
    if "-Q" in period:
        year, quarter = period.split("-Q")
        return f"{year}-{3 * int(quarter) - 2:02d}"
    return period


def period_sort(period: str) -> str:
    """Sorts periods by start, then the longer period first (year, quarter, month)."""
    rank = "0" if len(period) == 4 else ("1" if "-Q" in period else "2")
    return f"{period_start(period):<7}{rank}"


def granularity(period: str) -> Granularity:
    """``2024`` is a year, ``2024-Q2`` a quarter, ``2024-05`` a month."""
    if len(period) == 4:
        return "year"
    return "quarter" if "-Q" in period else "month"


def latest(items: list[F]) -> list[F]:
    """The figures of the latest period of each granularity: year, then quarter, then month."""
    newest: dict[str, str] = {}
    for figure in items:
        if figure.period > newest.get(figure.granularity, ""):
            newest[figure.granularity] = figure.period
    return [f for g in ("year", "quarter", "month") for f in items if f.granularity == g and f.period == newest.get(g)]
