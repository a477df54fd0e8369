"""Events that report or plan figures: sales, plans and their revised targets, financial results,
orders, deliveries and production."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from msgspec import Meta

from schema.base import (
    END,
    Base,
    CompanyId,
    Count,
    CurrencyCode,
    DecimalAmount,
    Money,
    Name,
    Note,
    PartialDate,
    Percent,
    Period,
    PlanId,
    SignedMoney,
)
from schema.event_base import EventBase
from schema.rules import Rule, Ruled, absent, all_of, at_least_one, given

__all__ = [
    "DeliveriesReported",
    "FinancialMeasure",
    "MeasureName",
    "OrderKind",
    "OrdersReported",
    "PlanAnnounced",
    "PlanMetric",
    "PlanTarget",
    "ProductionReported",
    "ResultsReported",
    "SalesReported",
    "TargetRevised",
    "UNIT_METRICS",
    "Window",
]


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
