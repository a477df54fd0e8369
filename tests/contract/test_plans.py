"""Plans against actuals: each plan's status and progress from the sales figures for its due period.

Statuses that depend on today use periods far in the past (2019) or future (2999), except
for the seed plans, whose expected status is worked out from today's date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.dossiers import PlanItem
from tests.contract.read_models import LATEST, dossier, plans
from tests.factories import company_registered, event_retracted, plan_announced, production_reported, sales_reported


def _without_figure(due_year: int) -> str:
    """A plan with no figure for its period: pending while the period runs, unknown after it."""
    return "unknown" if datetime.now(UTC).date() > date(due_year, 12, 31) else "pending"


async def _plan(store: EventStore, plan_id: str, point: ReadPoint = LATEST, company_id: str = "xiaomi") -> PlanItem:
    (item,) = [p for p in (await plans(store, company_id, point)).items if p.plan_id == plan_id]
    return item


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


async def test_seed_plan_without_a_2025_figure_is_not_met(seeded: EventStore) -> None:
    plan = await _plan(seeded, "ev-production-2025")

    assert plan.status == _without_figure(2025)
    assert plan.actual is None


async def test_a_production_figure_over_target_turns_the_production_plan_met(seeded: EventStore) -> None:
    await seeded.append([production_reported("xiaomi", "2025", 400000)])

    plan = await _plan(seeded, "ev-production-2025")

    assert plan.status == "met"
    assert plan.actual == "400000"
    assert plan.progress is not None
    assert Decimal(plan.progress) >= 1
    assert Decimal(plan.progress) == Decimal("1.1429")
    assert plan.judgement == "judged against production (production_reported) for 2025: 400000 of 350000"


async def test_units_sold_never_stand_in_for_production(seeded: EventStore) -> None:
    await seeded.append([sales_reported("xiaomi", "2025", units=400000)])

    plan = await _plan(seeded, "ev-production-2025")

    assert (plan.status, plan.actual, plan.judged_by) == (_without_figure(2025), None, "production")
    assert plan.judgement == (
        "no figure of production (production_reported) for 2025 is known: figures of other metrics, and orders, "
        "do not stand in"
    )


async def test_read_at_the_position_before_the_figure_shows_the_plan_not_met(seeded: EventStore) -> None:
    figure = (await seeded.append([production_reported("xiaomi", "2025", 400000)])).events[0]

    plan = await _plan(seeded, "ev-production-2025", ReadPoint(at_position=figure.position - 1))

    assert plan.status == _without_figure(2025)
    assert plan.actual is None


async def test_read_as_of_before_the_figure_shows_the_plan_not_met(seeded: EventStore) -> None:
    figure = (await seeded.append([production_reported("xiaomi", "2025", 400000)])).events[0]

    plan = await _plan(seeded, "ev-production-2025", ReadPoint(as_of=figure.recorded_at - timedelta(microseconds=1)))

    assert plan.status == _without_figure(2025)
    assert plan.actual is None


async def test_retracting_the_figure_turns_the_plan_back(seeded: EventStore) -> None:
    figure = (await seeded.append([production_reported("xiaomi", "2025", 400000)])).events[0]

    await seeded.append([event_retracted(figure.event.id)])  # type: ignore[arg-type]

    plan = await _plan(seeded, "ev-production-2025")
    assert plan.status == _without_figure(2025)
    assert (plan.actual, plan.progress) == (None, None)


@pytest.fixture
async def xiaomi(store: EventStore) -> EventStore:
    await store.append([company_registered("xiaomi")])
    return store


async def test_figure_below_target_for_a_past_period_misses_the_plan(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [plan_announced("xiaomi", "p", due="2019", target="100"), sales_reported("xiaomi", "2019", units=50)]
    )

    plan = await _plan(xiaomi, "p")

    assert (plan.status, plan.actual, plan.progress) == ("missed", "50", "0.5000")


async def test_quarterly_figures_summing_over_the_target_meet_the_plan(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [
            plan_announced("xiaomi", "p", due="2019", target="100"),
            sales_reported("xiaomi", "2019-Q1", units=60),
            sales_reported("xiaomi", "2019-Q2", units=50),
        ]
    )

    plan = await _plan(xiaomi, "p")

    assert (plan.status, plan.actual, plan.progress) == ("met", "110", "1.1000")


async def test_past_plan_without_a_figure_is_unknown(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [plan_announced("xiaomi", "p", due="2019", target="100"), sales_reported("xiaomi", "2018", units=500)]
    )

    plan = await _plan(xiaomi, "p")

    assert (plan.status, plan.actual) == ("unknown", None)


async def test_plan_due_in_the_future_is_pending(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [plan_announced("xiaomi", "p", due="2999", target="100"), sales_reported("xiaomi", "2999-Q1", units=10)]
    )

    plan = await _plan(xiaomi, "p")

    assert (plan.status, plan.actual, plan.progress) == ("pending", "10", "0.1000")


async def test_plan_without_a_target_is_pending_then_unknown(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [plan_announced("xiaomi", "future", due="2999"), plan_announced("xiaomi", "past", due="2019")]
    )

    assert (await _plan(xiaomi, "future")).status == "pending"
    assert (await _plan(xiaomi, "past")).status == "unknown"


async def test_revenue_plan_counts_only_figures_in_its_currency(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [
            plan_announced("xiaomi", "p", due="2019", target="1000", currency="USD"),
            sales_reported("xiaomi", "2019", revenue="5000", currency="EUR", product="SU7"),
            sales_reported("xiaomi", "2019", revenue="400", currency="USD", product="SU7 Ultra"),
        ]
    )

    plan = await _plan(xiaomi, "p")

    assert (plan.status, plan.actual) == ("missed", "400")


async def test_later_figure_for_the_same_period_replaces_the_earlier(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [
            plan_announced("xiaomi", "p", due="2019", target="100"),
            sales_reported("xiaomi", "2019", units=50),
            sales_reported("xiaomi", "2019", units=150),
        ]
    )

    plan = await _plan(xiaomi, "p")

    assert (plan.status, plan.actual) == ("met", "150")


async def test_dossier_open_plans_are_those_neither_met_nor_missed(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [
            plan_announced("xiaomi", "met", due="2019", target="100"),
            plan_announced("xiaomi", "missed", due="2019-Q1", target="100"),
            plan_announced("xiaomi", "pending", due="2999", target="100"),
            plan_announced("xiaomi", "unknown", due="2018", target="100"),
            sales_reported("xiaomi", "2019", units=150),
            sales_reported("xiaomi", "2019-Q1", units=10),
        ]
    )

    open_plans = (await dossier(xiaomi, "xiaomi")).open_plans

    assert sorted((p.plan_id, p.status) for p in open_plans) == [("pending", "pending"), ("unknown", "unknown")]


async def test_quarter_plan_is_not_measured_by_a_figure_for_the_whole_year(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [plan_announced("xiaomi", "p", due="2019-Q2", target="100"), sales_reported("xiaomi", "2019", units=500)]
    )

    plan = await _plan(xiaomi, "p")

    assert (plan.status, plan.actual) == ("unknown", None)


async def test_quarter_plan_is_measured_by_its_months(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [
            plan_announced("xiaomi", "p", due="2019-Q2", target="100"),
            sales_reported("xiaomi", "2019-04", units=40),
            sales_reported("xiaomi", "2019-06", units=70),
            sales_reported("xiaomi", "2019-07", units=1000),
        ]
    )

    plan = await _plan(xiaomi, "p")

    assert (plan.status, plan.actual) == ("met", "110")


async def test_plan_progress_is_computed_for_the_largest_amounts(xiaomi: EventStore) -> None:
    await xiaomi.append_batch(
        [
            plan_announced("xiaomi", "p", due="2019", target="0.000001", currency="USD"),
            sales_reported("xiaomi", "2019-Q1", revenue="999999999999999999", currency="USD"),
            sales_reported("xiaomi", "2019-Q2", revenue="999999999999999999", currency="USD"),
        ]
    )

    plan = await _plan(xiaomi, "p")

    assert (plan.status, plan.actual) == ("met", "1999999999999999998")
    assert plan.progress is not None
    assert Decimal(plan.progress) == Decimal("1999999999999999998000000")
