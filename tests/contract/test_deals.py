"""Deals read back where a reader looks, on every backend: the parent a completed acquisition makes
and the pending deals of every party, as of a time (``as_of``) and at a position; a retracted
announcement is pending nowhere. Real items come from seeds/samsung-xiaomi-news-2025.ndjson."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.events import EventBase
from tests.contract.read_models import LATEST, conflicts, dossier
from tests.factories import (
    acquisition_announced,
    acquisition_completed,
    company_registered,
    event_retracted,
    new_id,
)

ANNOUNCED = UUID("019a0000-0000-7006-8a1d-000000000603")
COMPLETED = UUID("019a0000-0000-7006-8a1d-000000000604")


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


async def _append(store: EventStore, *events: EventBase) -> list[int]:
    return [(await store.append([event])).events[0].position for event in events]


async def _parent(store: EventStore, company: str, point: ReadPoint = LATEST) -> str | None:
    parent = (await dossier(store, company, point)).profile.parent
    return None if parent is None else parent.company_id


async def test_flaktgroup_changes_parent_only_as_of_the_completion(store: EventStore) -> None:
    events = seed_events()
    completion = next(i for i, e in enumerate(events) if e.id == COMPLETED)
    await load_ndjson(store, events[:completion])
    (done,) = (await store.append([events[completion]])).events
    before = ReadPoint(as_of=done.recorded_at - timedelta(microseconds=1))

    assert await _parent(store, "flaktgroup", before) == "triton"
    assert await _parent(store, "flaktgroup", ReadPoint(as_of=done.recorded_at)) == "samsung-electronics"
    assert [d.event_id for d in (await dossier(store, "triton", before)).pending_deals] == [ANNOUNCED]
    assert (await dossier(store, "triton")).pending_deals == []
    subsidiaries = [ref.company_id for ref in (await dossier(store, "samsung-electronics")).profile.subsidiaries]
    assert "flaktgroup" in subsidiaries


async def test_a_retracted_announcement_is_pending_nowhere(seeded: EventStore) -> None:
    store = seeded
    (position,) = await _append(store, company_registered("kone", country="FI"))
    announcement = new_id()
    await _append(store, acquisition_announced("kone", "flaktgroup", id=announcement))
    pending = (await dossier(store, "kone")).pending_deals

    await _append(store, event_retracted(announcement))

    assert [d.event_id for d in pending] == [announcement]
    assert (await dossier(store, "kone")).pending_deals == []
    assert (await dossier(store, "kone", ReadPoint(at_position=position + 1))).pending_deals == pending


async def test_a_later_majority_acquisition_moves_the_parent_again_and_the_sellers_lose_the_subsidiary(
    seeded: EventStore,
) -> None:
    store = seeded
    await _append(store, company_registered("kone", country="FI"))
    announcement = new_id()
    await _append(
        store,
        acquisition_announced("kone", "flaktgroup", "samsung-electronics", stake_percent="60", id=announcement),
        acquisition_completed("kone", "flaktgroup", announcement_id=announcement, stake_percent="60"),
    )

    samsung = [ref.company_id for ref in (await dossier(store, "samsung-electronics")).profile.subsidiaries]
    kone = [ref.company_id for ref in (await dossier(store, "kone")).profile.subsidiaries]
    assert await _parent(store, "flaktgroup") == "kone"
    assert ("flaktgroup" in samsung, kone) == (False, ["flaktgroup"])


async def test_announcements_of_one_deal_that_disagree_on_the_stake_are_a_deal_conflict(seeded: EventStore) -> None:
    store = seeded
    await _append(store, acquisition_announced("samsung-electronics", "flaktgroup", "triton", stake_percent="80"))

    found = [c for c in (await conflicts(store, "triton")).items if c.kind == "deal"]

    assert [c.deal.disputed for c in found if c.deal is not None] == [True]
