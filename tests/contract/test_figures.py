"""Financial results, orders, deliveries and revised targets, read back where a reader looks.

The real items are in seeds/samsung-xiaomi-news-2025.ndjson: Samsung Electronics' Q3 2025 results
(preliminary on 2025-10-14, final on 2025-10-30), the Xiaomi YU7's orders after its launch on
2025-06-26, Xiaomi's Q2 2025 deliveries, and BYD's 2025 sales target of 5.5 million cut to about
4.6 million (Reuters, September 2025). Positions are found through the read models, not assumed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from api.projections import search, words
from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.base import Count, Source
from schema.dossiers import PlanItem, ResultFigure
from schema.events import DeliveriesReported, EventBase, Window
from tests.contract.read_models import (
    conflicts,
    deliveries,
    dossier,
    orders,
    plans,
    results,
    sales,
    timeline,
)
from tests.factories import (
    SOURCE,
    deliveries_reported,
    event_retracted,
    orders_reported,
    plan_announced,
    results_reported,
    sales_reported,
    target_revised,
)

SAMSUNG = "samsung-electronics"
TRILLION = Decimal(10**12)
LATEST = ReadPoint()


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


async def _append(store: EventStore, *events: EventBase) -> list[int]:
    return [(await store.append([event])).events[0].position for event in events]


def _source(publisher: str, published_on: str) -> Source:
    return Source(title=f"{publisher} report", publisher=publisher, language="en", published_on=published_on)


async def _figure(store: EventStore, measure: str, point: ReadPoint = LATEST, period: str = "2025-Q3") -> ResultFigure:
    (figure,) = [f for f in (await results(store, SAMSUNG, point)).items if (f.period, f.measure) == (period, measure)]
    return figure


async def _plan(store: EventStore, company: str, plan_id: str, point: ReadPoint = LATEST) -> PlanItem:
    (plan,) = [p for p in (await plans(store, company, point)).items if p.plan_id == plan_id]
    return plan


# -- results -----------------------------------------------------------------------------------------


async def test_samsungs_q3_2025_operating_profit_is_in_results_final_over_preliminary(seeded: EventStore) -> None:
    profit = await _figure(seeded, "operating_profit")

    assert (profit.status, profit.value.currency, profit.granularity) == ("final", "KRW", "quarter")
    assert Decimal(profit.value.amount) / TRILLION == Decimal("12.2")
    assert profit.preliminary is not None and Decimal(profit.preliminary.amount) / TRILLION == Decimal("12.1")
    assert [(c.status, c.change_yoy, c.announced_on) for c in profit.claims] == [
        ("final", None, "2025-10-30"),
        ("preliminary", "31.8", "2025-10-14"),
    ]
    assert not profit.disputed, "a final figure that differs from the preliminary estimate is no dispute"


async def test_samsungs_operating_profit_is_not_in_sales_nor_latest_sales(seeded: EventStore) -> None:
    assert (await sales(seeded, SAMSUNG)).items == []
    headline = await dossier(seeded, SAMSUNG)

    assert headline.latest_sales == []
    assert [(f.period, f.measure, f.status) for f in headline.latest_results] == [
        ("2025-Q3", "operating_profit", "final"),
        ("2025-Q3", "revenue", "final"),
    ]
    assert headline.counts["results_reported"] == 2


async def test_before_the_final_results_the_preliminary_figure_is_shown(seeded: EventStore) -> None:
    final = (await _figure(seeded, "operating_profit")).chosen

    for point in (ReadPoint(at_position=final - 1), ReadPoint(known_on=date(2025, 10, 20))):
        profit = await _figure(seeded, "operating_profit", point)
        assert (profit.status, profit.change_yoy, profit.preliminary) == ("preliminary", "31.8", None)
        assert Decimal(profit.value.amount) / TRILLION == Decimal("12.1")
        assert profit.reasons == ["Strong demand for memory chips driven by AI servers"]


async def test_a_loss_is_a_negative_amount_and_disagreeing_final_reports_are_a_dispute(seeded: EventStore) -> None:
    await _append(
        seeded,
        results_reported(SAMSUNG, "2019", net_income="-5000", sources=[_source("Reuters", "2020-01-02")]),
        results_reported(SAMSUNG, "2019", net_income="-6000", sources=[_source("Yonhap", "2020-01-03")]),
        results_reported(SAMSUNG, "2019", operating_profit="6000", sources=[_source("Yonhap", "2020-01-03")]),
    )

    loss = await _figure(seeded, "net_income", period="2019")
    (dispute,) = [c for c in (await conflicts(seeded, SAMSUNG)).items if c.kind == "results"]

    assert (loss.value.amount, loss.disputed, loss.decided_by) == ("-6000", True, "published_on")
    assert dispute.results == loss
    assert (await _figure(seeded, "operating_profit", period="2019")).value.amount == "6000"


async def test_a_retracted_final_report_hands_the_figure_back_to_the_preliminary(seeded: EventStore) -> None:
    final = (await _figure(seeded, "operating_profit")).claims[0].event_id

    await _append(seeded, event_retracted(final, reason="test"))
    profit = await _figure(seeded, "operating_profit")

    assert (profit.status, profit.value.amount) == ("preliminary", "12100000000000")


# -- orders and deliveries ---------------------------------------------------------------------------


async def test_yu7_orders_are_orders_with_their_windows(seeded: EventStore) -> None:
    items = (await orders(seeded, "xiaomi")).items

    assert [(o.product, o.kind, o.count.value, o.window and (o.window.length, o.window.unit)) for o in items] == [
        ("YU7", "firm", 200000, (3, "minutes")),
        ("YU7", "locked", 240000, (18, "hours")),
    ]
    assert {o.window.starting_on for o in items if o.window} == {"2025-06-26"}


async def test_yu7_orders_are_counted_neither_as_sales_nor_as_production(seeded: EventStore) -> None:
    figures = (await sales(seeded, "xiaomi")).items
    production = await _plan(seeded, "xiaomi", "ev-production-2025")

    assert [(f.period, f.measure) for f in figures] == [("2024", "units"), ("2024", "revenue")]
    assert [f.period for f in (await dossier(seeded, "xiaomi")).latest_sales] == ["2024", "2024"]
    assert (production.judged_by, production.actual, production.basis, production.proxy) == (
        "production",
        None,
        [],
        None,
    )
    assert production.judgement is not None and production.judgement.startswith("no figure of production ")


async def test_orders_of_the_due_period_do_not_judge_a_sales_plan(seeded: EventStore) -> None:
    await _append(
        seeded,
        plan_announced("xiaomi", "sold-2019", due="2019", target="1000", metric="units_sold"),
        orders_reported("xiaomi", 5000, period="2019"),
    )

    plan = await _plan(seeded, "xiaomi", "sold-2019")

    assert (plan.status, plan.actual, plan.judged_by) == ("unknown", None, "sales")
    assert (
        plan.judgement
        == "no figure of units sold (sales_reported) for 2019 is known: figures of other metrics, and orders, do not stand in"
    )


async def test_xiaomis_q2_2025_deliveries_are_in_deliveries(seeded: EventStore) -> None:
    (q2,) = (await deliveries(seeded, "xiaomi")).items

    assert (q2.period, q2.count.value, q2.window, q2.certainty) == ("2025-Q2", 81302, None, "confirmed")


async def test_a_deliveries_plan_is_judged_by_deliveries_only_and_says_so(seeded: EventStore) -> None:
    await _append(
        seeded,
        plan_announced("xiaomi", "delivered-2019", due="2019", target="1000", metric="units_delivered"),
        sales_reported("xiaomi", "2019", units=5000),
        deliveries_reported("xiaomi", "2019-Q1", 300),
        deliveries_reported("xiaomi", "2019-Q2", 300),
        deliveries_reported("xiaomi", "2019-Q3", 200),
        deliveries_reported("xiaomi", "2019-Q4", 100),
    )

    plan = await _plan(seeded, "xiaomi", "delivered-2019")

    assert (plan.status, plan.actual, plan.progress, plan.judged_by) == ("missed", "900", "0.9000", "deliveries")
    assert [b.period for b in plan.basis] == ["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4"]
    assert plan.judgement == (
        "judged against deliveries (deliveries_reported) for 2019-Q1, 2019-Q2, 2019-Q3, 2019-Q4: 900 of 1000"
    )


async def test_disagreeing_counts_of_one_window_are_a_dispute(seeded: EventStore) -> None:
    await _append(seeded, orders_reported("xiaomi", 250000, product="YU7", hours=18, kind="locked"))

    (dispute,) = [c for c in (await conflicts(seeded, "xiaomi")).items if c.kind == "orders"]

    assert dispute.orders is not None
    assert (dispute.orders.count.value, dispute.orders.decided_by, dispute.orders.kind) == (
        240000,
        "certainty",
        "locked",
    )
    assert [c.count.value for c in dispute.orders.claims] == [240000, 250000]


# -- revised targets ---------------------------------------------------------------------------------


async def test_byds_cut_target_is_judged_by_the_latest_target_with_its_history(seeded: EventStore) -> None:
    plan = await _plan(seeded, "byd", "sales-2025")

    assert plan.target is not None
    assert (plan.target.value, plan.target.approximate, plan.metric, plan.due) == (
        "4600000",
        True,
        "units_sold",
        "2025",
    )
    assert [(s.set_by, s.target and s.target.value, s.on) for s in plan.history] == [
        ("plan_announced", "5500000", "2025-09"),
        ("target_revised", "4600000", "2025-09"),
    ]
    assert plan.history[1].previous is not None and plan.history[1].previous.value == "5500000"
    assert plan.history[1].reason == "Slowing domestic sales amid China's price war"


async def test_before_the_revision_was_recorded_the_plan_had_its_old_target(seeded: EventStore) -> None:
    announced = (await _plan(seeded, "byd", "sales-2025")).history[0].position

    earlier = await _plan(seeded, "byd", "sales-2025", ReadPoint(at_position=announced))

    assert earlier.target is not None and earlier.target.value == "5500000"
    assert [s.set_by for s in earlier.history] == ["plan_announced"]


async def test_a_plan_is_met_by_its_cut_target_and_missed_by_the_old_one(seeded: EventStore) -> None:
    _, figure, cut = await _append(
        seeded,
        plan_announced("byd", "sales-2019", due="2019", target="5500000", metric="units_sold"),
        sales_reported("byd", "2019", units=4700000),
        target_revised("byd", "sales-2019", "4600000", previous="5500000", revised_on="2019-09", approximate=True),
    )

    before = await _plan(seeded, "byd", "sales-2019", ReadPoint(at_position=figure))
    after = await _plan(seeded, "byd", "sales-2019")

    assert (before.status, before.progress) == ("missed", "0.8545")
    assert (after.status, after.progress) == ("met", "1.0217")
    assert after.history[-1].position == cut


async def test_revisions_apply_in_date_order_whatever_the_order_of_recording(seeded: EventStore) -> None:
    await _append(
        seeded,
        plan_announced("byd", "sales-2019", due="2019", target="100", metric="units_sold"),
        target_revised("byd", "sales-2019", "80", revised_on="2019-09"),
        target_revised("byd", "sales-2019", "90", revised_on="2019-03"),
    )

    plan = await _plan(seeded, "byd", "sales-2019")

    assert [s.target and s.target.value for s in plan.history] == ["100", "90", "80"]
    assert plan.target is not None and plan.target.value == "80"


async def test_reports_of_one_revision_that_disagree_are_a_dispute(seeded: EventStore) -> None:
    await _append(
        seeded,
        target_revised("byd", "sales-2025", "4000000", revised_on="2025-09", sources=[_source("Blog", "2025-08-31")]),
    )

    (dispute,) = [c for c in (await conflicts(seeded, "byd")).items if c.kind == "target_revision"]
    plan = await _plan(seeded, "byd", "sales-2025")

    assert dispute.target_revision is not None
    assert (dispute.target_revision.target.value, dispute.target_revision.decided_by) == ("4600000", "published_on")
    assert plan.history[-1].disputed and plan.target is not None and plan.target.value == "4600000"


# -- presence elsewhere ------------------------------------------------------------------------------


async def test_the_new_types_are_on_the_timeline_at_their_own_dates(seeded: EventStore) -> None:
    xiaomi = [(i.occurred_on, i.event.event.__struct_config__.tag) for i in (await timeline(seeded, "xiaomi")).items]
    byd = [(i.occurred_on, i.event.event.__struct_config__.tag) for i in (await timeline(seeded, "byd")).items]

    assert ("2025-06-26", "orders_reported") in xiaomi
    assert ("2025-04", "deliveries_reported") in xiaomi
    assert ("2025-09", "target_revised") in byd


async def test_search_finds_the_yu7_orders_and_samsungs_operating_profit_by_their_words(seeded: EventStore) -> None:
    async def titles(q: str) -> set[str]:
        terms = words.query_terms(q)
        _, found, _ = await seeded.search(ReadPoint(), terms, offset=0, limit=10)
        return {search.hit(position, item, score, terms).title for position, item, score in found}

    assert "Orders of xiaomi (YU7): 18 hours from 2025-06-26" in await titles("YU7 locked")
    assert await titles("operating profit") == {
        "Preliminary results of samsung-electronics for 2025-Q3: revenue, operating profit",
        "Final results of samsung-electronics for 2025-Q3: revenue, operating profit",
    }


async def test_a_count_within_a_window_of_the_due_period_does_not_judge_a_plan(seeded: EventStore) -> None:
    window = Window(length=18, unit="hours", starting_on="2019-06-26")
    await _append(
        seeded,
        plan_announced("xiaomi", "delivered-2019", due="2019", target="1000", metric="units_delivered"),
        DeliveriesReported(
            sources=[SOURCE], company_id="xiaomi", count=Count(value=5000), period="2019", window=window
        ),
    )

    plan = await _plan(seeded, "xiaomi", "delivered-2019")
    (figure,) = [f for f in (await deliveries(seeded, "xiaomi")).items if f.period == "2019"]

    assert (figure.window, figure.count.value) == (window, 5000)
    assert (plan.status, plan.actual, plan.judged_by) == ("unknown", None, "deliveries")


async def test_a_revision_that_moves_the_due_period_judges_the_plan_by_the_new_period(seeded: EventStore) -> None:
    await _append(
        seeded,
        plan_announced("byd", "sales-2019", due="2019", target="100", metric="units_sold"),
        sales_reported("byd", "2019", units=90),
        sales_reported("byd", "2018", units=120),
        target_revised("byd", "sales-2019", "110", previous="100", revised_on="2018-06", due="2018"),
    )

    plan = await _plan(seeded, "byd", "sales-2019")

    assert (plan.due, plan.status, plan.actual) == ("2018", "met", "120")
    assert [s.due for s in plan.history] == ["2019", "2018"]
