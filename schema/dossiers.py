"""Read models: what is known about a company, as JSON shapes.

Every fact carries ``sources`` (the event's own and those added by ``evidence_added``)
and ``source_count``, so a reader sees how well supported it is.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from schema.base import (
    Base,
    CompanyId,
    PartialDate,
    Position,
)
from schema.events import (
    Location,
    Participant,
    PreviousMeeting,
    StoredEvent,
)
from schema.facts import Claim, CompanyRef, DatedBy, Decision, Fact, PlanStatus, Tally, Version
from schema.figure_models import (
    CountClaim,
    CountFigure,
    CountReport,
    Deliveries,
    JudgedBy,
    OrderFigure,
    Orders,
    PlanBasis,
    PlanClaim,
    PlanItem,
    Plans,
    Production,
    ResultClaim,
    ResultFigure,
    Results,
    ResultsReport,
    SalesClaim,
    SalesFigure,
    SalesReport,
    SalesSeries,
    TargetRevision,
    TargetRevisionClaim,
    TargetStep,
)
from schema.market_models import (
    CapitalRaise,
    CapitalRaiseClaim,
    Listing,
    ListingClaim,
    Price,
    PriceClaim,
    Product,
    ProductLine,
    Products,
)
from schema.profiles import (
    CompanyPage,
    CompanySummary,
    Deal,
    DealClaim,
    DealRole,
    Executive,
    ExecutiveClaim,
    Profile,
)

__all__ = [
    "Deal",
    "DealClaim",
    "DealRole",
    "CapitalRaise",
    "CapitalRaiseClaim",
    "Claim",
    "CountClaim",
    "CountFigure",
    "CountReport",
    "Deliveries",
    "OrderFigure",
    "Orders",
    "Production",
    "ResultClaim",
    "ResultFigure",
    "Results",
    "ResultsReport",
    "TargetRevision",
    "TargetRevisionClaim",
    "TargetStep",
    "CompanyPage",
    "Conflict",
    "ConflictKind",
    "ConflictPage",
    "Conflicts",
    "CompanyRef",
    "CompanySummary",
    "Counterparty",
    "Dossier",
    "Executive",
    "ExecutiveClaim",
    "Fact",
    "Listing",
    "ListingClaim",
    "MarketPosition",
    "MarketPositionClaim",
    "MeetingClaim",
    "MeetingItem",
    "Meetings",
    "PlanClaim",
    "PlanItem",
    "PlanStatus",
    "Plans",
    "Price",
    "PriceClaim",
    "Product",
    "ProductLine",
    "Products",
    "Profile",
    "Relationship",
    "RelationshipClaim",
    "Relationships",
    "JudgedBy",
    "PlanBasis",
    "SalesClaim",
    "SalesFigure",
    "SalesReport",
    "SalesSeries",
    "Timeline",
    "TimelineItem",
]


class MeetingClaim(Claim, frozen=True, kw_only=True):
    """One report of a meeting or visit: what it says beyond who met, when and where."""

    site: str | None = None
    occasion: str | None = None
    topics: list[str] = []
    previous_meeting: PreviousMeeting | None = None


class MeetingItem(Fact, frozen=True, kw_only=True):
    """A meeting the company took part in, or a site visit it made or hosted.

    Reports of the same participants meeting on the same date at the same place are one meeting:
    the item shows the best report by the claim rule, and ``claims`` all of them. What they add
    (a site, topics) completes the meeting, so reports of one meeting are never a dispute.
    """

    kind: Literal["meeting", "site_visit"]
    role: Literal["participant", "visitor", "host"]
    occurred_on: PartialDate
    location: Location
    site: str | None = None
    occasion: str | None = None
    topics: list[str] = []
    participants: list[Participant]
    counterparties: list[CompanyId]
    previous_meeting: PreviousMeeting | None = None
    claims: list[MeetingClaim] = []
    """Every report of this meeting, best first by the rule."""


class Meetings(Base, frozen=True):
    company_id: CompanyId
    version: Version
    items: list[MeetingItem]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


RelationshipStatus = Literal["active", "potential", "ended"]
Standing = Literal["dominant", "leading", "challenger"]


class RelationshipClaim(Claim, frozen=True, kw_only=True):
    """One report of a relationship: its status and the components it names."""

    status: RelationshipStatus
    components: list[str] = []


class Relationship(Fact, frozen=True, kw_only=True):
    """A relationship (supplier, customer, partner, competitor) as the claim rule resolves the reports
    of it: one item per counterparty, kind and direction."""

    counterparty: CompanyId
    kind: Literal["supplies", "partners_with", "competes_with"]
    direction: Literal["outgoing", "incoming"]
    status: RelationshipStatus
    components: list[str] = []
    disputed: bool = False
    """Some report gives another status."""
    decided_by: Decision = "single"
    claims: list[RelationshipClaim] = []
    """Every report of this relationship, best first by the rule."""


class MarketPositionClaim(Claim, frozen=True, kw_only=True):
    """One report of the company's standing in a market."""

    standing: Standing
    peers: list[CompanyId]


class MarketPosition(Fact, frozen=True, kw_only=True):
    """The company's standing in a market and region, as the claim rule resolves the reports of it."""

    market: str
    region: str
    standing: Standing
    peers: list[CompanyId]
    disputed: bool = False
    """Some report gives another standing."""
    decided_by: Decision = "single"
    claims: list[MarketPositionClaim] = []
    """Every report of this standing, best first by the rule."""


class Relationships(Base, frozen=True):
    """Suppliers supply this company; customers are supplied by it."""

    company_id: CompanyId
    version: Version
    suppliers: list[Relationship]
    customers: list[Relationship]
    partners: list[Relationship]
    competitors: list[Relationship]
    market_positions: list[MarketPosition]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


class Counterparty(Base, frozen=True):
    company_id: CompanyId
    name: str
    via: list[str]
    """How they are connected: meeting, site_visit, supplies, partners_with, competes_with, market."""


class TimelineItem(Base, frozen=True):
    occurred_on: PartialDate
    """When it happened as the news dates it; for a fact the news does not date, the earliest
    publication date of its sources, else the day Tidings recorded it (``dated_by`` says which)."""
    dated_by: DatedBy
    source_count: Tally
    event: StoredEvent


class Timeline(Base, frozen=True):
    """Facts by ``occurred_on``, then position. Pass ``next_cursor`` as ``cursor`` to continue."""

    company_id: CompanyId
    version: Version
    items: list[TimelineItem]
    next_cursor: str | None
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


class Dossier(Base, frozen=True):
    """Everything known about one company at ``last_position`` (or at the requested moment)."""

    company_id: CompanyId
    version: Version
    last_position: Tally
    profile: Profile
    counts: dict[str, Tally]
    """Facts per event type (retracted facts excluded)."""
    latest_sales: list[SalesFigure]
    """The figures of the latest period of each granularity (year, quarter, month): a quarter never stands in for a year."""
    latest_results: list[ResultFigure]
    """The financial figures of the latest period of each granularity (year, quarter, month)."""
    open_plans: list[PlanItem]
    """Plans neither met nor missed."""
    counterparties: list[Counterparty]
    latest_prices: list[Price]
    """The latest price of each product, variant and market (every product's prices over time: ``/products``)."""
    capital_raised: list[CapitalRaise]
    """Money it raised, by date (an offering at listing is in its ``listings`` item)."""
    pending_deals: list[Deal] = []
    """Acquisitions it is a party to (acquirer, target or seller) that are announced but neither completed
    nor terminated at the read's point, by announcement date."""
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


ConflictKind = Literal[
    "sales",
    "plan",
    "relationship",
    "executive",
    "market_position",
    "results",
    "orders",
    "deliveries",
    "production",
    "target_revision",
    "price",
    "listing",
    "capital_raise",
    "deal",
]
"""The kinds of fact claims can disagree about, each with the key that makes two reports claims about
the same fact: a sales figure by period, product and measure; a plan by plan_id; a relationship by
counterparty, kind and direction; an executive by person; a market position by market and region; a
financial figure by period, measure and currency (of one status: final or preliminary); orders by
product, kind and period or window; deliveries and production by product and period or window; a target revision by
plan_id and date; a price by product, variant, market, date and currency; a listing by exchange; a capital raise by
kind, date and currency; a deal by acquirer and target."""


class Conflict(Base, frozen=True, kw_only=True):
    """A fact that sources disagree about: every claim, and the one the rule chose (see ``SalesFigure``).

    The field named by ``kind`` holds the fact; the others are null."""

    company_id: CompanyId
    kind: ConflictKind
    latest_position: Position
    """The position of its latest claim: poll with ``since`` for disputes that are new or have new claims."""
    sales: SalesFigure | None = None
    plan: PlanItem | None = None
    relationship: Relationship | None = None
    executive: Executive | None = None
    market_position: MarketPosition | None = None
    results: ResultFigure | None = None
    orders: OrderFigure | None = None
    deliveries: CountFigure | None = None
    production: CountFigure | None = None
    target_revision: TargetRevision | None = None
    price: Price | None = None
    listing: Listing | None = None
    capital_raise: CapitalRaise | None = None
    deal: Deal | None = None


class Conflicts(Base, frozen=True):
    """A company's open disputes: facts with claims that disagree with the chosen one."""

    company_id: CompanyId
    version: Version
    items: list[Conflict]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


class ConflictPage(Base, frozen=True):
    """Open disputes across the store, by company id. Pass ``next_cursor`` as ``cursor``; null at the end.

    A page ends at a company boundary: it holds every dispute of each company on it, so it may hold
    a few more than ``limit``.
    """

    items: list[Conflict]
    next_cursor: str | None
