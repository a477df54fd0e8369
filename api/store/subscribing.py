"""Durable subscriptions with competing consumers, over any driver: the one program for both databases.

A subscription is a row of ``subscriptions`` (its settings, the position it starts after, and
``scanned``: how far its matching events have been read from the log). Its events wait in
``subscription_events``, read from the log a window at a time as consumers claim: ``pending`` (with
the time it may be handed out: a retry's delay), ``leased`` (with the lease and when it ends) or
``parked``. An acknowledged event's row is deleted, so the acknowledged position is just below the
first pending or leased row (or ``scanned`` when there is none).

Every change runs in one write transaction that first takes the subscription's row (``SUB_LOCK``):
on SQLite the writer's ``BEGIN IMMEDIATE`` already serializes every write, on PostgreSQL the row
lock makes the claims, acks and nacks of one subscription wait for each other across instances.
So an event is never in two live leases: a claim sees every lease committed before it, ends the
expired ones, and leases only pending events. Times are milliseconds since the epoch, from the
database clock where it gives one (PostgreSQL), so instances on several hosts agree on a lease's end.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from api.errors import LimitReached, SubscriptionChanged, SubscriptionNotFound
from api.store import folding
from api.store.driver import Driver, Transaction
from api.store.filtered_pages import matching
from api.store.log_index import Facets
from api.store.statements import Q
from schema.declarations import Catalogue
from schema.events import StoredEvent
from schema.subscriptions import (
    AckResult,
    ConsumerSeen,
    Lease,
    NackResult,
    ParkedEvent,
    ParkedPage,
    SubscriptionSettings,
    SubscriptionState,
)

__all__ = ["Subscriptions"]

WINDOW = 1000
"""How many pending events a subscription keeps read from the log ahead of its consumers (an ordered
subscription looks this far for events whose companies are free)."""
_COUNTED = 1000
"""A page of the log counted for the pending events not yet read into a subscription."""

_settings = msgspec.json.Decoder(SubscriptionSettings)


def _ms(clock: Any) -> int:
    return int(clock) if clock is not None else int(time.time() * 1000)


def _time(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


class Subscriptions:
    """The subscription operations of one store (api.store.program.Store delegates to it)."""

    def __init__(self, driver: Driver, catalogue: Catalogue) -> None:
        self.driver = driver
        self.dialect = driver.dialect
        self.catalogue = catalogue

    # -- the subscriptions -------------------------------------------------------------

    async def put(self, name: str, settings: SubscriptionSettings, *, most: int) -> bool:
        """Make the subscription, or change its options; True when it was made. SubscriptionChanged when it
        exists with other filters or another start; LimitReached when ``most`` exist already."""
        async with self.driver.writing() as tx:
            found = await tx.row(Q.SUB_LOCK, name)
            if found is None:
                await tx.row(Q.SUB_MAKING)
                count = await tx.row(Q.SUB_COUNT)
                if count is not None and int(count[0]) >= most:
                    raise LimitReached("subscriptions", most, "subscriptions-max")
                start = await _start_after(tx, settings)
                made = await tx.row(Q.SUB_CREATE, name, msgspec.json.encode(settings), start, _ms(None))
                if made is not None:
                    return True
                found = await tx.row(Q.SUB_LOCK, name)  # another instance made it meanwhile
                assert found is not None
            stored = _settings.decode(bytes(found[0]))
            changed = [
                field
                for field, differs in (
                    ("types", sorted(set(stored.types)) != sorted(set(settings.types))),
                    ("companies", sorted(set(stored.companies)) != sorted(set(settings.companies))),
                    ("start", stored.start != settings.start),
                )
                if differs
            ]
            if changed:
                raise SubscriptionChanged(name, changed)
            kept = msgspec.structs.replace(settings, types=stored.types, companies=stored.companies, start=stored.start)
            await tx.run(Q.SUB_SET_SETTINGS, name, msgspec.json.encode(kept))
            return False

    async def delete(self, name: str) -> None:
        """Forget the subscription, its events and its consumers; SubscriptionNotFound when there is none."""
        async with self.driver.writing() as tx:
            if await tx.row(Q.SUB_LOCK, name) is None:
                raise SubscriptionNotFound(name)
            await tx.run_all([(q, [(name,)]) for q in (Q.SUB_DELETE_EVENTS, Q.SUB_DELETE_CONSUMERS, Q.SUB_DELETE)])

    async def state(self, name: str) -> SubscriptionState:
        async with self.driver.reading() as tx:
            found = await tx.row(Q.SUB_GET, name)
            if found is None:
                raise SubscriptionNotFound(name)
            return await self._state(tx, name, found)

    async def all(self) -> list[SubscriptionState]:
        async with self.driver.reading() as tx:
            return [await self._state(tx, str(row[0]), row[1:]) for row in await tx.rows(Q.SUB_LIST)]

    async def _state(self, tx: Transaction, name: str, found: Sequence[Any]) -> SubscriptionState:
        settings = _settings.decode(bytes(found[0]))
        start_after, scanned, created = int(found[1]), int(found[2]), int(found[3])
        now = _ms(None)
        counts = await tx.row(Q.SUB_COUNTS, name, now)
        assert counts is not None
        pending, in_flight, ended, parked, leases, first = counts
        unread = await _unread(tx, settings, scanned)
        consumers = [
            ConsumerSeen(name=str(consumer), last_seen=_time(int(seen)), claims=int(claims))
            for consumer, seen, claims in await tx.rows(Q.SUB_CONSUMERS, name)
        ]
        return SubscriptionState(
            name=name,
            settings=settings,
            created_at=_time(created),
            start_after=start_after,
            acknowledged=int(first) - 1 if first is not None else scanned,
            pending=int(pending) + int(ended) + unread,  # a lease that ended is handed out again at the next claim
            in_flight=int(in_flight),
            parked=int(parked),
            leases=int(leases),
            consumers=consumers,
        )

    # -- consumers ---------------------------------------------------------------------

    async def claim(
        self, name: str, consumer: str, limit: int, *, most_leases: int, again: bool = False
    ) -> tuple[Lease, float | None]:
        """Lease up to ``limit`` events to ``consumer``; with none pending, the lease is empty and the second
        value says in how many seconds one may come due (a delayed retry, a lease ending), None if none will
        without new events. LimitReached when the subscription holds ``most_leases`` leases. ``again``: a
        long-poll looking once more; it writes nothing (and records no claim) while nothing can be handed out."""
        if again and not await self._claimable(name):
            return Lease(subscription=name, consumer=consumer, lease_id=None, expires_at=None, events=[]), None
        async with self.driver.writing() as tx:
            found = await tx.row(Q.SUB_LOCK, name)
            if found is None:
                raise SubscriptionNotFound(name)
            settings = _settings.decode(bytes(found[0]))
            scanned, now = int(found[2]), _ms(found[4])
            await tx.run_all(
                [
                    (
                        Q.SUB_EXPIRE_PARK,
                        [
                            (
                                name,
                                now,
                                settings.max_deliveries,
                                f"handed out {settings.max_deliveries} times, never acknowledged",
                            )
                        ],
                    ),
                    (Q.SUB_EXPIRE_RETRY, [(name, now)]),
                ]
            )
            leases = await tx.row(Q.SUB_LEASES, name, now)
            if leases is not None and int(leases[0]) >= most_leases:
                raise LimitReached(f"leases on subscription {name}", most_leases, "leases-max")
            pending = await tx.row(Q.SUB_PENDING, name)
            if pending is not None and int(pending[0]) < WINDOW:
                await self._read_ahead(tx, name, settings, scanned, WINDOW - int(pending[0]))
            if settings.ordered:
                outstanding = await tx.rows(Q.SUB_OUTSTANDING, name, WINDOW)
                touched = await _touched(tx, [int(row[0]) for row in outstanding])
                chosen = _in_company_order(outstanding, touched, now, limit)
            else:
                chosen = [int(row[0]) for row in await tx.rows(Q.SUB_AVAILABLE, name, now, limit)]
            await tx.run(Q.SUB_SEEN, name, consumer, now, 1 if chosen else 0)
            if not chosen:
                due = await tx.row(Q.SUB_NEXT_DUE, name, now)
                wait = (int(due[0]) - now) / 1000 if due is not None and due[0] is not None else None
                return Lease(subscription=name, consumer=consumer, lease_id=None, expires_at=None, events=[]), wait
            lease, ends = str(uuid.uuid4()), now + settings.lease_seconds * 1000
            await tx.run_many(Q.SUB_LEASE, [(lease, ends, consumer, name, position) for position in chosen])
            events = await self._events(tx, chosen)
        return Lease(subscription=name, consumer=consumer, lease_id=lease, expires_at=_time(ends), events=events), None

    async def _claimable(self, name: str) -> bool:
        """Without the write lock: whether a claim might hand out an event now (one is due, a lease ended, or
        the log has events the subscription has not read yet); an idle long-poll then costs no write."""
        async with self.driver.reading() as tx:
            found = await tx.row(Q.SUB_GET, name)
            if found is None:
                raise SubscriptionNotFound(name)
            head = await tx.row(Q.LAST_POSITION)
            if head is not None and int(head[0]) > int(found[2]):
                return True
            return await tx.row(Q.SUB_DUE, name, _ms(None)) is not None

    async def _read_ahead(
        self, tx: Transaction, name: str, settings: SubscriptionSettings, scanned: int, want: int
    ) -> None:
        """Read up to ``want`` more matching events from the log into the subscription's pending events."""
        head_row = await tx.row(Q.LAST_POSITION)
        head = int(head_row[0]) if head_row else 0
        if head <= scanned:
            return
        if not settings.types and not settings.companies:
            upto = min(head, scanned + want)
            found = list(range(scanned + 1, upto + 1))  # positions are gap-free
        else:
            facets = Facets.of(types=settings.types, companies=settings.companies)
            found = await matching(tx, facets, scanned, head + 1, want, False)
            upto = found[-1] if len(found) == want else head
        await tx.run_all([(Q.SUB_ADD_EVENT, [(name, p) for p in found]), (Q.SUB_SET_SCANNED, [(name, upto)])])

    async def _events(self, tx: Transaction, positions: list[int]) -> list[StoredEvent]:
        rows = await tx.rows(Q.EVENTS_AT, positions)
        rows.sort(key=lambda row: int(row[0]))
        return [folding.stored_event(self.dialect, self.catalogue, *row) for row in rows]

    async def ack(self, name: str, lease: str, ids: Sequence[UUID]) -> AckResult:
        """Acknowledge the events of ``ids`` the lease holds; the others are named as not held."""
        async with self.driver.writing() as tx:
            held, not_held, _, _ = await self._held(tx, name, lease, ids)
            await tx.run_many(Q.SUB_ACK, [(name, position) for position in held])
        return AckResult(acknowledged=len(held), not_held=not_held)

    async def nack(
        self, name: str, lease: str, ids: Sequence[UUID], *, park: bool, delay_seconds: int, reason: str
    ) -> NackResult:
        """Hand back the events of ``ids`` the lease holds: retried after ``delay_seconds``, or parked (also
        those handed out ``max_deliveries`` times already)."""
        async with self.driver.writing() as tx:
            held, not_held, settings, now = await self._held(tx, name, lease, ids)
            spent = {p for p, deliveries in held.items() if park or deliveries >= settings.max_deliveries}
            retried = [p for p in held if p not in spent]
            why = reason or (
                "parked by the consumer"
                if park
                else f"handed back after {settings.max_deliveries} deliveries (max_deliveries)"
            )
            await tx.run_all(
                [
                    (Q.SUB_PARK, [(now, why, name, p) for p in sorted(spent)]),
                    (Q.SUB_RETRY, [(now + delay_seconds * 1000, name, p) for p in retried]),
                ]
            )
        return NackResult(retried=len(retried), parked=len(spent), not_held=not_held)

    async def _held(
        self, tx: Transaction, name: str, lease: str, ids: Sequence[UUID]
    ) -> tuple[dict[int, int], list[UUID], SubscriptionSettings, int]:
        """Of ``ids``, the positions the lease holds (with their deliveries) and the ids it does not hold."""
        found = await tx.row(Q.SUB_LOCK, name)
        if found is None:
            raise SubscriptionNotFound(name)
        settings, now = _settings.decode(bytes(found[0])), _ms(found[4])
        wanted = list(dict.fromkeys(ids))
        positions = {
            self.dialect.read_event_id(event_id): int(position)
            for event_id, position in await tx.rows(Q.TARGETS, [self.dialect.event_id(i) for i in wanted])
        }
        holds = {int(p): int(d) for p, d in await tx.rows(Q.SUB_HELD, name, lease)}
        held = {positions[i]: holds[positions[i]] for i in wanted if positions.get(i) in holds}
        return held, [i for i in wanted if positions.get(i) not in holds], settings, now

    # -- parked events -----------------------------------------------------------------

    async def parked(self, name: str, *, after: int, limit: int) -> ParkedPage:
        async with self.driver.reading() as tx:
            if await tx.row(Q.SUB_GET, name) is None:
                raise SubscriptionNotFound(name)
            rows = await tx.rows(Q.SUB_PARKED_PAGE, name, after, limit)
            events = {e.position: e for e in await self._events(tx, [int(r[0]) for r in rows])} if rows else {}
        items = [
            ParkedEvent(event=events[int(p)], deliveries=int(d), reason=str(reason or ""), parked_at=_time(int(at)))
            for p, d, reason, at in rows
        ]
        return ParkedPage(items=items, next_after=items[-1].event.position if items else after)

    async def replay(self, name: str, ids: Sequence[UUID]) -> int:
        """Make parked events pending again (those of ``ids``; none named: every one); how many were."""
        async with self.driver.writing() as tx:
            if await tx.row(Q.SUB_LOCK, name) is None:
                raise SubscriptionNotFound(name)
            parked = [int(row[0]) for row in await tx.rows(Q.SUB_PARKED, name)]
            if ids:
                named = await tx.rows(Q.TARGETS, [self.dialect.event_id(i) for i in dict.fromkeys(ids)])
                chosen = {int(position) for _, position in named}
                parked = [p for p in parked if p in chosen]
            await tx.run_many(Q.SUB_REPLAY, [(name, p) for p in parked])
        return len(parked)


async def _start_after(tx: Transaction, settings: SubscriptionSettings) -> int:
    if settings.start == "beginning":
        return 0
    if settings.start == "now":
        row = await tx.row(Q.LAST_POSITION)
        return int(row[0]) if row else 0
    return int(settings.start)


async def _unread(tx: Transaction, settings: SubscriptionSettings, scanned: int) -> int:
    """The matching events of the log after ``scanned``: not yet read into the subscription."""
    head_row = await tx.row(Q.LAST_POSITION)
    head = int(head_row[0]) if head_row else 0
    if head <= scanned:
        return 0
    if not settings.types and not settings.companies:
        return head - scanned
    facets = Facets.of(types=settings.types, companies=settings.companies)
    count, after = 0, scanned
    while found := await matching(tx, facets, after, head + 1, _COUNTED, False):
        count += len(found)
        after = found[-1]
        if len(found) < _COUNTED:
            break
    return count


async def _touched(tx: Transaction, positions: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    if positions:
        for position, company in await tx.rows(Q.TOUCHED, positions):
            result.setdefault(int(position), []).append(str(company))
    return result


def _in_company_order(
    outstanding: Sequence[Sequence[Any]], touched: dict[int, list[str]], now: int, limit: int
) -> list[int]:
    """The events an ordered claim may take, oldest first: a pending, due event none of whose companies has an
    earlier event still leased, waiting or passed over. The claim's own events do not hold a company back, so
    one consumer gets several events of a company in order, and no other consumer gets any until they are done."""
    held: set[str] = set()
    chosen: list[int] = []
    for position, state, due in outstanding:
        companies = touched.get(int(position), [])
        if state != "pending" or int(due) > now or held.intersection(companies):
            held.update(companies)
            continue
        chosen.append(int(position))
        if len(chosen) == limit:
            break
    return chosen
