"""Positions: 1, 2, 3, … gap-free in commit order, whatever the mix of appends."""

from __future__ import annotations

import asyncio

import pytest

from api.errors import InvalidInput
from api.store.base import EventStore
from tests.factories import company_registered, sales_reported


async def _positions(store: EventStore) -> list[int]:
    return [stored.position for stored in await store.read(limit=1000)]


async def test_positions_are_gap_free_across_single_appends_and_batches(store: EventStore) -> None:
    single = await store.append([company_registered("xiaomi")])
    batch = await store.append_batch(
        [
            sales_reported("xiaomi", "2024", units=1),
            sales_reported("xiaomi", "2025", units=2),
            company_registered("byd"),
        ]
    )
    another = await store.append([sales_reported("byd", "2024", units=3)])
    last = await store.append_batch([sales_reported("byd", "2025", units=4), sales_reported("xiaomi", "2026", units=5)])

    assert [s.position for s in single.events] == [1]
    assert [s.position for s in batch.events] == [2, 3, 4]
    assert [s.position for s in another.events] == [5]
    assert [s.position for s in last.events] == [6, 7]
    assert await _positions(store) == [1, 2, 3, 4, 5, 6, 7]
    assert await store.last_position() == 7


async def test_refused_appends_leave_no_gap_in_positions(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    with pytest.raises(InvalidInput):
        await store.append_batch([sales_reported("xiaomi", "2024", units=1), sales_reported("ghost", "2024", units=1)])
    with pytest.raises(InvalidInput):
        await store.append([sales_reported("ghost", "2024", units=1)])

    stored = (await store.append([sales_reported("xiaomi", "2025", units=2)])).events[0]

    assert stored.position == 2
    assert await _positions(store) == [1, 2]


async def test_concurrent_appends_get_gap_free_positions(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    results = await asyncio.gather(
        *(store.append([sales_reported("xiaomi", "2024", units=n)]) for n in range(30)),
        *(store.append_batch([sales_reported("xiaomi", "2025", units=n)] * 2) for n in range(10)),
    )

    given = sorted(stored.position for result in results for stored in result.events)
    assert given == list(range(2, 52))
    assert await _positions(store) == list(range(1, 52))


async def test_recorded_at_never_runs_backwards_in_position_order(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    for n in range(10):
        await store.append([sales_reported("xiaomi", "2024", units=n)])

    times = [stored.recorded_at for stored in await store.read(limit=1000)]

    assert times == sorted(times)
