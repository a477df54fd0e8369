"""The moment a read model is read at: now, a log position, or a recorded time; and the day of publication it is known on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["ReadPoint"]


@dataclass(frozen=True, slots=True)
class ReadPoint:
    """At most one of ``at_position`` and ``as_of``; neither means the latest state. ``known_on``
    keeps only what had been published by that day (see api.projections.known)."""

    at_position: int | None = None
    as_of: datetime | None = None
    known_on: date | None = None
