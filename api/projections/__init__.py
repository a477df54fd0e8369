"""Read models: pure folds of stored events into rows keyed by company, and the views built from them.

``project`` is called by the store inside the append transaction (and by rebuild),
so a 201 means every read model already shows the event. The same functions serve
every backend: only the SQL that stores and selects rows differs.
"""

from __future__ import annotations

from api.projections import evidence, meetings, plans, profile, relationships, sales, timeline
from api.projections.row import Row
from schema.events import StoredEvent

__all__ = ["Row", "project"]


def project(stored: StoredEvent, touched: tuple[str, ...], target: int | None) -> list[Row]:
    """Every read-model row of one new event. ``target`` is the position an evidence event supports."""
    return [
        *timeline.rows(stored, touched),
        *profile.rows(stored),
        *meetings.rows(stored, touched),
        *sales.rows(stored),
        *plans.rows(stored),
        *relationships.rows(stored),
        *evidence.rows(stored, touched, target),
    ]
