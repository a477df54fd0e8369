"""Claims, not facts: reports about one figure are grouped, disagreement shows, and one rule chooses.

The rule (``api.projections.claims``): retracted claims never count; then certainty; then the
number of different publishers; then the latest publication date; then the latest position.
"""

from __future__ import annotations

import pytest

from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from schema.base import Certainty, Source
from schema.dossiers import PlanItem, SalesFigure
from schema.events import EventBase, SalesReported
from tests.contract.read_models import dossier, plans, sales
from tests.factories import event_retracted, plan_announced, sales_reported


def _source(publisher: str, published_on: str | None) -> Source:
    return Source(title=f"{publisher} on Xiaomi", publisher=publisher, language="en", published_on=published_on)


CNEVPOST = _source("CnEVPost", "2026-01-02")
REUTERS = _source("Reuters", "2026-01-05")
BLOG = _source("A car blog", "2026-02-01")


def _units(units: int, *sources: Source, certainty: Certainty = "reported", period: str = "2025") -> SalesReported:
    return sales_reported("xiaomi", period, units=units, sources=sources, certainty=certainty)


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    # The seed's 350,000 plan counts production, which sales never stand in for: the same target in units sold.
    await store.append([plan_announced("xiaomi", "ev-sales-2025", due="2025", target="350000", metric="units_sold")])
    return store


async def _append(store: EventStore, *events: EventBase) -> list[int]:
    return [(await store.append([event])).events[0].position for event in events]


async def _figure(store: EventStore, period: str = "2025", measure: str = "units") -> SalesFigure:
    (figure,) = [f for f in (await sales(store, "xiaomi")).items if (f.period, f.measure) == (period, measure)]
    return figure


async def _plan(store: EventStore, plan_id: str = "ev-sales-2025") -> PlanItem:
    (plan,) = [p for p in (await plans(store, "xiaomi")).items if p.plan_id == plan_id]
    return plan


def _values(figure: SalesFigure) -> list[int]:
    return [claim.units.value for claim in figure.claims if claim.units is not None]


@pytest.mark.parametrize("order", ["later published first", "later published last"])
async def test_two_publishers_disagreeing_make_one_disputed_figure_chosen_by_publication_date(
    seeded: EventStore, order: str
) -> None:
    reports = [_units(410000, REUTERS), _units(300000, CNEVPOST)]
    await _append(seeded, *(reports if order == "later published first" else reversed(reports)))

    figure = await _figure(seeded)
    plan = await _plan(seeded)

    assert figure.disputed
    assert figure.units is not None and figure.units.value == 410000
    assert (figure.decided_by, _values(figure)) == ("published_on", [410000, 300000])
    assert [c.sources[0].publisher for c in figure.claims] == ["Reuters", "CnEVPost"]
    assert [c.published_on for c in figure.claims] == ["2026-01-05", "2026-01-02"]
    assert (plan.status, plan.actual, plan.disputed) == ("met", "410000", True)
    assert [(b.period, b.value, b.disputed) for b in plan.basis] == [("2025", "410000", True)]
    assert plan.basis[0].event_id == figure.claims[0].event_id


async def test_a_speculative_claim_never_outranks_a_reported_one(seeded: EventStore) -> None:
    await _append(seeded, _units(300000, CNEVPOST))
    await _append(seeded, _units(500000, REUTERS, BLOG, _source("Analyst note", "2026-03-01"), certainty="speculative"))

    figure = await _figure(seeded)
    plan = await _plan(seeded)

    assert (figure.units and figure.units.value, figure.certainty, figure.decided_by) == (
        300000,
        "reported",
        "certainty",
    )
    assert figure.disputed
    assert plan.status in ("missed", "pending"), "a speculative 500,000 does not meet the 350,000 plan"
    assert plan.actual == "300000"
    assert plan.disputed, "the speculative claim is on the other side of the target"


async def test_a_confirmed_claim_outranks_more_publishers(seeded: EventStore) -> None:
    await _append(seeded, _units(300000, CNEVPOST, REUTERS, BLOG), _units(280000, CNEVPOST, certainty="confirmed"))

    figure = await _figure(seeded)

    assert (_values(figure), figure.decided_by) == ([280000, 300000], "certainty")


async def test_more_independent_publishers_outrank_fewer_and_repeats_of_one_publisher_count_once(
    seeded: EventStore,
) -> None:
    reuters_again = _source("  reuters ", "2026-03-01")
    await _append(seeded, _units(300000, CNEVPOST, BLOG), _units(410000, REUTERS, reuters_again))

    figure = await _figure(seeded)

    assert (_values(figure), figure.decided_by) == ([300000, 410000], "publishers")
    assert [c.publishers for c in figure.claims] == [2, 1]


async def test_undated_equal_claims_are_decided_by_the_later_position(seeded: EventStore) -> None:
    first, second = await _append(seeded, _units(300000, _source("A", None)), _units(410000, _source("B", None)))

    figure = await _figure(seeded)

    assert (figure.chosen, figure.decided_by, [c.position for c in figure.claims]) == (
        second,
        "position",
        [second, first],
    )


async def test_retracting_the_winning_claim_hands_the_choice_to_the_next(seeded: EventStore) -> None:
    await _append(seeded, _units(300000, CNEVPOST), _units(410000, REUTERS))
    winner = (await _figure(seeded)).claims[0].event_id
    assert winner is not None

    await _append(seeded, event_retracted(winner))

    figure = await _figure(seeded)
    plan = await _plan(seeded)
    assert (_values(figure), figure.decided_by, figure.disputed) == ([300000], "single", False)
    assert (plan.actual, plan.disputed) == ("300000", False)
    assert plan.status != "met"


async def test_approximate_values_within_two_percent_agree(seeded: EventStore) -> None:
    approximate = sales_reported("xiaomi", "2025", units=410000, approximate=True, sources=[REUTERS])
    await _append(seeded, approximate, _units(409800, CNEVPOST), _units(300000, BLOG, certainty="speculative"))

    figure = await _figure(seeded)

    assert figure.disputed, "the speculative 300,000 disagrees"
    exact = sales_reported("xiaomi", "2024-Q1", units=100000, sources=[REUTERS])
    await _append(seeded, exact, _units(101000, CNEVPOST, period="2024-Q1"))
    assert (await _figure(seeded, "2024-Q1")).disputed, "exact figures 1 % apart disagree"
    rounded = sales_reported("xiaomi", "2024-Q2", units=100000, approximate=True, sources=[REUTERS])
    await _append(seeded, rounded, _units(101999, CNEVPOST, period="2024-Q2"))
    assert (await _figure(seeded, "2024-Q2")).decided_by == "agreement"


async def test_claims_in_two_currencies_are_two_figures(seeded: EventStore) -> None:
    await _append(
        seeded,
        sales_reported("xiaomi", "2025", revenue="32000000000", currency="CNY", sources=[CNEVPOST]),
        sales_reported("xiaomi", "2025", revenue="4400000000", currency="USD", sources=[REUTERS]),
    )

    revenue = [f for f in (await sales(seeded, "xiaomi")).items if f.period == "2025"]

    assert [(f.revenue and f.revenue.currency, f.disputed) for f in revenue] == [("CNY", False), ("USD", False)]


async def test_latest_sales_shows_the_latest_figure_of_each_granularity(seeded: EventStore) -> None:
    await _append(seeded, _units(410000, REUTERS), _units(90000, REUTERS, period="2025-Q1"))

    latest = (await dossier(seeded, "xiaomi")).latest_sales

    assert [(f.period, f.granularity, f.measure) for f in latest] == [
        ("2025", "year", "units"),
        ("2025-Q1", "quarter", "units"),
    ]


async def test_a_quarter_below_target_never_stands_in_for_the_year(seeded: EventStore) -> None:
    await _append(seeded, _units(90000, REUTERS, period="2025-Q4"))

    plan = await _plan(seeded)

    assert plan.status in ("pending", "unknown"), "one quarter of 2025 says nothing of the year's total"
    assert [b.period for b in plan.basis] == ["2025-Q4"]


async def test_a_production_plan_is_never_measured_by_units_sold(seeded: EventStore) -> None:
    await _append(seeded, _units(410000, REUTERS))

    plan = await _plan(seeded, "ev-production-2025")

    assert (plan.metric, plan.judged_by, plan.actual, plan.basis, plan.proxy) == (
        "units_produced",
        "production",
        None,
        [],
        None,
    )
    assert plan.status in ("pending", "unknown")


async def test_a_sales_plan_is_judged_by_units_sold_and_says_so(seeded: EventStore) -> None:
    await _append(seeded, plan_announced("xiaomi", "sold-2025", due="2025", target="100000", metric="units_sold"))
    await _append(seeded, _units(410000, REUTERS))

    (plan,) = [p for p in (await plans(seeded, "xiaomi")).items if p.plan_id == "sold-2025"]

    assert (plan.status, plan.proxy, plan.judged_by) == ("met", None, "sales")
    assert plan.judgement == "judged against units sold (sales_reported) for 2025: 410000 of 100000"
