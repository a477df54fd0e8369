"""Reading the log: pages after a position, filters by type and by company, always in position order."""

from __future__ import annotations

import pytest

from api.store.base import EventStore
from tests.factories import (
    company_registered,
    event_retracted,
    evidence_added,
    meeting_held,
    sales_reported,
)


@pytest.fixture
async def log(store: EventStore) -> EventStore:
    """1-3 registrations, 4 xiaomi sales, 5 byd sales, 6 meeting xiaomi+samsung, 7 evidence on 6, 8 retraction of 5."""
    await store.append_batch(
        [company_registered("xiaomi"), company_registered("samsung-electronics"), company_registered("byd")]
    )
    await store.append([sales_reported("xiaomi", "2024", units=1)])
    byd_sales = (await store.append([sales_reported("byd", "2024", units=2)])).events[0]
    meeting = (await store.append([meeting_held("xiaomi", "samsung-electronics")])).events[0]
    await store.append([evidence_added(meeting.event.id)])  # type: ignore[arg-type]
    await store.append([event_retracted(byd_sales.event.id)])  # type: ignore[arg-type]
    return store


async def _positions(store: EventStore, **options: object) -> list[int]:
    return [stored.position for stored in await store.read(**options)]  # type: ignore[arg-type]


async def test_read_returns_the_whole_log_in_position_order(log: EventStore) -> None:
    assert await _positions(log) == [1, 2, 3, 4, 5, 6, 7, 8]


async def test_read_after_a_position_starts_past_it(log: EventStore) -> None:
    assert await _positions(log, after=5) == [6, 7, 8]


async def test_read_limit_caps_the_page(log: EventStore) -> None:
    assert await _positions(log, after=2, limit=3) == [3, 4, 5]


async def test_read_after_the_last_position_is_empty(log: EventStore) -> None:
    assert await log.read(after=8) == []


async def test_read_filters_by_type(log: EventStore) -> None:
    assert await _positions(log, types=["sales_reported"]) == [4, 5]
    assert await _positions(log, types=["sales_reported", "evidence_added"]) == [4, 5, 7]


async def test_read_of_a_type_not_in_the_log_is_empty(log: EventStore) -> None:
    assert await log.read(types=["plan_announced"]) == []


async def test_read_filters_by_company_including_evidence_and_retractions_touching_it(log: EventStore) -> None:
    assert await _positions(log, company="xiaomi") == [1, 4, 6, 7]
    assert await _positions(log, company="samsung-electronics") == [2, 6, 7]
    assert await _positions(log, company="byd") == [3, 5, 8]


async def test_read_filters_combine_with_after_and_limit(log: EventStore) -> None:
    assert await _positions(log, company="xiaomi", types=["sales_reported", "meeting_held", "evidence_added"]) == [
        4,
        6,
        7,
    ]
    assert await _positions(log, company="xiaomi", after=4, limit=1) == [6]


async def test_read_of_an_unregistered_company_is_empty(log: EventStore) -> None:
    assert await log.read(company="ghost") == []


async def test_read_returns_the_stored_events(log: EventStore) -> None:
    page = await log.read(after=3, limit=1)

    assert len(page) == 1
    assert page[0] == await log.get(page[0].event.id)  # type: ignore[arg-type]
    assert page[0].event.company_id == "xiaomi"  # type: ignore[union-attr]
