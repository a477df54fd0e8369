"""The one shape every read model is stored in: a row per (view, company, event)."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Row"]


class Row(NamedTuple):
    """A fact of one read model for one company.

    ``key`` and ``sort`` are the view's own lookup and ordering columns (a plan id, a
    period, an event type, ...); ``item`` is the view's msgspec-encoded Struct. A row is
    never changed except to mark it retracted, so a read at any position filters
    ``position <= P and (retracted_at is null or retracted_at > P)``.
    """

    view: str
    company_id: str
    position: int
    key: str
    sort: str
    item: bytes
