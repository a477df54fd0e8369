"""What every read model shares: the fields of a fact, evidence merging, and the rows read back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

import msgspec

from schema.base import Source
from schema.dossiers import Fact
from schema.events import CompanyRegistered, StoredEvent

__all__ = ["CompanyRows", "ReadRow", "fact_fields", "occurred_on", "period_sort", "supported"]

F = TypeVar("F", bound=Fact)


class ReadRow(NamedTuple):
    view: str
    position: int
    key: str
    sort: str
    item: bytes


@dataclass(slots=True)
class CompanyRows:
    """The rows of one company valid at ``at_position``, as a backend reads them in one snapshot."""

    company_id: str
    version: int
    last_position: int
    at_position: int
    at_time: datetime
    """The moment the read is as of: the clock for plan status."""
    rows: list[ReadRow]
    evidence: dict[int, list[Source]] = field(default_factory=dict)
    """Sources added by evidence_added, by the position of the fact they support."""
    counts: dict[str, int] = field(default_factory=dict)
    """Timeline facts per event type, when the read asked for them."""

    def items(self, view: str, kind: type[Any]) -> list[Any]:
        decoder = msgspec.json.Decoder(kind)
        return [decoder.decode(row.item) for row in self.rows if row.view == view]

    def facts(self, view: str, kind: type[F]) -> list[F]:
        return [supported(fact, self.evidence) for fact in self.items(view, kind)]


def fact_fields(stored: StoredEvent) -> dict[str, Any]:
    event = stored.event
    return {
        "position": stored.position,
        "event_id": event.id,
        "certainty": event.certainty,
        "sources": event.sources,
        "source_count": len(event.sources),
    }


def supported(fact: F, evidence: dict[int, list[Source]]) -> F:
    """The fact with the sources that evidence_added events brought to it."""
    extra = evidence.get(fact.position)
    if not extra:
        return fact
    sources = [*fact.sources, *extra]
    return msgspec.structs.replace(fact, sources=sources, source_count=len(sources))


def occurred_on(stored: StoredEvent) -> str:
    """The date a fact belongs to in a timeline: the news' own date, else the recording date."""
    dated = stored.event.dated()
    if dated is not None:
        return period_start(dated)  # a partial date is its own start
    return stored.recorded_at.date().isoformat()


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


def registered_names(registrations: Iterable[CompanyRegistered]) -> dict[str, str]:
    return {r.company_id: r.name for r in registrations}
