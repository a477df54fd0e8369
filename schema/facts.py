"""What every read-model item is built from: a fact with its sources and standing, a claim among
disagreeing reports, and the shared vocabulary (versions, tallies, how a value was decided)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta

from schema.base import (
    MAX_SAFE_INT,
    Base,
    Certainty,
    CompanyId,
    Note,
    PartialDate,
    Position,
    Source,
)
from schema.events import (
    Attribution,
)

__all__ = [
    "Claim",
    "CompanyRef",
    "DatedBy",
    "Decision",
    "Fact",
    "Granularity",
    "Measure",
    "PlanStatus",
    "Tally",
    "Version",
]


PlanStatus = Literal["pending", "met", "missed", "unknown"]
Granularity = Literal["year", "quarter", "month"]
DatedBy = Literal["event", "source", "recorded"]
"""What gives a timeline item its date: the event's own date, its earliest source's publication, or its recording."""
Measure = Literal["units", "revenue"]
Decision = Literal["single", "agreement", "certainty", "publishers", "published_on", "position"]
"""Which step of the claim rule chose the value: see ``SalesFigure``."""
Version = Annotated[int, Meta(ge=0, le=MAX_SAFE_INT, description="Number of events that touched the company.")]
Tally = Annotated[int, Meta(ge=0, le=MAX_SAFE_INT)]


class Fact(Base, frozen=True, kw_only=True):
    """Where a fact comes from: its event, certainty and every source behind it."""

    position: Position
    event_id: UUID
    certainty: Certainty
    sources: list[Source]
    source_count: Tally = 0
    attributed_to: Attribution | None = None
    """Whom the sources attribute the claim to, when not to themselves."""
    note: Note | None = None
    """The event's note: what the sources say beside the fact (a caveat, a doubt), shown where the fact is."""


class Claim(Fact, frozen=True, kw_only=True):
    """One report of a fact, with what the claim rule ranks it by (see ``SalesFigure``)."""

    publishers: Tally
    """How many different publishers its sources name (evidence included)."""
    published_on: PartialDate | None
    """The latest publication date of its sources; null when none is dated."""


class CompanyRef(Base, frozen=True):
    company_id: CompanyId
    name: str
