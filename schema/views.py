"""Request and response shapes of the log API: batches, pages, the catalogue, health."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta

from schema.base import MAX_SAFE_INT, Base
from schema.events import Event, StoredEvent

__all__ = [
    "MAX_BATCH",
    "Batch",
    "BatchResult",
    "EventPage",
    "EventTypeInfo",
    "EventTypeList",
    "Health",
    "Ready",
]

MAX_BATCH = 1000


class Batch(Base, frozen=True):
    """Events appended together: all are stored, or none."""

    events: Annotated[list[Event], Meta(min_length=1, max_length=MAX_BATCH)]


class BatchResult(Base, frozen=True):
    """The stored events of a batch, in the order they were sent."""

    items: list[StoredEvent]


class EventPage(Base, frozen=True):
    """A page of the log in position order. Pass ``next_after`` as ``after`` and ``next_before`` (when
    set) as ``before`` to continue: oldest first, ``next_after`` moves on; newest first, ``next_before``."""

    items: list[StoredEvent]
    next_after: Annotated[int, Meta(ge=0, le=MAX_SAFE_INT)]
    next_before: Annotated[int, Meta(ge=1, le=MAX_SAFE_INT)] | None = None
    """The upper bound of the next page: the last position listed when newest first, else ``before`` as given."""


class EventTypeInfo(Base, frozen=True):
    """One event type of the catalogue: its JSON Schema and an example from the seed data."""

    type: str
    summary: str
    json_schema: dict[str, Any]
    example: dict[str, Any] | None = None


class EventTypeList(Base, frozen=True):
    """The event catalogue."""

    items: list[EventTypeInfo]


class Health(Base, frozen=True):
    """The process answers."""

    status: Literal["ok"] = "ok"


class Ready(Base, frozen=True):
    """The store answered a query just now."""

    backend: str
    durability: str
    """The settings an acknowledged append relies on, as the database reports them."""
    last_position: Annotated[int, Meta(ge=0, le=MAX_SAFE_INT)]
    queue_depth: Annotated[int, Meta(ge=0, le=MAX_SAFE_INT)]
    """Appends waiting for the writer."""
    status: Literal["ready"] = "ready"
