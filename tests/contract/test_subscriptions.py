"""Durable subscriptions: made, changed, listed and deleted in the store, beside the log, on both backends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.errors import LimitReached, SubscriptionChanged, SubscriptionNotFound
from api.store import subscribing
from api.store.base import EventStore
from schema.subscriptions import SubscriptionSettings
from tests.factories import company_registered, sales_reported


async def _log(store: EventStore) -> None:
    await store.append_batch(
        [
            company_registered("xiaomi"),
            company_registered("byd"),
            sales_reported("xiaomi", "2024", units=1),
            sales_reported("byd", "2024", units=2),
        ]
    )


async def test_a_new_subscription_from_the_beginning_has_every_event_pending(store: EventStore) -> None:
    await _log(store)
    assert await store.put_subscription("mailer", SubscriptionSettings(), most=10) is True
    state = await store.subscription("mailer")
    assert (state.start_after, state.acknowledged, state.pending, state.in_flight, state.parked) == (0, 0, 4, 0, 0)
    assert state.settings == SubscriptionSettings()
    assert state.consumers == []


async def test_filters_count_only_the_matching_events(store: EventStore) -> None:
    await _log(store)
    await store.put_subscription("sales", SubscriptionSettings(types=["sales_reported"]), most=10)
    await store.put_subscription("byd", SubscriptionSettings(companies=["byd"]), most=10)
    assert (await store.subscription("sales")).pending == 2
    assert (await store.subscription("byd")).pending == 2


async def test_start_now_skips_the_log_so_far_and_a_position_skips_up_to_it(store: EventStore) -> None:
    await _log(store)
    await store.put_subscription("new", SubscriptionSettings(start="now"), most=10)
    await store.put_subscription("late", SubscriptionSettings(start=3), most=10)
    new, late = await store.subscription("new"), await store.subscription("late")
    assert (new.start_after, new.acknowledged, new.pending) == (4, 4, 0)
    assert (late.start_after, late.pending) == (3, 1)
    await store.append([sales_reported("xiaomi", "2025", units=3)])
    assert (await store.subscription("new")).pending == 1


async def test_putting_again_changes_the_options_but_never_the_filters_or_the_start(store: EventStore) -> None:
    await store.put_subscription("mailer", SubscriptionSettings(types=["sales_reported"]), most=10)
    changed = SubscriptionSettings(types=["sales_reported"], max_deliveries=2, lease_seconds=5, ordered=True)
    assert await store.put_subscription("mailer", changed, most=10) is False
    assert (await store.subscription("mailer")).settings == changed
    with pytest.raises(SubscriptionChanged) as refused:
        await store.put_subscription("mailer", SubscriptionSettings(companies=["byd"], start="now"), most=10)
    assert [e.path for e in refused.value.field_errors()] == ["$.types", "$.companies", "$.start"]
    assert (await store.subscription("mailer")).settings == changed


async def test_subscriptions_are_listed_by_name_and_limited_in_number(store: EventStore) -> None:
    for name in ("b", "a", "c"):
        await store.put_subscription(name, SubscriptionSettings(), most=3)
    assert [s.name for s in await store.subscriptions()] == ["a", "b", "c"]
    with pytest.raises(LimitReached, match="most subscriptions \\(3"):
        await store.put_subscription("d", SubscriptionSettings(), most=3)
    assert (
        await store.put_subscription("a", SubscriptionSettings(lease_seconds=9), most=3) is False
    )  # a change is no new one


async def test_makers_racing_for_the_last_places_never_exceed_the_limit(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight subscriptions made at once for three places: three made. Finding where each starts is made slow,
    so that on PostgreSQL (two writing connections, as two instances would be) makers overlap there."""
    await _log(store)
    start_after = subscribing._start_after

    async def slowly(*args: Any) -> int:
        await asyncio.sleep(0.05)
        return await start_after(*args)

    monkeypatch.setattr(subscribing, "_start_after", slowly)

    async def make(name: str) -> bool:
        try:
            return await store.put_subscription(name, SubscriptionSettings(), most=3)
        except LimitReached:
            return False

    made = await asyncio.gather(*(make(f"racer-{n}") for n in range(8)))
    assert sum(made) == 3
    assert len(await store.subscriptions()) == 3


async def test_a_deleted_subscription_is_gone_with_its_events(store: EventStore) -> None:
    await _log(store)
    await store.put_subscription("mailer", SubscriptionSettings(), most=10)
    await store.claim("mailer", "one", 2, most_leases=10)
    await store.delete_subscription("mailer")
    with pytest.raises(SubscriptionNotFound):
        await store.subscription("mailer")
    with pytest.raises(SubscriptionNotFound):
        await store.delete_subscription("mailer")
    await store.put_subscription("mailer", SubscriptionSettings(), most=10)
    again = await store.subscription("mailer")
    assert (again.pending, again.in_flight, again.consumers) == (4, 0, [])
