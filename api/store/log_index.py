"""The log's filter index: what ``GET /events`` finds an event by, written beside the event.

Every event gets one row in ``log_terms (term, position)`` per value it is found by:
``type:<tag>``, ``company:<id>`` (each company it touches: named, or touched through the
event its evidence or retraction names), ``person:<id>`` (the persons its type declares,
schema.declarations), ``certainty:<value>``, ``publisher:<folded name>`` (each of its own
sources), and for an event whose type declares a date (``dated_by``) ``year:YYYY`` and
``month:YYYY-MM`` for every year and month its date or period covers, with the exact span
in ``log_dated (position, first_day, last_day)``. The primary key ``(term, position)`` lists
the events of one value in position order, so a page of one value is an index range, either
way; further filters are looked up by ``(term, position)``.

The rows depend on the event alone (and the companies it touches, fixed at append), so they
are written in the append transaction and never change; a store made before they existed
fills them at start-up from the log (``CHECKPOINT``), ``tidings rebuild`` writes them again.

A publisher is compared by its folded name: Unicode NFKC, case folded, every white space
removed (``"CnEVPost"``, ``"cnevpost "`` and ``"CnEV Post"`` are one publisher).
"""

from __future__ import annotations

import calendar
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schema.declarations import tag
from schema.events import Event

__all__ = [
    "CHECKPOINT",
    "FIRST_DAY",
    "LAST_DAY",
    "Facets",
    "date_terms",
    "dated_span",
    "fold_publisher",
    "index_rows",
    "span_terms",
    "terms",
]

CHECKPOINT = "log_index/1"
"""The checkpoint of the filter index: the last position whose terms are written. Raise the
version when the terms an event gets change: the index is then written again at start-up."""


def fold_publisher(name: str) -> str:
    """A publisher's name as compared: NFKC, case folded, white space removed."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def dated_span(value: str) -> tuple[str, str]:
    """The first and last day a partial date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) or a period
    (``YYYY``, ``YYYY-Qn``, ``YYYY-MM``) covers, as ``YYYY-MM-DD``."""
    year = int(value[:4])
    if len(value) == 4:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    if value[5] == "Q":
        last = 3 * int(value[6])
        first_month = last - 2
    elif len(value) == 7:
        first_month = last = int(value[5:7])
    else:
        return value, value
    days = calendar.monthrange(year, last)[1]
    return f"{year:04d}-{first_month:02d}-01", f"{year:04d}-{last:02d}-{days:02d}"


def span_terms(first_day: str, last_day: str) -> list[str]:
    """The ``year:`` and ``month:`` terms of every year and month a span of days touches."""
    found: list[str] = []
    y1, m1 = int(first_day[:4]), int(first_day[5:7])
    y2, m2 = int(last_day[:4]), int(last_day[5:7])
    for year in range(y1, y2 + 1):
        found.append(f"year:{year:04d}")
        start = m1 if year == y1 else 1
        end = m2 if year == y2 else 12
        found.extend(f"month:{year:04d}-{month:02d}" for month in range(start, end + 1))
    return found


def terms(event: Event, touched: Iterable[str]) -> list[str]:
    """Every term an event is found by (the date's year and month terms included)."""
    found = [f"type:{tag(event)}", f"certainty:{event.certainty}"]
    found.extend(f"company:{company}" for company in dict.fromkeys(touched))
    found.extend(f"person:{person}" for person in event.persons_named())
    found.extend(f"publisher:{p}" for p in dict.fromkeys(fold_publisher(s.publisher) for s in event.sources))
    dated = event.dated()
    if dated is not None:
        found.extend(span_terms(*dated_span(dated)))
    return found


def index_rows(
    events: Iterable[tuple[int, Event, Sequence[str]]],
) -> tuple[list[tuple[str, int]], list[tuple[int, str, str]]]:
    """The rows of ``log_terms`` (term, position) and ``log_dated`` (position, first day, last day)
    of events given as (position, event, companies it touches)."""
    found: list[tuple[str, int]] = []
    dated: list[tuple[int, str, str]] = []
    for position, event, touched in events:
        found.extend((term, position) for term in terms(event, touched))
        if (value := event.dated()) is not None:
            dated.append((position, *dated_span(value)))
    return found, dated


def date_terms(first_day: str, last_day: str, extent: tuple[int, int]) -> list[str]:
    """The fewest ``year:``/``month:`` terms whose events include every event dated within
    ``first_day``..``last_day`` (whole years as one term), within the years ``extent`` holds."""
    low, high = max(int(first_day[:4]), extent[0]), min(int(last_day[:4]), extent[1])
    found: list[str] = []
    for year in range(low, high + 1):
        start = first_day if year == int(first_day[:4]) else f"{year:04d}-01-01"
        end = last_day if year == int(last_day[:4]) else f"{year:04d}-12-31"
        if start.endswith("-01-01") and end.endswith("-12-31"):
            found.append(f"year:{year:04d}")
        else:
            found.extend(f"month:{year:04d}-{month:02d}" for month in range(int(start[5:7]), int(end[5:7]) + 1))
    return found


@dataclass(frozen=True, slots=True)
class Facets:
    """A filter of the log as terms: an event matches when, for every facet, it has one of the
    facet's terms (AND across facets, OR within one), and its date overlaps ``first_day``..``last_day``
    when those are given."""

    facets: tuple[tuple[str, ...], ...]
    first_day: str | None = None
    last_day: str | None = None

    @property
    def dated(self) -> bool:
        return self.first_day is not None or self.last_day is not None

    @classmethod
    def of(
        cls,
        *,
        types: Sequence[str] = (),
        companies: Sequence[str] = (),
        persons: Sequence[str] = (),
        certainties: Sequence[str] = (),
        publishers: Sequence[str] = (),
        occurred_from: str | None = None,
        occurred_to: str | None = None,
    ) -> Facets:
        facets = [
            tuple(dict.fromkeys(f"{prefix}:{value}" for value in values))
            for prefix, values in (
                ("type", types),
                ("company", companies),
                ("person", persons),
                ("certainty", certainties),
                ("publisher", [fold_publisher(p) for p in publishers]),
            )
            if values
        ]
        return cls(
            tuple(facets),
            None if occurred_from is None else dated_span(occurred_from)[0],
            None if occurred_to is None else dated_span(occurred_to)[1],
        )


FIRST_DAY = "0001-01-01"
"""Before every date: the open start of an ``occurred_to``-only filter."""
LAST_DAY = "9999-12-31"
"""After every date: the open end of an ``occurred_from``-only filter."""
