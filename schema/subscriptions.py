"""Durable subscriptions with competing consumers: what a client sends and what it reads back.

A subscription is a named, stored cursor over the log (its filters and where it starts); consumers
claim its events under leases, acknowledge them, hand them back (``nack``) or park them. The store
keeps every subscription's state beside the log (api.store.subscribing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta

from schema.base import MAX_SAFE_INT, Base, CompanyId, EventId, Slug
from schema.events import EventType, StoredEvent

__all__ = [
    "MAX_EVENTS_PER_CALL",
    "Acknowledgement",
    "AckResult",
    "ConsumerName",
    "ConsumerSeen",
    "Lease",
    "NackResult",
    "ParkedEvent",
    "ParkedPage",
    "Rejection",
    "Replay",
    "ReplayResult",
    "SubscriptionList",
    "SubscriptionName",
    "SubscriptionSettings",
    "SubscriptionState",
]

MAX_EVENTS_PER_CALL = 1000
"""Most events one claim hands out, and most event ids one ack, nack or replay names."""

SubscriptionName = Annotated[Slug, Meta(examples=["mailer"])]
ConsumerName = Annotated[Slug, Meta(examples=["mailer-1"])]
Start = Literal["beginning", "now"] | Annotated[int, Meta(ge=0, le=MAX_SAFE_INT)]
Count = Annotated[int, Meta(ge=0, le=MAX_SAFE_INT)]
EventIds = Annotated[list[EventId], Meta(min_length=1, max_length=MAX_EVENTS_PER_CALL)]
LeaseId = Annotated[
    str,
    Meta(min_length=1, max_length=36, pattern=r"^[0-9a-f-]{1,36}$", examples=["0192f0c4-1c2e-7b3a-9d4e-5f6a7b8c9d0e"]),
]


class SubscriptionSettings(Base, frozen=True):
    """What ``PUT /subscriptions/{name}`` sets. Filters and start are fixed once the subscription exists;
    the options can change."""

    types: Annotated[list[EventType], Meta(max_length=50)] = []
    """Only events of these types (none: every type)."""
    companies: Annotated[list[CompanyId], Meta(max_length=50)] = []
    """Only events that touch one of these companies (none: every event)."""
    start: Start = "beginning"
    """``beginning``: every event of the log; ``now``: events committed after the subscription was made;
    a position: events after it."""
    max_deliveries: Annotated[int, Meta(ge=1, le=100)] = 5
    """An event handed out this many times without an ack is parked."""
    lease_seconds: Annotated[int, Meta(ge=1, le=3600)] = 30
    """How long a consumer holds the events of a claim before they are handed out again."""
    ordered: bool = False
    """Each company's events in position order: a company's events are leased to one consumer at a time, and
    a later one only once every earlier one is acknowledged or parked."""


class ConsumerSeen(Base, frozen=True):
    """A consumer that claimed from the subscription."""

    name: ConsumerName
    last_seen: datetime
    claims: Count


class SubscriptionState(Base, frozen=True):
    """A subscription's settings and where its consumers stand."""

    name: SubscriptionName
    settings: SubscriptionSettings
    created_at: datetime
    start_after: Count
    """The position the subscription starts after (``start`` resolved when it was made)."""
    acknowledged: Count
    """Every matching event up to this position is acknowledged or parked."""
    pending: Count
    """Matching events not yet handed out, or handed back (those waiting for a retry's delay too)."""
    in_flight: Count
    """Events held by a consumer's lease now."""
    parked: Count
    leases: Count
    """Leases that hold events now."""
    consumers: list[ConsumerSeen]


class SubscriptionList(Base, frozen=True):
    items: list[SubscriptionState]


class Lease(Base, frozen=True):
    """The events a claim handed to one consumer, held until ``expires_at`` (or until acked or nacked).
    No events, no lease: ``lease_id`` and ``expires_at`` are null when nothing was pending."""

    subscription: SubscriptionName
    consumer: ConsumerName
    lease_id: LeaseId | None
    expires_at: datetime | None
    events: list[StoredEvent]


class Acknowledgement(Base, frozen=True):
    """The events of a lease that were processed."""

    lease_id: LeaseId
    events: EventIds


class AckResult(Base, frozen=True):
    acknowledged: Count
    not_held: list[EventId]
    """Ids the lease does not hold (any more): acknowledged before, handed out again after the lease
    expired, or never part of it. Nothing is done for them."""


class Rejection(Base, frozen=True):
    """Events of a lease handed back: to be retried (now, or after ``delay_seconds``) or parked."""

    lease_id: LeaseId
    events: EventIds
    action: Literal["retry", "park"] = "retry"
    delay_seconds: Annotated[int, Meta(ge=0, le=86_400)] = 0
    """``retry``: not handed out again before this many seconds."""
    reason: Annotated[str, Meta(max_length=500, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")] = ""
    """Why, kept with a parked event."""


class NackResult(Base, frozen=True):
    retried: Count
    parked: Count
    """Parked by this nack: asked for, or a retry of an event handed out ``max_deliveries`` times."""
    not_held: list[EventId]


class ParkedEvent(Base, frozen=True):
    event: StoredEvent
    deliveries: Count
    reason: str
    parked_at: datetime


class ParkedPage(Base, frozen=True):
    """Parked events in position order; continue with ``after=next_after``."""

    items: list[ParkedEvent]
    next_after: Count


class Replay(Base, frozen=True):
    """Parked events to hand out again (from their first delivery); none named: every parked event."""

    events: Annotated[list[EventId], Meta(max_length=MAX_EVENTS_PER_CALL)] = []


class ReplayResult(Base, frozen=True):
    replayed: Count
