"""The moment a read model is read at: now, a log position, or a recorded time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["ReadPoint"]


@dataclass(frozen=True, slots=True)
class ReadPoint:
    """At most one of ``at_position`` and ``as_of``; neither means the latest state."""

    at_position: int | None = None
    as_of: datetime | None = None
