"""The second time axis: what was publicly known on a day, from the publication dates of sources.

A read with ``known_on=D`` keeps, of every fact, only the sources published on or before D.
A partial publication date counts from its last day (``2025-03`` from 2025-03-31), so nothing
is shown as known before it surely was. A source without a publication date counts from the
day Tidings recorded the event that brought it (its position is at or before the last position
recorded on D). A fact left without sources is not known on D and leaves every read model;
evidence, timeline items and facts are filtered alike, and the answer counts the claims (facts
and evidence for the facts it shows) that relied on a recording date. Evidence published earlier
makes a fact known before its own sources; its timeline item, the event as recorded, waits for them.

Registrations are the company's identity, not news: they are kept, so a day before any source
gives an empty dossier, not a 404.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import msgspec

from api.projections.company_rows import ReadRow

__all__ = ["public_by", "known_rows"]

_KEPT = frozenset({"registration", "subsidiary"})


def public_by(published_on: str) -> str:
    """The last day a partial date can mean, as ISO text: ``2025`` -> ``2025-12-31``."""
    if len(published_on) == 10:
        return published_on
    year = int(published_on[:4])
    month = 12 if len(published_on) == 4 else int(published_on[5:7])
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _sources_of(view: str, item: dict[str, Any]) -> list[Any] | None:
    """Where a row's sources are: the fact's own, or the event's for a timeline item."""
    found = item.get("event", {}).get("event", {}).get("sources") if view == "timeline" else item.get("sources")
    return found if isinstance(found, list) else None


def known_rows(rows: list[ReadRow], day: date, recorded_by: int) -> tuple[list[ReadRow], int]:
    """The rows as known on ``day`` (sources filtered, unknown facts dropped), and how many facts
    counted an undated source by the day it was recorded. ``recorded_by``: the last position
    recorded on or before ``day``."""
    cutoff = day.isoformat()

    def public(sources: list[Any], recorded: bool) -> tuple[list[Any], bool]:
        """The sources published by the day, and whether one of them counted by its recording day."""
        known, by_recording = [], False
        for source in sources:
            published = source.get("published_on")
            if published is None:
                if recorded:
                    known.append(source)
                    by_recording = True
            elif public_by(published) <= cutoff:
                known.append(source)
        return known, by_recording

    # Evidence first: a fact whose own sources came later is known through earlier evidence.
    kept: list[ReadRow] = []
    evidence: dict[int, list[tuple[int, bool]]] = {}
    for row in rows:
        if row.view != "evidence":
            continue
        sources, by_recording = public(msgspec.json.decode(row.item), row.position <= recorded_by)
        if sources:
            evidence.setdefault(int(row.key), []).append((row.position, by_recording))
            kept.append(row._replace(item=msgspec.json.encode(sources)))
    undated: set[int] = set()
    for row in rows:
        if row.view == "evidence":
            continue
        if row.view in _KEPT or not row.item:
            kept.append(row)
            continue
        decoded = msgspec.json.decode(row.item)
        own = _sources_of(row.view, decoded) if isinstance(decoded, dict) else None
        if own is None:
            kept.append(row)  # a row that carries no sources (an extension's): nothing to filter
            continue
        known, by_recording = public(own, row.position <= recorded_by)
        if not known and (row.view == "timeline" or row.position not in evidence):
            # A timeline item is the event as recorded, whose sources cannot be empty: it is listed
            # once its own sources are public. The fact it states is known earlier through evidence.
            continue
        if by_recording:
            undated.add(row.position)
        undated.update(position for position, by_recording in evidence.get(row.position, ()) if by_recording)
        if len(known) < len(own):
            row = row._replace(item=_with_sources(row.view, decoded, known))
        kept.append(row)
    kept.sort(key=lambda row: row.position)
    return kept, len(undated)


def _with_sources(view: str, item: Any, sources: list[Any]) -> bytes:
    if view == "timeline":
        item["event"]["event"]["sources"] = sources
        item["source_count"] = len(sources)
    else:
        item["sources"] = sources
        if "source_count" in item:
            item["source_count"] = len(sources)
    return msgspec.json.encode(item)
