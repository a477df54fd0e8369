"""Idempotency: an id is stored once; the same id again replays the original, other content conflicts."""

from __future__ import annotations

import asyncio

import pytest

from api.errors import IdConflict, InvalidInput
from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from tests.factories import company_registered, event_retracted, new_id, sales_reported


async def test_same_id_and_content_replays_the_original_position(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    event = sales_reported("xiaomi", "2024", units=137000, id=new_id())
    first = await store.append([event])

    again = await store.append([event])

    assert again.created is False
    assert again.new == 0
    assert again.events == first.events


async def test_replay_stores_nothing_new(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    event = sales_reported("xiaomi", "2024", units=137000, id=new_id())
    await store.append([event])

    await store.append([event])
    await store.append_batch([event])

    assert await store.last_position() == 2
    assert await store.company_version("xiaomi") == 2


async def test_same_id_with_different_content_is_an_id_conflict(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    event_id = new_id()
    await store.append([sales_reported("xiaomi", "2024", units=137000, id=event_id)])

    with pytest.raises(IdConflict) as conflict:
        await store.append([sales_reported("xiaomi", "2024", units=140000, id=event_id)])

    assert conflict.value.event_id == str(event_id)
    assert await store.last_position() == 2
    stored = await store.get(event_id)
    assert stored is not None
    assert stored.event.units.value == 137000  # type: ignore[union-attr]


async def test_id_conflict_in_a_batch_stores_nothing_of_it(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    event_id = new_id()
    await store.append([sales_reported("xiaomi", "2024", units=1, id=event_id)])

    with pytest.raises(IdConflict):
        await store.append_batch(
            [sales_reported("xiaomi", "2025", units=2), sales_reported("xiaomi", "2024", units=3, id=event_id)]
        )

    assert await store.last_position() == 2


async def test_duplicate_id_inside_one_batch_is_invalid_input(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    event_id = new_id()

    with pytest.raises(InvalidInput) as refused:
        await store.append_batch(
            [
                sales_reported("xiaomi", "2024", units=1, id=event_id),
                sales_reported("xiaomi", "2024", units=1, id=event_id),
            ]
        )

    assert [error.path for error in refused.value.errors] == ["$.events[1].id"]
    assert await store.last_position() == 1


async def test_concurrent_appends_of_one_event_store_it_once(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    event = sales_reported("xiaomi", "2024", units=137000, id=new_id())

    results = await asyncio.gather(*(store.append([event]) for _ in range(50)))

    assert {result.events[0].position for result in results} == {2}
    assert sum(result.new for result in results) == 1
    assert await store.last_position() == 2
    assert len(await store.read(types=["sales_reported"])) == 1


async def test_retrying_a_retraction_replays_it(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    figure = (await store.append([sales_reported("xiaomi", "2024", units=1)])).events[0]
    retraction = event_retracted(figure.event.id, id=new_id())  # type: ignore[arg-type]
    first = await store.append([retraction])

    again = await store.append([retraction])

    assert again.created is False
    assert again.events == first.events


async def test_loading_the_seeds_twice_stores_them_once(store: EventStore) -> None:
    events = seed_events()

    first = await load_ndjson(store, events)
    second = await load_ndjson(store, events)

    assert first == (len(events), 0)
    assert second == (0, len(events))
    assert await store.last_position() == len(events)
