"""Appending one event: its position, its recording time, its id, and reading it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from api.store.base import EventStore
from tests.factories import company_registered, new_id, sales_reported


async def test_first_append_is_stored_at_position_1(store: EventStore) -> None:
    result = await store.append([company_registered("xiaomi")])

    assert [stored.position for stored in result.events] == [1]
    assert result.created is True
    assert result.new == 1
    assert await store.last_position() == 1


async def test_empty_store_has_last_position_0(store: EventStore) -> None:
    assert await store.last_position() == 0


async def test_recorded_at_is_the_utc_time_of_the_append(store: EventStore) -> None:
    before = datetime.now(UTC)
    stored = (await store.append([company_registered("xiaomi")])).events[0]
    after = datetime.now(UTC)

    assert stored.recorded_at.utcoffset() == timedelta(0)
    # The database's clock may differ from ours by a little; a whole minute would be a wrong zone.
    assert before - timedelta(seconds=5) <= stored.recorded_at <= after + timedelta(seconds=5)


async def test_server_assigns_a_uuid7_when_the_id_is_absent(store: EventStore) -> None:
    stored = (await store.append([company_registered("xiaomi")])).events[0]

    assert stored.event.id is not None
    assert stored.event.id.version == 7


async def test_server_ids_differ_between_events(store: EventStore) -> None:
    result = await store.append_batch([company_registered("xiaomi"), company_registered("byd")])

    assert result.events[0].event.id != result.events[1].event.id


async def test_client_supplied_id_is_kept(store: EventStore) -> None:
    event_id = new_id()

    stored = (await store.append([company_registered("xiaomi", id=event_id)])).events[0]

    assert stored.event.id == event_id


async def test_get_returns_the_event_as_sent_plus_its_id(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    sent = sales_reported("xiaomi", "2024", units=137000, revenue="4500000000", approximate=True, product="SU7")

    stored = (await store.append([sent])).events[0]
    got = await store.get(stored.event.id)  # type: ignore[arg-type]

    assert got is not None
    assert got.position == 2
    assert got.recorded_at == stored.recorded_at
    assert got.event == msgspec.structs.replace(sent, id=stored.event.id)
    assert got == stored


async def test_get_of_an_unknown_id_returns_none(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    assert await store.get(new_id()) is None
