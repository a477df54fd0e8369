"""Batches: every event is stored, in order, or none is."""

from __future__ import annotations

import pytest

from api.errors import InvalidInput
from api.store.base import EventStore
from tests.factories import company_registered, meeting_held, sales_reported


def _batch_with_unregistered_company_at_index_3() -> list:  # type: ignore[type-arg]
    return [
        company_registered("xiaomi"),
        company_registered("samsung-electronics"),
        sales_reported("xiaomi", "2024", units=137000),
        sales_reported("ghost", "2024", units=1),
        meeting_held("xiaomi", "samsung-electronics"),
    ]


async def test_batch_with_one_invalid_event_stores_nothing(store: EventStore) -> None:
    with pytest.raises(InvalidInput):
        await store.append_batch(_batch_with_unregistered_company_at_index_3())

    assert await store.last_position() == 0
    assert await store.read() == []
    assert await store.company_version("xiaomi") is None


async def test_batch_refusal_names_the_index_and_field_of_the_bad_event(store: EventStore) -> None:
    with pytest.raises(InvalidInput) as refused:
        await store.append_batch(_batch_with_unregistered_company_at_index_3())

    assert [error.path for error in refused.value.errors] == ["$.events[3].company_id"]
    assert "ghost" in refused.value.errors[0].message


async def test_batch_refusal_leaves_earlier_events_untouched(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    with pytest.raises(InvalidInput):
        await store.append_batch([sales_reported("xiaomi", "2024", units=1), sales_reported("ghost", "2024", units=1)])

    assert [stored.position for stored in await store.read()] == [1]
    assert await store.company_version("xiaomi") == 1


async def test_batch_may_register_a_company_and_name_it_later_in_the_batch(store: EventStore) -> None:
    result = await store.append_batch(
        [
            company_registered("xiaomi"),
            sales_reported("xiaomi", "2024", units=137000),
            company_registered("samsung-electronics"),
            meeting_held("xiaomi", "samsung-electronics"),
        ]
    )

    assert [stored.position for stored in result.events] == [1, 2, 3, 4]
    assert await store.company_version("xiaomi") == 3
    assert await store.company_version("samsung-electronics") == 2


async def test_batch_may_not_name_a_company_before_the_event_that_registers_it(store: EventStore) -> None:
    with pytest.raises(InvalidInput) as refused:
        await store.append_batch([sales_reported("xiaomi", "2024", units=1), company_registered("xiaomi")])

    assert [error.path for error in refused.value.errors] == ["$.events[0].company_id"]
    assert await store.last_position() == 0


async def test_batch_result_lists_the_stored_events_in_request_order(store: EventStore) -> None:
    sent = [
        company_registered("xiaomi"),
        sales_reported("xiaomi", "2025", units=2),
        sales_reported("xiaomi", "2024", units=1),
    ]

    result = await store.append_batch(sent)

    assert [stored.event.period for stored in result.events[1:]] == ["2025", "2024"]  # type: ignore[union-attr]
    assert result.new == 3
