"""Read models: what is known about a company, as JSON shapes.

Every fact carries ``sources`` (the event's own and those added by ``evidence_added``)
and ``source_count``, so a reader sees how well supported it is.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta

from schema.base import (
    MAX_SAFE_INT,
    Base,
    Certainty,
    CompanyId,
    Count,
    CountryCode,
    DecimalAmount,
    Money,
    Note,
    PartialDate,
    Period,
    PersonId,
    Position,
    SignedMoney,
    Source,
)
from schema.events import (
    Attribution,
    FinancialMeasure,
    Location,
    OrderKind,
    Participant,
    PlanTarget,
    PreviousMeeting,
    Stake,
    StoredEvent,
    Window,
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


class ExecutiveClaim(Claim, frozen=True, kw_only=True):
    """One report of a person's role at the company."""

    name: str
    role: str


class Tenure(Base, frozen=True, kw_only=True):
    """One role a person held at a company, from ``executive_appointed`` and ``executive_departed`` (or a
    successor's appointment that ``replaces`` them), as the effective dates order them."""

    role: str
    started_on: PartialDate | None
    """When the person took up the role; null when only its end is known (a ``previous_role``, a departure)."""
    ended_on: PartialDate | None
    """When the role ended: a departure, the person's next appointment, or a successor's; null while it lasts."""
    current: bool
    """Held on the read's day: the day of ``as_of``; else, in a dossier read at ``at_position``, the day that
    position was recorded; else today."""
    replaces: PersonId | None = None
    """Whom the person succeeded in the role."""
    replaced_by: PersonId | None = None
    """Who succeeded the person, where a successor's appointment says so."""
    reason: str | None = None
    """Why the role ended, as the departure gives it."""
    position: Position
    """The position of the report that opened the role (or, without one, that ended it)."""


class Executive(Fact, frozen=True, kw_only=True):
    """A person's role at the company: the claim the rule chose among the reports about this person.

    With dated reports (``executive_appointed``, ``executive_departed``) the role is the one in effect at
    the read's point in time by effective date, whatever the order the reports were recorded in;
    ``tenures`` lists every dated role with its start and end. An undated ``executive_reported`` is a role
    without dates (``current`` true, ``started_on`` and ``ended_on`` null)."""

    person_id: PersonId
    name: str
    role: str
    current: bool = True
    """Whether the person holds ``role`` at the read's point in time."""
    started_on: PartialDate | None = None
    ended_on: PartialDate | None = None
    tenures: list[Tenure] = []
    """Every dated role of the person at the company, oldest first."""
    disputed: bool = False
    """Some report names another role (compared without case or spacing)."""
    decided_by: Decision = "single"
    claims: list[ExecutiveClaim] = []
    """Every report about this person at this company, best first by the rule."""


class Product(Fact, frozen=True, kw_only=True):
    product: str
    category: str
    launched_on: PartialDate


class PriceClaim(Claim, frozen=True, kw_only=True):
    """One report of a price."""

    price: Money
    from_price: bool = False


class Price(Fact, frozen=True, kw_only=True):
    """A product's price in a market from a date, as the claim rule resolves the reports of it.

    Reports of one product, variant and market on the same date in the same currency are claims
    about one price (product, variant and market compared without case or spacing); they disagree
    when their amounts do (within 2 % when either is approximate). A price on another date is a
    price change, listed beside the earlier one."""

    product: str
    variant: str | None = None
    market: str
    price: Money
    from_price: bool = False
    """The lowest price of a range ("from CNY 215,900")."""
    announced_on: PartialDate
    disputed: bool = False
    """Some report gives another amount."""
    decided_by: Decision = "single"
    claims: list[PriceClaim] = []
    """Every report of this price, best first by the rule."""


class ListingClaim(Claim, frozen=True, kw_only=True):
    """One report of a listing."""

    ticker: str
    listed_on: PartialDate
    offer_price: Money | None = None
    shares_offered: Count | None = None
    amount_raised: Money | None = None


class Listing(Fact, frozen=True, kw_only=True):
    """The company's shares on an exchange, as the claim rule resolves the reports of that listing.

    Reports of a listing on one exchange (compared without case or spacing) are claims about one
    listing; they disagree on the ticker, the date, or an amount both give."""

    exchange: str
    ticker: str
    listed_on: PartialDate
    offer_price: Money | None = None
    shares_offered: Count | None = None
    amount_raised: Money | None = None
    disputed: bool = False
    decided_by: Decision = "single"
    claims: list[ListingClaim] = []
    """Every report of this listing, best first by the rule."""


class CapitalRaiseClaim(Claim, frozen=True, kw_only=True):
    """One report of money raised."""

    amount: Money
    shares: Count | None = None
    price_per_share: Money | None = None


class CapitalRaise(Fact, frozen=True, kw_only=True):
    """Money the company raised, as the claim rule resolves the reports of it.

    Reports of the same kind of raise on the same date in the same currency are claims about one
    raise; they disagree when their amounts do (within 2 % when either is approximate)."""

    kind: str
    raised_on: PartialDate
    amount: Money
    shares: Count | None = None
    price_per_share: Money | None = None
    disputed: bool = False
    decided_by: Decision = "single"
    claims: list[CapitalRaiseClaim] = []
    """Every report of this raise, best first by the rule."""


class ProductLine(Base, frozen=True, kw_only=True):
    """A product: its launch and its prices by market and variant over time.

    Launches and prices are matched by product name without case or spacing. ``launched_on`` and
    ``category`` are the earliest launch's, taken from the report that dates it most precisely ("2024-03-28"
    rather than "2024"); a product with prices but no launch recorded has them null."""

    product: str
    category: str | None
    launched_on: PartialDate | None
    launches: list[Product]
    """Every launch report of the product, earliest first."""
    prices: list[Price]
    """Its prices by date, then market, then variant."""


class Products(Base, frozen=True):
    """The company's products by launch date (products without a launch last), each with its prices."""

    company_id: CompanyId
    version: Version
    items: list[ProductLine]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


DealRole = Literal["acquirer", "target", "seller"]


class DealClaim(Claim, frozen=True, kw_only=True):
    """One report of an announced acquisition."""

    seller_ids: list[CompanyId]
    stake_percent: Stake | None = None
    price: Money | None = None
    announced_on: PartialDate
    expected_completion: PartialDate | None = None


class Deal(Fact, frozen=True, kw_only=True):
    """An announced acquisition, as the claim rule resolves the announcements of it.

    Announcements of one acquirer acquiring one target are claims about one deal; they disagree on
    the stake, or on a price both give in one currency (within 2 % when either is approximate).
    ``event_id`` is the chosen announcement's: an ``acquisition_completed`` or ``acquisition_terminated``
    naming any of the claims' ids by ``announcement_id`` ends the deal."""

    role: DealRole
    """This company's part in the deal."""
    acquirer_company_id: CompanyId
    target_company_id: CompanyId
    seller_ids: list[CompanyId] = []
    stake_percent: Stake | None = None
    """The share of the target; null: the whole company."""
    price: Money | None = None
    announced_on: PartialDate
    expected_completion: PartialDate | None = None
    disputed: bool = False
    decided_by: Decision = "single"
    claims: list[DealClaim] = []
    """Every announcement of this deal, best first by the rule."""


class Identifier(Fact, frozen=True, kw_only=True):
    """An identifier of the company (``identifier_added``): a ticker on its exchange, an ISIN, an LEI, a
    Wikidata id, or its name in another language."""

    scheme: Literal["ticker", "isin", "lei", "wikidata", "name"]
    value: str
    exchange: str | None = None
    language: str | None = None


class FormerName(Fact, frozen=True, kw_only=True):
    """A name the company had before a rename (``company_renamed``)."""

    name: str
    until: PartialDate
    """The day (month, year) the next name took effect."""


class Renaming(Fact, frozen=True, kw_only=True):
    """A ``company_renamed`` as the identity projection stores it (a row of ``rename``)."""

    name: str
    effective_on: PartialDate
    previous_name: str | None = None


class ProfileChange(Fact, frozen=True, kw_only=True):
    """A ``profile_updated`` as the identity projection stores it (a row of ``profile_update``)."""

    sectors_added: list[str] = []
    sectors_removed: list[str] = []
    aliases_added: list[str] = []
    aliases_removed: list[str] = []
    country: CountryCode | None = None


class Profile(Base, frozen=True):
    company_id: CompanyId
    name: str
    """The name in effect at the read's point in time (``company_renamed`` by effective date)."""
    aliases: list[str]
    country: CountryCode
    sectors: list[str]
    parent: CompanyRef | None
    subsidiaries: list[CompanyRef]
    executives: list[Executive]
    products: list[Product]
    listings: list[Listing]
    """Where its shares trade: exchange, ticker and listing date, by date."""
    identifiers: list[Identifier] = []
    """Tickers with their exchanges, ISIN, LEI, Wikidata id and names in other languages, in the order recorded."""
    former_names: list[FormerName] = []
    """Names it had before, oldest first, each with the date the next one took effect."""


class CompanySummary(Base, frozen=True):
    company_id: CompanyId
    name: str
    aliases: list[str]
    country: CountryCode
    parent_id: CompanyId | None
    version: Version
    last_position: Tally


class CompanyPage(Base, frozen=True):
    """Companies in id order. Pass ``next_cursor`` as ``cursor`` for the next page; null at the end."""

    items: list[CompanySummary]
    next_cursor: str | None


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


class SalesReport(Fact, frozen=True, kw_only=True):
    """What one ``sales_reported`` event said: the row the sales projection stores."""

    period: Period
    product: str | None = None
    units: Count | None = None
    revenue: Money | None = None


class SalesClaim(Claim, frozen=True, kw_only=True):
    """One report of a figure: its value, how sure, from whom, and where in the log."""

    units: Count | None = None
    revenue: Money | None = None


class SalesFigure(Base, frozen=True, kw_only=True):
    """One figure (company or product, period, measure; revenue per currency) and every claim about it.

    The value shown is the chosen claim's. Claims are ranked by one rule, applied identically at
    every read point and on rebuild: retracted claims never count; then certainty (confirmed >
    reported > speculative); then the number of different publishers; then the latest publication
    date (as written, so ``2025`` sorts before ``2025-03``; undated sorts last); then the latest
    position. ``decided_by`` names the step that chose between the chosen claim and the best
    claim that disagrees with it (``single``: one claim; ``agreement``: none disagrees). Two values
    agree when they are equal, or when either is approximate and they differ by at most 2 % of the
    larger. ``disputed`` is true when some claim disagrees with the chosen one.
    """

    period: Period
    granularity: Granularity
    product: str | None
    measure: Measure
    units: Count | None
    revenue: Money | None
    certainty: Certainty
    """The chosen claim's certainty."""
    chosen: Position
    """The position of the chosen claim."""
    decided_by: Decision
    disputed: bool
    claims: list[SalesClaim]
    """Every claim about this figure, best first by the rule."""


class SalesSeries(Base, frozen=True):
    """Figures in period order (by start, then length: year, quarter, month), then product and measure."""

    company_id: CompanyId
    version: Version
    items: list[SalesFigure]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


ResultStatus = Literal["preliminary", "final"]


class ResultsReport(Fact, frozen=True, kw_only=True):
    """What one ``results_reported`` event said: the row the results projection stores."""

    period: Period
    status: ResultStatus
    announced_on: PartialDate | None = None
    measures: list[FinancialMeasure]
    reasons: list[str] = []


class ResultClaim(Claim, frozen=True, kw_only=True):
    """One report of a financial figure: preliminary or final, its value and year-on-year change."""

    status: ResultStatus
    value: SignedMoney
    change_yoy: str | None = None
    announced_on: PartialDate | None = None
    reasons: list[str] = []


class ResultFigure(Base, frozen=True, kw_only=True):
    """One financial figure (period, measure, currency) and every claim about it.

    A final figure supersedes preliminary ones: the value shown is the chosen final claim's, else the
    chosen preliminary claim's, and ``preliminary`` keeps the preliminary value a final one replaced.
    Among the claims of one status the claim rule chooses (see ``SalesFigure``); ``disputed`` is true
    when a claim of the shown status disagrees with the chosen one (values agree when equal, or within
    2 % of the larger when either is approximate). A preliminary figure that the final one differs
    from is not a dispute: it was an estimate.
    """

    period: Period
    granularity: Granularity
    measure: str
    value: SignedMoney
    change_yoy: str | None
    """Year-on-year change in percent, as the chosen claim reports it."""
    status: ResultStatus
    announced_on: PartialDate | None
    reasons: list[str]
    """The reasons the chosen claim's report gives for the results."""
    preliminary: SignedMoney | None = None
    """With a final figure: the preliminary value chosen before it (null without one)."""
    certainty: Certainty
    chosen: Position
    decided_by: Decision
    disputed: bool
    claims: list[ResultClaim]
    """Every claim about this figure: final ones first, each status best first by the rule."""


class Results(Base, frozen=True):
    """Financial results (revenue, profits, ...) in period order, then measure and currency; never unit sales."""

    company_id: CompanyId
    version: Version
    items: list[ResultFigure]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


class CountReport(Fact, frozen=True, kw_only=True):
    """What one ``orders_reported`` or ``deliveries_reported`` event said: the row their projections store."""

    product: str | None = None
    count: Count
    period: Period | None = None
    window: Window | None = None
    kind: OrderKind | None = None
    """Orders only: reservation, firm, locked or unspecified."""


class CountClaim(Claim, frozen=True, kw_only=True):
    """One report of a count."""

    count: Count


class CountFigure(Base, frozen=True, kw_only=True):
    """One count (product, and period or window) and every claim about it, chosen by the claim rule
    (see ``SalesFigure``); counts agree when equal, or within 2 % when either is approximate."""

    product: str | None
    period: Period | None
    """The period counted, or the one the window lies in; null for a count within a window alone."""
    window: Window | None
    """The stretch counted ("18 hours from 2025-06-26"); null for a count of a period. A count within a
    window is never a figure of its period (plans are not judged by it)."""
    count: Count
    certainty: Certainty
    chosen: Position
    decided_by: Decision
    disputed: bool
    claims: list[CountClaim]


class OrderFigure(CountFigure, frozen=True, kw_only=True):
    """Orders taken: a measure of demand, never of units sold, delivered or produced."""

    kind: OrderKind


class Orders(Base, frozen=True):
    """Orders by product, period or window start, then kind: never in ``/sales``, ``latest_sales`` or a plan's figures."""

    company_id: CompanyId
    version: Version
    items: list[OrderFigure]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


class Production(Base, frozen=True):
    """Units produced by period or window start, then product: what ``units_produced`` plans are judged by."""

    company_id: CompanyId
    version: Version
    items: list[CountFigure]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


class Deliveries(Base, frozen=True):
    """Deliveries by period or window start, then product: what ``units_delivered`` plans are judged by."""

    company_id: CompanyId
    version: Version
    items: list[CountFigure]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""


class PlanBasis(Base, frozen=True):
    """A figure a plan was judged by, and the claim chosen for it."""

    period: Period
    product: str | None
    value: DecimalAmount
    event_id: UUID
    position: Position
    certainty: Certainty
    disputed: bool


JudgedBy = Literal["production", "sales", "deliveries", "revenue"]


class TargetStep(Base, frozen=True, kw_only=True):
    """One step of a plan's target: its announcement or a revision."""

    set_by: Literal["plan_announced", "target_revised"]
    on: PartialDate | None
    """The revision's date; for the announcement, the earliest publication date of its sources (null when undated)."""
    target: PlanTarget | None
    previous: PlanTarget | None = None
    """The target before, as the revision's news gives it."""
    due: Period
    reason: str | None = None
    event_id: UUID
    position: Position
    certainty: Certainty
    disputed: bool = False
    """Reports of this revision disagree about the new target (``/conflicts`` shows them)."""


class TargetRevisionClaim(Claim, frozen=True, kw_only=True):
    """One report of a revision of a plan's target."""

    target: PlanTarget
    previous: PlanTarget | None = None
    due: Period | None = None


class TargetRevision(Fact, frozen=True, kw_only=True):
    """A revision of a plan's target (the report the rule chose among those of one plan and date)."""

    plan_id: str
    revised_on: PartialDate
    target: PlanTarget
    previous: PlanTarget | None = None
    due: Period | None = None
    reason: str | None = None
    disputed: bool = False
    """Some report of this revision gives another new target."""
    decided_by: Decision = "single"
    claims: list[TargetRevisionClaim] = []
    """Every report of this revision (same plan, same date), best first by the rule."""


class PlanClaim(Claim, frozen=True, kw_only=True):
    """One report of a plan: what it says the company intends."""

    kind: str
    description: str
    metric: str | None = None
    target: PlanTarget | None = None
    due: Period


class PlanItem(Fact, frozen=True, kw_only=True):
    """A plan (the report the rule chose among those with its ``plan_id``) against the figures of its due period."""

    plan_id: str
    kind: str
    description: str
    metric: str | None = None
    target: PlanTarget | None = None
    """The latest target known at the read point: the announced one, or that of its latest revision (``history``)."""
    due: Period
    status: PlanStatus = "pending"
    actual: DecimalAmount | None = None
    """The reported figure the plan is measured against (summed over sub-periods when no figure for the whole period exists)."""
    progress: str | None = None
    """actual / target as a decimal string (1 or more: met)."""
    disputed: bool = False
    """Reports of the plan disagree about its metric, target or due period, or the claims about the
    figures it is judged by disagree about whether the target was reached (``basis`` says which)."""
    decided_by: Decision = "single"
    """Which step of the claim rule chose this report of the plan over one that disagrees."""
    claims: list[PlanClaim] = []
    """Every report of this plan, best first by the rule."""
    basis: list[PlanBasis] = []
    """The figures (and their chosen claims) ``actual`` is made of."""
    proxy: Literal["units_sold"] | None = None
    """No longer set (always null): a plan is judged only by figures of its own metric (``judged_by``)."""
    judged_by: JudgedBy | None = None
    """The figures the plan's metric is judged by: ``production`` (units_produced: ``production_reported``), ``sales`` (units_sold:
    units of ``sales_reported``), ``deliveries`` (units_delivered: ``deliveries_reported``), ``revenue``
    (revenue of ``sales_reported`` in the target's currency). Null for a plan without a metric."""
    judgement: str | None = None
    """What the plan was judged against, in words: the figures of its metric and period it was compared
    with, or that no figure of its metric exists for its period (orders never count)."""
    history: list[TargetStep] = []
    """How the target came to be: the announcement, then each ``target_revised`` known at the read
    point, by date, then position. The last step's target is ``target``, the one the plan is judged by."""


class Plans(Base, frozen=True):
    """Plans against actuals, evaluated on ``evaluated_on``.

    A plan with a metric and a target is judged by its latest target known at the read point (its
    announcement, or its latest ``target_revised``: ``history`` shows each step) against the figures
    of its own metric for its due period, each figure's value being its chosen claim's (see
    ``SalesFigure``): units sold for ``units_sold``, deliveries for ``units_delivered``, revenue in the
    target's currency for ``revenue``, production figures for ``units_produced``. No figure stands in
    for another: orders never count, and sales are not production. ``judged_by`` and ``judgement`` say
    which figures it was judged against, or that none of its metric exists. ``met`` when actual >= target; ``missed`` when the period is
    over and the figure for the whole period (or for all its quarters or months) is below target;
    ``pending`` while the period is not over; ``unknown`` when the period is over and no figure
    for it exists. A plan without a target is ``pending`` until its period is over, then
    ``unknown``. ``progress`` = actual / target. ``basis`` lists the figures used;
    ``disputed`` is true when, taking any of their claims instead of the chosen ones, the
    target would be judged otherwise.
    """

    company_id: CompanyId
    version: Version
    evaluated_on: date
    items: list[PlanItem]
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
