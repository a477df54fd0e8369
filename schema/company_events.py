"""Events about a company and its people: registration, executives (reported, appointed, departed),
meetings, site visits, product launches, relationships and market positions."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from msgspec import Meta

from schema.base import (
    CompanyId,
    CountryCode,
    Label,
    Name,
    Note,
    PartialDate,
    PersonId,
)
from schema.event_base import EventBase, Labels, Location, Participant, PreviousMeeting, distinct
from schema.rules import Rule, Ruled

__all__ = [
    "CompanyRegistered",
    "ExecutiveAppointed",
    "ExecutiveDeparted",
    "ExecutiveReported",
    "MarketPositionReported",
    "MeetingHeld",
    "ProductLaunched",
    "RelationshipReported",
    "SiteVisited",
]


class CompanyRegistered(Ruled, EventBase, frozen=True, kw_only=True, tag="company_registered"):
    """A company becomes known to Tidings, once: later changes are ``profile_updated``, ``company_renamed`` and
    ``identifier_added`` (a store that holds a second registration from before reads the latest)."""

    summary: ClassVar[str] = "A company and its profile"
    names = ("company_id", "parent_id")
    registers = "company_id"
    retractable = False

    company_id: CompanyId
    name: Name
    aliases: Labels = []
    country: CountryCode
    sectors: Labels = []
    parent_id: CompanyId | None = None

    rules = (
        Rule("own_parent", "parent_id", "a company cannot be its own parent", lambda c: c.parent_id == c.company_id),
    )


class ExecutiveReported(EventBase, frozen=True, kw_only=True, tag="executive_reported"):
    """A person holds a role at a company."""

    summary: ClassVar[str] = "A person's role at a company"
    names = ("company_id",)
    persons = ("person_id",)

    person_id: PersonId
    name: Name
    company_id: CompanyId
    role: Name


class MeetingHeld(Ruled, EventBase, frozen=True, kw_only=True, tag="meeting_held"):
    """Representatives of companies met."""

    summary: ClassVar[str] = "A meeting between companies or their people"
    names = ("participants[].company_id",)
    persons = ("participants[].person_id",)
    dated_by = "occurred_on"

    occurred_on: PartialDate
    location: Location
    participants: Annotated[list[Participant], Meta(min_length=2, max_length=50)]
    occasion: Name | None = None
    topics: Labels = []
    previous_meeting: PreviousMeeting | None = None

    rules = (
        Rule(
            "distinct_participants",
            "participants",
            "a meeting needs at least two distinct companies or two distinct persons",
            lambda m: (
                distinct(p.company_id for p in m.participants) < 2
                and distinct(p.person_id for p in m.participants if p.person_id is not None) < 2
            ),
        ),
    )


class SiteVisited(Ruled, EventBase, frozen=True, kw_only=True, tag="site_visited"):
    """Someone from one company visited a site of another."""

    summary: ClassVar[str] = "A visit to another company's site"
    names = ("visitor.company_id", "host_company_id")
    persons = ("visitor.person_id",)
    dated_by = "occurred_on"

    occurred_on: PartialDate
    visitor: Participant
    host_company_id: CompanyId
    site: Name
    location: Location

    rules = (
        Rule(
            "same_company",
            "host_company_id",
            "a site visit is to another company's site",
            lambda v: v.visitor.company_id == v.host_company_id,
        ),
    )


class ProductLaunched(EventBase, frozen=True, kw_only=True, tag="product_launched"):
    """A company launched a product."""

    summary: ClassVar[str] = "A product launch"
    names = ("company_id",)
    dated_by = "launched_on"

    company_id: CompanyId
    product: Name
    category: Label
    launched_on: PartialDate


class RelationshipReported(Ruled, EventBase, frozen=True, kw_only=True, tag="relationship_reported"):
    """One company supplies, partners with or competes with another."""

    summary: ClassVar[str] = "A supply, partnership or competition between two companies"
    names = ("from_company_id", "to_company_id")

    from_company_id: CompanyId
    to_company_id: CompanyId
    kind: Literal["supplies", "partners_with", "competes_with"]
    status: Literal["active", "potential", "ended"]
    components: Labels = []

    rules = (
        Rule(
            "same_company",
            "to_company_id",
            "a relationship is between two different companies",
            lambda r: r.from_company_id == r.to_company_id,
        ),
    )


class MarketPositionReported(EventBase, frozen=True, kw_only=True, tag="market_position_reported"):
    """Companies hold a position in a market and region."""

    summary: ClassVar[str] = "Companies' position in a market"
    names = ("company_ids[]",)

    company_ids: Annotated[list[CompanyId], Meta(min_length=1, max_length=50)]
    market: Name
    region: Name
    position: Literal["dominant", "leading", "challenger"]


# People over time and identity


class ExecutiveAppointed(EventBase, frozen=True, kw_only=True, tag="executive_appointed"):
    """A person took up a role at a company from a date. The role current at a read's point is the one
    whose date is latest on or before it, whatever the order the appointments were recorded in; an
    appointment ends the person's earlier role at the company (``previous_role`` names it)."""

    summary: ClassVar[str] = "A person appointed to a role from a date"
    names = ("company_id",)
    persons = ("person_id", "replaces")
    dated_by = "effective_on"

    company_id: CompanyId
    person_id: PersonId
    name: Name
    role: Name
    effective_on: PartialDate
    """When the person took up the role."""
    previous_role: Name | None = None
    """The person's role at the company before this one, which ends on ``effective_on``."""
    replaces: PersonId | None = None
    """Whom the person succeeds: their role at the company ends on ``effective_on``."""


class ExecutiveDeparted(EventBase, frozen=True, kw_only=True, tag="executive_departed"):
    """A person left a role at a company on a date (resigned, retired, dismissed, term ended)."""

    summary: ClassVar[str] = "A person left a role on a date"
    names = ("company_id",)
    persons = ("person_id",)
    dated_by = "effective_on"

    company_id: CompanyId
    person_id: PersonId
    name: Name | None = None
    role: Name
    effective_on: PartialDate
    """The last day (or the month, the year) the person held the role."""
    reason: Note | None = None
