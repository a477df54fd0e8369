"""The event catalogue: one Struct per event type, the union ``Event``, and the stored envelope.

Tags are written by hand and never change once events carrying them are stored; the
catalogue grows by adding types. Rules that a single field's type cannot say (at least
two distinct participants, a revenue target needs a currency, ...) are the ``rules`` of their
Struct (schema/rules.py): every decoder enforces them, and the JSON Schema states those it can.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from msgspec import Meta

from schema import company_events, deal_events, figure_events, identity_events, log_events, market_events
from schema.base import (
    Base,
    EventId,
    Position,
    Source,
)
from schema.company_events import (
    CompanyRegistered,
    ExecutiveAppointed,
    ExecutiveDeparted,
    ExecutiveReported,
    MarketPositionReported,
    MeetingHeld,
    ProductLaunched,
    RelationshipReported,
    SiteVisited,
)
from schema.deal_events import AcquisitionAnnounced, AcquisitionCompleted, AcquisitionTerminated, Stake
from schema.declarations import Catalogue
from schema.event_base import (
    Attribution,
    EventBase,
    Location,
    Participant,
    PreviousMeeting,
)
from schema.figure_events import (
    UNIT_METRICS,
    DeliveriesReported,
    FinancialMeasure,
    OrderKind,
    OrdersReported,
    PlanAnnounced,
    PlanMetric,
    PlanTarget,
    ProductionReported,
    ResultsReported,
    SalesReported,
    TargetRevised,
    Window,
)
from schema.identity_events import CompanyRenamed, IdentifierAdded, IdentifierScheme, ProfileUpdated
from schema.log_events import EventRetracted, EvidenceAdded
from schema.market_events import CapitalRaised, ListingCompleted, PriceAnnounced

__all__ = [
    "EVENT_TYPES",
    "AcquisitionAnnounced",
    "AcquisitionCompleted",
    "AcquisitionTerminated",
    "Stake",
    "Attribution",
    "CapitalRaised",
    "PreviousMeeting",
    "CompanyRegistered",
    "CompanyRenamed",
    "ExecutiveAppointed",
    "ExecutiveDeparted",
    "IdentifierAdded",
    "IdentifierScheme",
    "ProfileUpdated",
    "DeliveriesReported",
    "FinancialMeasure",
    "OrderKind",
    "OrdersReported",
    "PlanMetric",
    "ProductionReported",
    "ResultsReported",
    "TargetRevised",
    "UNIT_METRICS",
    "Window",
    "Event",
    "EventBase",
    "EventType",
    "EvidenceAdded",
    "EventRetracted",
    "ExecutiveReported",
    "ListingCompleted",
    "Location",
    "MarketPositionReported",
    "MeetingHeld",
    "Participant",
    "PlanAnnounced",
    "PlanTarget",
    "PriceAnnounced",
    "ProductLaunched",
    "RelationshipReported",
    "Retraction",
    "SalesReported",
    "SiteVisited",
    "StoredEvent",
    "CATALOGUE",
]

CATALOGUE = Catalogue.of_modules(
    EventBase, company_events, figure_events, market_events, deal_events, identity_events, log_events
)
"""Every event type of those modules, in that order and as written in each: the one list everything else is
derived from."""

if TYPE_CHECKING:
    Event = EventBase
    EventType = str
else:
    Event = CATALOGUE.union
    """The tagged union of every event type: what a request body or a stored body decodes to."""
    EventType = CATALOGUE.tags
    """The tags of the catalogue, for query parameters."""

EVENT_TYPES: dict[str, type[EventBase]] = CATALOGUE.by_tag


EventHash = Annotated[
    str,
    Meta(
        pattern="^[0-9a-f]{64}$",
        description=(
            "SHA-256 (lower-case hex) of the stored event's canonical form: the JSON object of its "
            "`event`, `position` and `recorded_at` as served here, keys sorted at every level, no "
            "whitespace, UTF-8 (docs/hashes.md). On every event the log serves (`GET /events`, "
            "`GET /events/{id}`, an append's answer); read models that embed an event leave it out."
        ),
    ),
]


class Retraction(Base, frozen=True):
    """Who withdrew an event, when and why: the ``event_retracted`` that did it."""

    event_id: EventId
    position: Position
    recorded_at: Annotated[datetime, Meta(tz=True, description="When the log recorded the retraction.")]
    reason: str
    sources: list[Source]


class StoredEvent(Base, frozen=True, omit_defaults=True):
    """An event as the log holds it: its place, the time it was recorded, and the event (``id`` always set).

    ``retracted`` is present on ``GET /events/{id}`` and ``GET /events`` for an event a later
    ``event_retracted`` withdrew: it annotates what is read; the stored event never changes.
    """

    position: Position
    recorded_at: Annotated[datetime, Meta(tz=True, description="When the log recorded it (UTC, transaction time).")]
    event: Event
    hash: EventHash | None = None
    retracted: Retraction | None = None
