"""Retraction: a wrong fact leaves every read model; the log keeps the fact and the retraction."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from api.errors import AlreadyRetracted, InvalidInput
from api.store.base import EventStore
from schema.events import EventBase
from tests.contract.read_models import dossier, meetings, plans, relationships, sales, timeline
from tests.factories import (
    company_registered,
    event_retracted,
    evidence_added,
    executive_reported,
    market_position_reported,
    meeting_held,
    new_id,
    plan_announced,
    product_launched,
    relationship_reported,
    sales_reported,
)


@pytest.fixture(autouse=True)
async def _companies(store: EventStore) -> None:
    await store.append_batch([company_registered("xiaomi"), company_registered("samsung-electronics")])


async def _append(store: EventStore, event: EventBase) -> UUID:
    stored = (await store.append([event])).events[0]  # type: ignore[list-item]
    assert stored.event.id is not None
    return stored.event.id


async def _retract(store: EventStore, event_id: UUID) -> None:
    await store.append([event_retracted(event_id)])


async def _timeline_ids(store: EventStore, company_id: str) -> list[UUID | None]:
    return [item.event.event.id for item in (await timeline(store, company_id)).items]


async def test_retracted_sales_figure_leaves_sales_timeline_and_dossier(store: EventStore) -> None:
    kept = await _append(store, sales_reported("xiaomi", "2024", units=137000))
    wrong = await _append(store, sales_reported("xiaomi", "2025", units=999999))

    await _retract(store, wrong)

    assert [(f.claims[0].event_id, f.period) for f in (await sales(store, "xiaomi")).items] == [(kept, "2024")]
    assert wrong not in await _timeline_ids(store, "xiaomi")
    summary = await dossier(store, "xiaomi")
    assert [f.claims[0].event_id for f in summary.latest_sales] == [kept]
    assert summary.counts["sales_reported"] == 1


async def test_retracted_meeting_leaves_meetings_and_counterparties_of_both_companies(store: EventStore) -> None:
    wrong = await _append(store, meeting_held("xiaomi", "samsung-electronics"))

    await _retract(store, wrong)

    for company in ("xiaomi", "samsung-electronics"):
        assert (await meetings(store, company)).items == []
        assert (await dossier(store, company)).counterparties == []
        assert wrong not in await _timeline_ids(store, company)


async def test_retracted_relationship_leaves_relationships_of_both_companies(store: EventStore) -> None:
    kept = await _append(store, relationship_reported("samsung-electronics", "xiaomi", kind="competes_with"))
    wrong = await _append(store, relationship_reported("samsung-electronics", "xiaomi", components=["chips"]))

    await _retract(store, wrong)

    buyer = await relationships(store, "xiaomi")
    seller = await relationships(store, "samsung-electronics")
    assert (buyer.suppliers, seller.customers) == ([], [])
    assert [r.event_id for r in buyer.competitors] == [kept]
    assert [c.via for c in (await dossier(store, "xiaomi")).counterparties] == [["competes_with"]]


async def test_retracted_market_position_leaves_relationships(store: EventStore) -> None:
    wrong = await _append(store, market_position_reported("xiaomi", "samsung-electronics"))

    await _retract(store, wrong)

    assert (await relationships(store, "xiaomi")).market_positions == []
    assert (await relationships(store, "samsung-electronics")).market_positions == []


async def test_retracted_plan_leaves_plans_and_open_plans(store: EventStore) -> None:
    wrong = await _append(store, plan_announced("xiaomi", "ev-production-2999", due="2999", target="350000"))

    await _retract(store, wrong)

    assert (await plans(store, "xiaomi")).items == []
    assert (await dossier(store, "xiaomi")).open_plans == []


async def test_retracted_restatement_of_a_plan_brings_back_the_earlier_one(store: EventStore) -> None:
    original = await _append(store, plan_announced("xiaomi", "ev-production", due="2999", target="300000"))
    restated = await _append(store, plan_announced("xiaomi", "ev-production", due="2999", target="350000"))

    await _retract(store, restated)

    items = (await plans(store, "xiaomi")).items
    assert [(p.event_id, p.target.value if p.target else None) for p in items] == [(original, "300000")]


async def test_retracted_executive_leaves_the_profile(store: EventStore) -> None:
    wrong = await _append(store, executive_reported("xiaomi", "lei-jun", role="CFO"))

    await _retract(store, wrong)

    assert (await dossier(store, "xiaomi")).profile.executives == []


async def test_retracted_product_leaves_the_profile(store: EventStore) -> None:
    wrong = await _append(store, product_launched("xiaomi", "SU7"))

    await _retract(store, wrong)

    assert (await dossier(store, "xiaomi")).profile.products == []


async def test_retraction_keeps_the_fact_and_the_retraction_in_the_log(store: EventStore) -> None:
    wrong = await _append(store, sales_reported("xiaomi", "2025", units=999999))

    await _retract(store, wrong)

    log = await store.read(company="xiaomi")
    assert [type(s.event).__name__ for s in log] == ["CompanyRegistered", "SalesReported", "EventRetracted"]
    assert log[1].event.id == wrong
    assert log[2].event.event_id == wrong  # type: ignore[union-attr]
    assert await store.get(wrong) == log[1]


async def test_fact_and_its_retraction_in_one_batch_leave_no_trace_in_read_models(store: EventStore) -> None:
    event_id = new_id()

    await store.append_batch([sales_reported("xiaomi", "2025", units=1, id=event_id), event_retracted(event_id)])

    assert (await sales(store, "xiaomi")).items == []
    assert event_id not in await _timeline_ids(store, "xiaomi")


async def test_retracting_an_event_twice_is_already_retracted(store: EventStore) -> None:
    wrong = await _append(store, sales_reported("xiaomi", "2025", units=999999))
    await _retract(store, wrong)
    before = await store.last_position()

    with pytest.raises(AlreadyRetracted) as refused:
        await _retract(store, wrong)

    assert refused.value.event_id == str(wrong)
    assert await store.last_position() == before


async def test_retracting_an_event_twice_in_one_batch_is_already_retracted(store: EventStore) -> None:
    wrong = await _append(store, sales_reported("xiaomi", "2025", units=999999))
    before = await store.last_position()

    with pytest.raises(AlreadyRetracted):
        await store.append_batch([event_retracted(wrong), event_retracted(wrong, reason="Twice.")])

    assert await store.last_position() == before


async def test_retracting_an_unknown_id_is_invalid_input(store: EventStore) -> None:
    with pytest.raises(InvalidInput) as refused:
        await _retract(store, new_id())

    assert [error.path for error in refused.value.errors] == ["$.event_id"]
    assert await store.last_position() == 2


async def test_retracting_a_registration_is_invalid_input(store: EventStore) -> None:
    registration = (await store.read(limit=1))[0]

    with pytest.raises(InvalidInput) as refused:
        await _retract(store, registration.event.id)  # type: ignore[arg-type]

    assert [error.path for error in refused.value.errors] == ["$.event_id"]
    assert await store.last_position() == 2


async def test_retracting_a_retraction_is_invalid_input(store: EventStore) -> None:
    wrong = await _append(store, sales_reported("xiaomi", "2025", units=999999))
    retraction = await _append(store, event_retracted(wrong))

    with pytest.raises(InvalidInput):
        await _retract(store, retraction)


async def test_retracting_evidence_is_invalid_input(store: EventStore) -> None:
    fact = await _append(store, sales_reported("xiaomi", "2024", units=1))
    evidence = await _append(store, evidence_added(fact))

    with pytest.raises(InvalidInput):
        await _retract(store, evidence)


async def test_concurrent_retractions_of_one_event_let_exactly_one_through(store: EventStore) -> None:
    wrong = await _append(store, sales_reported("xiaomi", "2025", units=999999))

    outcomes = await asyncio.gather(
        *(store.append([event_retracted(wrong, reason=f"Retraction {n}.")]) for n in range(10)),
        return_exceptions=True,
    )

    assert sum(not isinstance(outcome, BaseException) for outcome in outcomes) == 1
    assert all(isinstance(outcome, AlreadyRetracted) for outcome in outcomes if isinstance(outcome, BaseException))
    assert len(await store.read(types=["event_retracted"])) == 1


async def test_a_retracted_event_reads_with_who_retracted_it_when_and_why(store: EventStore) -> None:
    kept = await _append(store, sales_reported("xiaomi", "2024", units=137000))
    wrong = await _append(store, sales_reported("xiaomi", "2025", units=999999))
    retraction = (await store.append([event_retracted(wrong, reason="It was a forecast.")])).events[0]

    read = await store.get(wrong, annotated=True)
    page = await store.read(after=0, annotated=True)

    assert read is not None and read.retracted is not None
    assert (read.retracted.event_id, read.retracted.position) == (retraction.event.id, retraction.position)
    assert (read.retracted.reason, read.retracted.recorded_at) == ("It was a forecast.", retraction.recorded_at)
    assert read.retracted.sources == retraction.event.sources
    assert {e.event.id: e.retracted is not None for e in page if e.event.id in (kept, wrong)} == {
        kept: False,
        wrong: True,
    }
    company_page = await store.read(after=0, company="xiaomi", annotated=True)
    assert [e.event.id for e in company_page if e.retracted is not None] == [wrong]


async def test_the_log_as_replayed_stays_as_stored(store: EventStore) -> None:
    wrong = await _append(store, sales_reported("xiaomi", "2025", units=999999))
    await _retract(store, wrong)

    plain = await store.get(wrong)
    replayed = await store.read(after=0)

    assert plain is not None and plain.retracted is None
    assert all(e.retracted is None for e in replayed), "the feed and exports carry events as stored"
