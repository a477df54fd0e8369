"""Events about other events: evidence added to one, and its retraction."""

from __future__ import annotations

from typing import Annotated, ClassVar

from msgspec import Meta

from schema.base import (
    EventId,
    Note,
)
from schema.event_base import EventBase

__all__ = ["EventRetracted", "EvidenceAdded"]


class EvidenceAdded(EventBase, frozen=True, kw_only=True, tag="evidence_added"):
    """Another article reports the fact recorded by ``event_id``."""

    summary: ClassVar[str] = "More sources for an earlier fact"
    targets = "event_id"

    event_id: EventId


class EventRetracted(EventBase, frozen=True, kw_only=True, tag="event_retracted"):
    """The fact recorded by ``event_id`` was wrong; it leaves every read model."""

    summary: ClassVar[str] = "Withdraws an earlier fact"
    targets = "event_id"
    retracts = True

    event_id: EventId
    reason: Annotated[Note, Meta(min_length=1)]
