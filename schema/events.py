"""The event catalogue: one Struct per event type, the union ``Event``, and the stored envelope.

Tags are written by hand and never change once events carrying them are stored; the
catalogue grows by adding types. Rules that a single field's type cannot say (at least
two distinct participants, a revenue target needs a currency, ...) are the ``rules`` of their
Struct (schema/rules.py): every decoder enforces them, and the JSON Schema states those it can.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from msgspec import Meta

from schema.base import (
    END,
    Base,
    Certainty,
    CompanyId,
    Count,
    CountryCode,
    CurrencyCode,
    DecimalAmount,
    EventId,
    Label,
    LanguageTag,
    Money,
    Name,
    Note,
    PartialDate,
    Percent,
    Period,
    PersonId,
    PlanId,
    Position,
    SignedMoney,
    Source,
    Ticker,
)
from schema.declarations import Catalogue, Declared
from schema.rules import Rule, Ruled, absent, all_of, at_least_one, given

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

Labels = Annotated[list[Label], Meta(max_length=50)]


def _distinct(values: Iterable[str]) -> int:
    return len(set(values))


class Attribution(Ruled, Base, frozen=True):
    """Whom a claim is attributed to: a person, a company, or a described group ("analysts").

    Ids are given as the news names them and need not be registered: an attribution may name an
    analyst firm or a person Tidings does not follow. At least one field is set."""

    person_id: PersonId | None = None
    company_id: CompanyId | None = None
    group: Name | None = None
    """A described group, such as "analysts" or "people familiar with the matter"."""

    rules = (
        Rule(
            "empty_attribution",
            "",
            "an attribution names a person_id, a company_id or a group",
            lambda a: a.person_id is None and a.company_id is None and a.group is None,
            at_least_one("person_id", "company_id", "group"),
        ),
    )


class PreviousMeeting(Ruled, Base, frozen=True):
    """What the news says of the participants' meeting before this one ("the first in seven years")."""

    occurred_on: PartialDate | None = None
    years_before: Annotated[int, Meta(ge=0, le=1000)] | None = None
    """How many years before this meeting it was, where the news says only that."""
    description: Note | None = None

    rules = (
        Rule(
            "empty_previous_meeting",
            "",
            "a previous meeting gives occurred_on, years_before or a description",
            lambda p: p.occurred_on is None and p.years_before is None and p.description is None,
            at_least_one("occurred_on", "years_before", "description"),
        ),
    )


class EventBase(Declared, Base, frozen=True, kw_only=True, tag_field="type"):
    """Fields common to every event type; the class variables of ``Declared`` say what the rest of
    Tidings must know of each type (see schema.declarations)."""

    summary: ClassVar[str] = ""

    id: EventId | None = None
    """Client-chosen idempotency key; the server assigns a UUIDv7 when absent."""
    sources: Annotated[list[Source], Meta(min_length=1, max_length=20)]
    certainty: Certainty = "reported"
    note: Note | None = None
    attributed_to: Attribution | None = None
    """Whom the sources attribute the claim to, when not to themselves."""


class Location(Base, frozen=True):
    """Where something happened."""

    country: CountryCode
    city: Name | None = None
    site: Name | None = None


class Participant(Base, frozen=True):
    """A company, and optionally the person who represented it."""

    company_id: CompanyId
    person_id: PersonId | None = None


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
                _distinct(p.company_id for p in m.participants) < 2
                and _distinct(p.person_id for p in m.participants if p.person_id is not None) < 2
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


_ZERO = r"^0(?:\.0{1,6})?$"
"""The ways a ``DecimalAmount`` writes zero (it has no leading zeros and at most six decimals)."""


def _positive(path: str, what: str, *, required: bool) -> Rule:
    """The rule that the money at ``path`` (``price``, ``offer_price``) is more than zero."""

    def broken(event: object) -> bool:
        money = getattr(event, path)
        return money is not None and Decimal(money.amount) == 0

    # Said as "not (an object whose amount is zero)", the form of the plan rules: a branch that names
    # only ``amount`` of the money would read to example validators as if currency were unknown there.
    zero = {"type": "object", "required": ["amount"], "properties": {"amount": {"pattern": _ZERO}}}
    schema = {"not": {"required": [path], "properties": {path: zero}}}
    return Rule(
        "not_positive",
        f"{path}.amount",
        f"{what} is more than zero" + ("" if required else " (leave it out when the news gives none)"),
        broken,
        (schema,),
    )


class PriceAnnounced(Ruled, EventBase, frozen=True, kw_only=True, tag="price_announced"):
    """A company announced the price of a product (or one variant of it) in a market.

    ``from_price`` marks a price the news gives as the lowest of a range ("from CNY 215,900"): the
    entry price of the cheapest configuration. A later price for the same product, variant and market
    is a price change, not a dispute: prices are kept per date."""

    summary: ClassVar[str] = "A product's price in a market"
    names = ("company_id",)
    dated_by = "announced_on"

    company_id: CompanyId
    product: Name
    """The product as its launch names it (``product_launched``), so the two are shown together."""
    variant: Name | None = None
    """The version, trim or configuration the price is for ("Standard", "Pro", "Max"); null: the product as such."""
    market: Name
    """Where the price applies, as the news names it: a country or region ("China", "Europe")."""
    price: Money
    from_price: bool = False
    """True when the price is the lowest of a range ("from CNY 215,900")."""
    announced_on: PartialDate
    """When the price was announced (or took effect, where the news says only that)."""

    rules = (_positive("price", "a price", required=True),)


class SalesReported(Ruled, EventBase, frozen=True, kw_only=True, tag="sales_reported"):
    """Units sold and/or revenue for a period, for the company or one of its products."""

    summary: ClassVar[str] = "Units sold and revenue for a period"
    names = ("company_id",)
    dated_by = "period"

    company_id: CompanyId
    period: Period
    product: Name | None = None
    units: Count | None = None
    revenue: Money | None = None

    rules = (
        Rule(
            "units_or_revenue",
            "units",
            "a sales report needs units or revenue, or both",
            lambda s: s.units is None and s.revenue is None,
            at_least_one("units", "revenue"),
        ),
    )


class PlanTarget(Base, frozen=True):
    """The figure a plan aims at: units (no currency) or revenue (with a currency); ``approximate``
    when the news gives a rounded figure ("about 4.6 million")."""

    value: DecimalAmount
    currency: CurrencyCode | None = None
    approximate: bool = False


PlanMetric = Literal["units_produced", "units_sold", "units_delivered", "revenue"]
"""What a plan's target counts; a plan is judged only by figures of its own metric (production by
production, units sold by sales, deliveries by deliveries_reported, revenue by revenue)."""
UNIT_METRICS = ("units_produced", "units_sold", "units_delivered")


class PlanAnnounced(Ruled, EventBase, frozen=True, kw_only=True, tag="plan_announced"):
    """A company announced what it intends to do by a due period."""

    summary: ClassVar[str] = "A plan with an optional measurable target"
    names = ("company_id",)

    plan_id: PlanId
    company_id: CompanyId
    kind: Literal["production", "expansion", "investment", "partnership", "other"]
    description: Annotated[Note, Meta(min_length=1)]
    metric: PlanMetric | None = None
    target: PlanTarget | None = None
    due: Period

    rules = (
        Rule(
            "target_needs_metric",
            "metric",
            "a plan with a target needs a metric: units_produced, units_sold, units_delivered or revenue",
            lambda p: p.target is not None and p.metric is None,
            ({"not": all_of(given("target"), absent("metric"))},),
        ),
        Rule(
            "target_currency",
            "target.currency",
            "a revenue target needs a currency",
            lambda p: p.target is not None and p.metric == "revenue" and p.target.currency is None,
            (
                {
                    "not": all_of(
                        {"required": ["target", "metric"]},
                        {
                            "properties": {
                                "metric": {"const": "revenue"},
                                "target": {"type": "object", **absent("currency")},
                            }
                        },
                    )
                },
            ),
        ),
        Rule(
            "target_currency",
            "target.currency",
            "a units target has no currency: leave it out, or make the metric revenue",
            lambda p: p.target is not None and p.metric not in (None, "revenue") and p.target.currency is not None,
            (
                {
                    "not": all_of(
                        {"required": ["target", "metric"]},
                        {
                            "properties": {
                                "metric": {"enum": list(UNIT_METRICS)},
                                "target": {"type": "object", **given("currency")},
                            }
                        },
                    )
                },
            ),
        ),
    )


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


MeasureName = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern=rf"^[a-z0-9]+(?:_[a-z0-9]+)*{END}",
        description=(
            "What a financial figure measures, in snake_case: revenue, operating_profit, net_income, "
            "gross_profit, ebitda, or another measure by name."
        ),
        examples=["operating_profit"],
    ),
]


class FinancialMeasure(Base, frozen=True):
    """One figure of a company's results: what it measures, its amount (negative for a loss), and
    its change against the same period a year before, in percent, where the news gives it."""

    measure: MeasureName
    value: SignedMoney
    change_yoy: Percent | None = None
    """Year-on-year change in percent (31.8 for +31.8 %), as reported."""


class ResultsReported(Ruled, EventBase, frozen=True, kw_only=True, tag="results_reported"):
    """A company's financial results for a period: revenue, profits and other measures, preliminary
    (guidance, an early estimate) or final. Never unit sales: those are ``sales_reported``."""

    summary: ClassVar[str] = "Financial results for a period (revenue, profits), preliminary or final"
    names = ("company_id",)
    dated_by = "period"

    company_id: CompanyId
    period: Period
    status: Literal["preliminary", "final"]
    measures: Annotated[list[FinancialMeasure], Meta(min_length=1, max_length=50)]
    announced_on: PartialDate | None = None
    """When the company announced them."""
    reasons: Annotated[list[Name], Meta(max_length=20)] = []
    """The reasons the company or the news gives for the figures ("strong memory chip demand")."""

    rules = (
        Rule(
            "repeated_measure",
            "measures",
            "each measure appears once per currency",
            lambda r: len({(m.measure, m.value.currency) for m in r.measures}) < len(r.measures),
        ),
    )


class Window(Base, frozen=True):
    """A stretch of time counted from a day: "within 18 hours" of a launch on 2025-06-26."""

    length: Annotated[int, Meta(ge=1, le=100000)]
    unit: Literal["minutes", "hours", "days", "weeks"]
    starting_on: PartialDate
    """The day the count began (a launch, the opening of orders)."""


OrderKind = Literal["reservation", "firm", "locked", "unspecified"]

_PERIOD_OR_WINDOW = (
    Rule(
        "period_or_window",
        "period",
        "a count needs a period, a window, or both (the window within the period)",
        lambda c: c.period is None and c.window is None,
        at_least_one("period", "window"),
    ),
)


def _counted_on(counted: OrdersReported | DeliveriesReported | ProductionReported) -> str | None:
    """The date a count concerns: its period, or the day its window began."""
    return counted.period if counted.window is None else counted.window.starting_on


class OrdersReported(Ruled, EventBase, frozen=True, kw_only=True, tag="orders_reported"):
    """Orders taken (reservations, firm or locked orders) in a period or within a window after a day:
    demand, never units sold, delivered or produced."""

    summary: ClassVar[str] = "Orders taken in a period or within a window (never sales)"
    names = ("company_id",)
    dated_by = "period"
    """Or, for a count within a window, the day the window began (``dated``)."""

    company_id: CompanyId
    product: Name | None = None
    count: Count
    kind: OrderKind = "unspecified"
    """reservation: a refundable deposit; firm: a non-refundable deposit; locked: the configuration
    confirmed for production; unspecified: the news does not say."""
    period: Period | None = None
    window: Window | None = None

    rules = _PERIOD_OR_WINDOW

    def dated(self) -> str | None:
        return _counted_on(self)


class DeliveriesReported(Ruled, EventBase, frozen=True, kw_only=True, tag="deliveries_reported"):
    """Vehicles or products delivered to customers in a period or within a window after a day."""

    summary: ClassVar[str] = "Deliveries to customers in a period or within a window"
    names = ("company_id",)
    dated_by = "period"
    """Or, for a count within a window, the day the window began (``dated``)."""

    company_id: CompanyId
    product: Name | None = None
    count: Count
    period: Period | None = None
    window: Window | None = None

    rules = _PERIOD_OR_WINDOW

    def dated(self) -> str | None:
        return _counted_on(self)


class ProductionReported(Ruled, EventBase, frozen=True, kw_only=True, tag="production_reported"):
    """Vehicles or products made in a period or within a window after a day: what ``units_produced`` plans are judged by."""

    summary: ClassVar[str] = "Units produced in a period or within a window"
    names = ("company_id",)
    dated_by = "period"
    """Or, for a count within a window, the day the window began (``dated``)."""

    company_id: CompanyId
    product: Name | None = None
    count: Count
    period: Period | None = None
    window: Window | None = None

    rules = _PERIOD_OR_WINDOW

    def dated(self) -> str | None:
        return _counted_on(self)


class TargetRevised(Ruled, EventBase, frozen=True, kw_only=True, tag="target_revised"):
    """A company changed the target of a plan it had announced (``plan_id``): the old and the new figure,
    and when. The plan is judged by its latest target known at the read's point. A revision of a plan
    no ``plan_announced`` names is on the timeline and in ``/conflicts``, not in ``/plans``."""

    summary: ClassVar[str] = "A plan's target raised or cut"
    names = ("company_id",)
    dated_by = "revised_on"

    plan_id: PlanId
    company_id: CompanyId
    revised_on: PartialDate
    target: PlanTarget
    """The new target."""
    previous: PlanTarget | None = None
    """The target before, as the news gives it."""
    due: Period | None = None
    """A new due period, when the revision moves it."""
    reason: Note | None = None

    rules = (
        Rule(
            "target_currency",
            "previous.currency",
            "the previous and the new target count the same thing: both in one currency, or both without",
            lambda t: t.previous is not None and t.previous.currency != t.target.currency,
        ),
    )


class ListingCompleted(Ruled, EventBase, frozen=True, kw_only=True, tag="listing_completed"):
    """A company's shares began trading on an exchange (an IPO, or a second listing)."""

    summary: ClassVar[str] = "A stock-market listing with its exchange and ticker"
    names = ("company_id",)
    dated_by = "listed_on"

    company_id: CompanyId
    exchange: Name
    """The exchange as the news names it, such as HKEX or Hong Kong Stock Exchange."""
    ticker: Ticker
    listed_on: PartialDate
    """The first day of trading."""
    offer_price: Money | None = None
    """The price per share of the offering, where there was one."""
    shares_offered: Count | None = None
    """How many shares the offering sold, where the news says."""
    amount_raised: Money | None = None
    """What the offering raised, as the news gives it (gross unless the note says otherwise)."""

    rules = (
        _positive("offer_price", "an offer price", required=False),
        _positive("amount_raised", "an amount raised", required=False),
    )


class CapitalRaised(Ruled, EventBase, frozen=True, kw_only=True, tag="capital_raised"):
    """A company raised money: a share placement, a rights issue, a bond, a funding round."""

    summary: ClassVar[str] = "Money a company raised, how and when"
    names = ("company_id",)
    dated_by = "raised_on"

    company_id: CompanyId
    kind: Literal[
        "share_placement",
        "rights_issue",
        "public_offering",
        "private_round",
        "bonds",
        "convertible_bonds",
        "loan",
        "other",
    ]
    raised_on: PartialDate
    """When the raise was completed (or priced, where the news says only that)."""
    amount: Money
    """What it raised, as the news gives it (gross unless the note says otherwise)."""
    shares: Count | None = None
    """How many shares it issued or placed, where the news says."""
    price_per_share: Money | None = None

    rules = (
        _positive("amount", "an amount raised", required=True),
        _positive("price_per_share", "a price per share", required=False),
    )


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


# Deals

_STAKE_ZERO = r"^0(?:\.0{1,4})?$"

Stake = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=8,
        pattern=rf"^(?:100(?:\.0{{1,4}})?|[1-9]?[0-9](?:\.[0-9]{{1,4}})?){END}",
        description="A share of a company in percent, more than 0 and at most 100, as a decimal string (at most 4 decimals).",
        examples=["100"],
    ),
]

_STAKE_RULE = Rule(
    "stake_range",
    "stake_percent",
    "a stake is more than 0 and at most 100 percent (leave it out for the whole company)",
    lambda d: d.stake_percent is not None and Decimal(d.stake_percent) == 0,
    (
        {
            "not": {
                "required": ["stake_percent"],
                "properties": {"stake_percent": {"type": "string", "maxLength": 10, "pattern": _STAKE_ZERO}},
            }
        },
    ),
)
_OWN_TARGET = Rule(
    "own_acquisition",
    "target_company_id",
    "a company cannot acquire itself: the acquirer and the target differ",
    lambda d: d.acquirer_company_id == d.target_company_id,
)
_SELLER_PARTY = Rule(
    "seller_is_party",
    "seller_ids",
    "a seller is neither the acquirer nor the target",
    lambda d: d.acquirer_company_id in d.seller_ids or d.target_company_id in d.seller_ids,
)
Sellers = Annotated[list[CompanyId], Meta(max_length=20)]


class AcquisitionAnnounced(Ruled, EventBase, frozen=True, kw_only=True, tag="acquisition_announced"):
    """A company announced it will acquire another (or a stake in it), from its sellers, at a price.

    The deal is pending on the dossier of every party (acquirer, target, sellers) until an
    ``acquisition_completed`` or ``acquisition_terminated`` names it by ``announcement_id``."""

    summary: ClassVar[str] = "An agreed acquisition: acquirer, target, sellers, stake and price"
    names = ("acquirer_company_id", "target_company_id", "seller_ids[]")
    dated_by = "announced_on"

    acquirer_company_id: CompanyId
    target_company_id: CompanyId
    seller_ids: Sellers = []
    """The companies selling (a private-equity owner, a parent); empty when the news names none."""
    stake_percent: Stake | None = None
    """The share of the target acquired; null: the whole company."""
    price: Money | None = None
    """The price as the news gives it (``approximate`` for "about EUR 1.5 billion")."""
    announced_on: PartialDate
    expected_completion: PartialDate | None = None
    """When the parties expect to complete, as the news says ("by the end of 2025": 2025)."""

    rules = (
        _OWN_TARGET,
        _SELLER_PARTY,
        _STAKE_RULE,
        _positive("price", "a price", required=False),
    )


class AcquisitionCompleted(Ruled, EventBase, frozen=True, kw_only=True, tag="acquisition_completed"):
    """An acquisition closed: from ``completed_on`` a stake of more than 50 % (or the whole company: no
    stake given) makes the acquirer the target's parent.

    ``announcement_id`` names the ``acquisition_announced`` it completes: the deal leaves the pending
    deals of its parties, and the announcement's sellers lose the target as a subsidiary."""

    summary: ClassVar[str] = "A completed acquisition: the acquirer becomes the parent of a majority stake"
    names = ("acquirer_company_id", "target_company_id", "seller_ids[]")
    dated_by = "completed_on"
    links = ("announcement_id", "acquisition_announced")

    announcement_id: EventId | None = None
    """The id of the ``acquisition_announced`` event it completes, where one is recorded."""
    acquirer_company_id: CompanyId
    target_company_id: CompanyId
    seller_ids: Sellers = []
    """The sellers, where the announcement does not name them (its sellers count too)."""
    stake_percent: Stake | None = None
    """The share of the target acquired; null: the whole company."""
    price: Money | None = None
    completed_on: PartialDate
    """The effective date: from it the acquirer owns the stake."""

    rules = (
        _OWN_TARGET,
        _SELLER_PARTY,
        _STAKE_RULE,
        _positive("price", "a price", required=False),
    )


class AcquisitionTerminated(EventBase, frozen=True, kw_only=True, tag="acquisition_terminated"):
    """An announced acquisition was abandoned or blocked: it leaves the pending deals of its parties
    and changes no parent."""

    summary: ClassVar[str] = "An announced acquisition called off"
    dated_by = "terminated_on"
    links = ("announcement_id", "acquisition_announced")

    announcement_id: EventId
    """The id of the ``acquisition_announced`` event it ends."""
    terminated_on: PartialDate
    reason: Annotated[Note, Meta(min_length=1)]
    """Why, as the news says ("regulatory opposition in the EU")."""


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


IdentifierScheme = Literal["ticker", "isin", "lei", "wikidata", "name"]
"""ticker: a listing's symbol on ``exchange``; isin: ISO 6166; lei: ISO 17442; wikidata: a Q-id; name:
the company's name in another language (``language``)."""

_SCHEME_PATTERNS = {
    "isin": r"^[A-Z]{2}[A-Z0-9]{9}[0-9]$",
    "lei": r"^[A-Z0-9]{18}[0-9]{2}$",
    "wikidata": r"^Q[1-9][0-9]{0,11}$",
    "ticker": r"^[A-Za-z0-9][A-Za-z0-9.:-]{0,19}$",
}
_SCHEME_WORDS = {
    "isin": "an ISIN is 12 characters: two letters, nine letters or digits and a check digit (KR7005930003)",
    "lei": "an LEI is 20 characters: 18 letters or digits and two check digits",
    "wikidata": "a Wikidata id is Q and a number (Q20718)",
    "ticker": "a ticker is letters, digits, dots, colons and hyphens, at most 20 (005930, BRK.B)",
}


def _digits(value: str) -> str:
    """Letters as numbers (A=10 … Z=35), as ISIN and LEI check digits read them."""
    return "".join(str(int(char, 36)) for char in value)


def _isin_checked(value: str) -> bool:
    """The Luhn check of an ISIN's digits (letters expanded) holds."""
    total = 0
    for index, char in enumerate(reversed(_digits(value))):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


_COMPILED = {scheme: re.compile(pattern.removesuffix("$") + END) for scheme, pattern in _SCHEME_PATTERNS.items()}


def _formed(scheme: str, value: str) -> bool:
    """Whether ``value`` has the form of an identifier of ``scheme``."""
    return _COMPILED[scheme].match(value) is not None


def _scheme_rule(scheme: str) -> Rule:
    return Rule(
        "identifier_format",
        "value",
        _SCHEME_WORDS[scheme],
        lambda i: i.scheme == scheme and not _formed(scheme, i.value),
        (
            {
                "not": {
                    "required": ["scheme", "value"],
                    "properties": {
                        "scheme": {"const": scheme},
                        "value": {"not": {"pattern": _SCHEME_PATTERNS[scheme]}},
                    },
                }
            },
        ),
    )


def _only_with(field_name: str, scheme: str, what: str) -> tuple[Rule, Rule]:
    """``field_name`` is given for ``scheme`` and for no other."""
    is_scheme = {"required": ["scheme"], "properties": {"scheme": {"const": scheme}}}
    other = {"required": ["scheme"], "properties": {"scheme": {"not": {"const": scheme}}}}
    return (
        Rule(
            "identifier_needs",
            field_name,
            f"a {scheme} identifier needs its {what}",
            lambda i: i.scheme == scheme and getattr(i, field_name) is None,
            ({"not": all_of(is_scheme, absent(field_name))},),
        ),
        Rule(
            "identifier_needs",
            field_name,
            f"only a {scheme} identifier has a {field_name}",
            lambda i: i.scheme != scheme and getattr(i, field_name) is not None,
            ({"not": all_of(other, given(field_name))},),
        ),
    )


class IdentifierAdded(Ruled, EventBase, frozen=True, kw_only=True, tag="identifier_added"):
    """A company is known by an identifier: a ticker on an exchange, an ISIN, an LEI, a Wikidata id, or its
    name in another language. Shown on its profile; names in other languages are searched like aliases."""

    summary: ClassVar[str] = "A ticker, ISIN, LEI, Wikidata id or other-language name of a company"
    names = ("company_id",)

    company_id: CompanyId
    scheme: IdentifierScheme
    value: Annotated[Name, Meta(examples=["005930"])]
    """The identifier as written: a ticker as the exchange lists it ("005930"), an ISIN, a name."""
    exchange: Name | None = None
    """For a ticker: the exchange that lists it (KRX, HKEX)."""
    language: LanguageTag | None = None
    """For a name: the language it is in (ko, zh-Hans)."""

    rules = (
        *(_scheme_rule(scheme) for scheme in _SCHEME_PATTERNS),
        Rule(
            "check_digit",
            "value",
            "the ISIN's check digit does not match its first eleven characters",
            lambda i: i.scheme == "isin" and _formed("isin", i.value) and not _isin_checked(i.value),
        ),
        Rule(
            "check_digit",
            "value",
            "the LEI's check digits do not match (ISO 17442: the number it reads as leaves 1 divided by 97)",
            lambda i: i.scheme == "lei" and _formed("lei", i.value) and int(_digits(i.value)) % 97 != 1,
        ),
        *_only_with("exchange", "ticker", "exchange"),
        *_only_with("language", "name", "language"),
    )


class CompanyRenamed(EventBase, frozen=True, kw_only=True, tag="company_renamed"):
    """A company took a new name from a date; the old one becomes a former name. A profile read at a point
    shows the name in effect then."""

    summary: ClassVar[str] = "A company's new name from a date"
    names = ("company_id",)
    dated_by = "effective_on"

    company_id: CompanyId
    name: Name
    """The new name."""
    effective_on: PartialDate
    previous_name: Name | None = None
    """The name before, as the news gives it (else the name in effect before ``effective_on``)."""


class ProfileUpdated(Ruled, EventBase, frozen=True, kw_only=True, tag="profile_updated"):
    """What changed in a company's profile, without restating the rest: sectors and aliases added or
    removed, a new country. Unnamed fields keep their values."""

    summary: ClassVar[str] = "Sectors, aliases or country of a company changed"
    names = ("company_id",)

    company_id: CompanyId
    sectors_added: Labels = []
    sectors_removed: Labels = []
    aliases_added: Labels = []
    aliases_removed: Labels = []
    country: CountryCode | None = None
    """The new country, when it changed."""

    rules = (
        Rule(
            "empty_update",
            "",
            "a profile update changes something: sectors or aliases added or removed, or the country",
            lambda p: not (p.sectors_added or p.sectors_removed or p.aliases_added or p.aliases_removed or p.country),
            (
                {
                    "anyOf": [
                        *(
                            {"required": [name], "properties": {name: {"minItems": 1}}}
                            for name in ("sectors_added", "sectors_removed", "aliases_added", "aliases_removed")
                        ),
                        given("country"),
                    ]
                },
            ),
        ),
    )


CATALOGUE = Catalogue.of_module(globals(), EventBase)
"""Every event type above, in the order written: the one list everything else is derived from."""

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
