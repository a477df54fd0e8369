"""Read models of reported and planned figures: sales, financial results, orders, deliveries,
production, and plans judged against them."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from schema.base import (
    Base,
    Certainty,
    CompanyId,
    Count,
    DecimalAmount,
    Money,
    PartialDate,
    Period,
    Position,
    SignedMoney,
)
from schema.events import (
    FinancialMeasure,
    OrderKind,
    PlanTarget,
    Window,
)
from schema.facts import Claim, Decision, Fact, Granularity, Measure, PlanStatus, Tally, Version

__all__ = [
    "CountClaim",
    "CountFigure",
    "CountReport",
    "Deliveries",
    "JudgedBy",
    "OrderFigure",
    "Orders",
    "PlanBasis",
    "PlanClaim",
    "PlanItem",
    "Plans",
    "Production",
    "ResultClaim",
    "ResultFigure",
    "ResultStatus",
    "Results",
    "ResultsReport",
    "SalesClaim",
    "SalesFigure",
    "SalesReport",
    "SalesSeries",
    "TargetRevision",
    "TargetRevisionClaim",
    "TargetStep",
]


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
