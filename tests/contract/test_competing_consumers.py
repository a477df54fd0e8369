"""Competing consumers: claims under leases, acks, nacks, parking and order, on both backends."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from api.errors import LimitReached, SubscriptionNotFound
from api.store.base import EventStore
from schema.subscriptions import SubscriptionSettings
from tests.factories import company_registered, meeting_held, sales_reported

MOST = 100


async def _sales(store: EventStore, count: int, companies: tuple[str, ...] = ("xiaomi", "byd")) -> None:
    """Registrations, then ``count`` sales figures taking turns among ``companies``."""
    await store.append_batch([company_registered(c) for c in companies])
    await store.append_batch(
        [sales_reported(companies[i % len(companies)], str(2000 + i), units=i) for i in range(count)]
    )


async def _subscribe(store: EventStore, name: str = "mailer", **settings: object) -> None:
    await store.put_subscription(name, SubscriptionSettings(**settings), most=MOST)  # type: ignore[arg-type]


def _positions(lease: object) -> list[int]:
    return [e.position for e in lease.events]  # type: ignore[attr-defined]


async def test_claims_hand_out_events_oldest_first_and_never_the_same_to_two_consumers(store: EventStore) -> None:
    await _sales(store, 4)
    await _subscribe(store)
    first, _ = await store.claim("mailer", "one", 3, most_leases=MOST)
    second, _ = await store.claim("mailer", "two", 10, most_leases=MOST)
    third, wait = await store.claim("mailer", "three", 10, most_leases=MOST)

    assert _positions(first) == [1, 2, 3]
    assert _positions(second) == [4, 5, 6]
    assert (third.events, third.lease_id, wait) == ([], None, pytest.approx(30, abs=1))  # the first lease ends in 30 s
    assert first.lease_id != second.lease_id and first.expires_at is not None
    state = await store.subscription("mailer")
    assert (state.pending, state.in_flight, state.leases) == (0, 6, 2)
    assert {(c.name, c.claims) for c in state.consumers} == {("one", 1), ("two", 1), ("three", 0)}


async def test_acked_events_are_done_and_move_the_acknowledged_position(store: EventStore) -> None:
    await _sales(store, 4)
    await _subscribe(store)
    lease, _ = await store.claim("mailer", "one", 4, most_leases=MOST)
    ids = [e.event.id for e in lease.events]
    assert lease.lease_id is not None and all(ids)

    done = await store.ack("mailer", lease.lease_id, [ids[0], ids[1], ids[3]])  # type: ignore[list-item]
    again = await store.ack("mailer", lease.lease_id, [ids[0]])  # type: ignore[list-item]

    assert (done.acknowledged, done.not_held) == (3, [])
    assert (again.acknowledged, again.not_held) == (0, [ids[0]])
    state = await store.subscription("mailer")
    assert (state.acknowledged, state.in_flight, state.pending) == (2, 1, 2)


async def test_an_ended_lease_is_handed_out_again_and_its_acks_no_longer_count(store: EventStore) -> None:
    await _sales(store, 0)
    await _subscribe(store, lease_seconds=1)
    first, _ = await store.claim("mailer", "one", 2, most_leases=MOST)
    await asyncio.sleep(1.1)
    second, _ = await store.claim("mailer", "two", 2, most_leases=MOST)
    late = await store.ack("mailer", first.lease_id or "", [e.event.id for e in first.events])  # type: ignore[misc]

    assert _positions(second) == _positions(first) == [1, 2]
    assert late.acknowledged == 0 and len(late.not_held) == 2
    assert (await store.subscription("mailer")).in_flight == 2


async def test_an_event_handed_out_max_deliveries_times_is_parked_and_can_be_replayed(store: EventStore) -> None:
    await _sales(store, 0, ("xiaomi",))
    await _subscribe(store, lease_seconds=1, max_deliveries=2)
    for _ in range(2):
        assert _positions((await store.claim("mailer", "one", 5, most_leases=MOST))[0]) == [1]
        await asyncio.sleep(1.05)
    parked, wait = await store.claim("mailer", "one", 5, most_leases=MOST)
    page = await store.parked("mailer", after=0, limit=10)

    assert (parked.events, wait) == ([], None)
    assert [(i.event.position, i.deliveries) for i in page.items] == [(1, 2)]
    assert "never acknowledged" in page.items[0].reason
    state = await store.subscription("mailer")
    assert (state.parked, state.pending, state.acknowledged) == (1, 0, 1)

    assert await store.replay_parked("mailer", []) == 1
    back, _ = await store.claim("mailer", "one", 5, most_leases=MOST)
    assert _positions(back) == [1]
    assert (await store.parked("mailer", after=0, limit=10)).items == []


async def test_a_nack_retries_now_or_later_or_parks(store: EventStore) -> None:
    await _sales(store, 1, ("xiaomi",))
    await _subscribe(store, max_deliveries=3)
    lease, _ = await store.claim("mailer", "one", 5, most_leases=MOST)
    registration, sale = (e.event.id for e in lease.events)
    assert lease.lease_id and registration and sale

    now = await store.nack("mailer", lease.lease_id, [registration], park=False, delay_seconds=0, reason="")
    later = await store.nack("mailer", lease.lease_id, [sale], park=False, delay_seconds=60, reason="busy")
    retried, wait = await store.claim("mailer", "two", 5, most_leases=MOST)

    assert (now.retried, later.retried) == (1, 1)
    assert _positions(retried) == [1]  # the other waits out its delay
    assert wait is None
    assert retried.lease_id
    parked = await store.nack("mailer", retried.lease_id, [registration], park=True, delay_seconds=0, reason="bad data")
    assert (parked.parked, parked.retried) == (1, 0)
    page = await store.parked("mailer", after=0, limit=10)
    assert [(i.event.position, i.deliveries, i.reason) for i in page.items] == [(1, 2, "bad data")]
    _, wait = await store.claim("mailer", "two", 5, most_leases=MOST)
    assert wait == pytest.approx(60, abs=2)


async def test_a_retry_of_an_event_handed_out_max_deliveries_times_parks_it(store: EventStore) -> None:
    await _sales(store, 0, ("xiaomi",))
    await _subscribe(store, max_deliveries=1)
    lease, _ = await store.claim("mailer", "one", 5, most_leases=MOST)
    assert lease.lease_id
    result = await store.nack(
        "mailer", lease.lease_id, [lease.events[0].event.id], park=False, delay_seconds=0, reason=""
    )  # type: ignore[list-item]
    assert (result.retried, result.parked) == (0, 1)
    assert "max_deliveries" in (await store.parked("mailer", after=0, limit=1)).items[0].reason


async def test_ordered_leases_a_company_to_one_consumer_at_a_time_in_position_order(store: EventStore) -> None:
    # 1 xiaomi, 2 byd, 3 nio; then sales of xiaomi, byd, nio in turn (4..9); 10 a meeting of xiaomi and byd.
    await _sales(store, 6, ("xiaomi", "byd", "nio"))
    await store.append([meeting_held("xiaomi", "byd")])
    await _subscribe(store, ordered=True)

    one, _ = await store.claim("mailer", "one", 1, most_leases=MOST)
    two, _ = await store.claim("mailer", "two", 3, most_leases=MOST)
    three, _ = await store.claim("mailer", "three", 10, most_leases=MOST)

    assert _positions(one) == [1]  # xiaomi
    assert _positions(two) == [2, 3, 5]  # byd, nio, byd's sale: xiaomi's sale (4) waits for 1
    assert _positions(three) == []  # every company is held; nio's sale 6 waits for 3, the meeting for 1 and 2
    assert one.lease_id and two.lease_id
    await store.ack("mailer", one.lease_id, [e.event.id for e in one.events])  # type: ignore[misc]
    four, _ = await store.claim("mailer", "three", 10, most_leases=MOST)
    assert _positions(four) == [4, 7]  # xiaomi's sales; the meeting still waits for byd


async def test_concurrent_claims_never_lease_one_event_twice(store: EventStore) -> None:
    await _sales(store, 58)
    await _subscribe(store)
    leases = await asyncio.gather(*(store.claim("mailer", f"c{i}", 3, most_leases=MOST) for i in range(25)))
    handed = Counter(p for lease, _ in leases for p in _positions(lease))
    assert sorted(handed) == list(range(1, 61)) and set(handed.values()) == {1}


async def test_the_leases_of_a_subscription_are_limited(store: EventStore) -> None:
    await _sales(store, 4)
    await _subscribe(store)
    await store.claim("mailer", "one", 1, most_leases=2)
    await store.claim("mailer", "two", 1, most_leases=2)
    with pytest.raises(LimitReached, match="most leases on subscription mailer \\(2"):
        await store.claim("mailer", "three", 1, most_leases=2)


async def test_claims_on_an_unknown_subscription_are_refused(store: EventStore) -> None:
    with pytest.raises(SubscriptionNotFound):
        await store.claim("nobody", "one", 1, most_leases=MOST)
    with pytest.raises(SubscriptionNotFound):
        await store.ack("nobody", "x", [])
    with pytest.raises(SubscriptionNotFound):
        await store.parked("nobody", after=0, limit=1)


async def test_a_subscription_outlives_the_store_being_closed_and_opened(store: EventStore) -> None:
    await _sales(store, 2)
    await _subscribe(store, ordered=True)
    lease, _ = await store.claim("mailer", "one", 2, most_leases=MOST)
    await store.close()
    await store.open()
    state = await store.subscription("mailer")
    assert (state.settings.ordered, state.in_flight, state.pending) == (True, 2, 2)
    assert lease.lease_id
    assert (await store.ack("mailer", lease.lease_id, [e.event.id for e in lease.events])).acknowledged == 2  # type: ignore[misc]


async def test_a_long_polls_next_look_writes_nothing_while_nothing_can_be_handed_out(store: EventStore) -> None:
    await _sales(store, 0)
    await _subscribe(store, start="now")
    idle, _ = await store.claim("mailer", "poller", 5, most_leases=MOST, again=True)
    assert idle.events == [] and (await store.subscription("mailer")).consumers == []
    await store.append([sales_reported("xiaomi", "2025", units=1)])
    woken, _ = await store.claim("mailer", "poller", 5, most_leases=MOST, again=True)
    assert _positions(woken) == [3]
    assert [(c.name, c.claims) for c in (await store.subscription("mailer")).consumers] == [("poller", 1)]
