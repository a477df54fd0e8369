"""Reads at a log position or a recorded time show what was known then, and nothing later."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.events import StoredEvent
from tests.contract.read_models import company_ids, dossier, meetings, sales, timeline
from tests.factories import (
    company_registered,
    event_retracted,
    evidence_added,
    meeting_held,
    profile_updated,
    sales_reported,
    source,
)


def _before(stored: StoredEvent) -> ReadPoint:
    """A recorded time just before ``stored`` was appended."""
    return ReadPoint(as_of=stored.recorded_at - timedelta(microseconds=1))


async def _periods(store: EventStore, point: ReadPoint) -> list[str]:
    return [figure.period for figure in (await sales(store, "xiaomi", point)).items]


async def _append(store: EventStore, *events: object) -> StoredEvent:
    return (await store.append(list(events))).events[-1]  # type: ignore[arg-type]


@pytest.fixture
async def history(store: EventStore) -> dict[str, StoredEvent]:
    """xiaomi registered; figure 2024; figure 2025; retraction of 2024; figure 2026."""
    steps = {"registered": await _append(store, company_registered("xiaomi"))}
    steps["2024"] = await _append(store, sales_reported("xiaomi", "2024", units=1))
    steps["2025"] = await _append(store, sales_reported("xiaomi", "2025", units=2))
    steps["retraction"] = await _append(store, event_retracted(steps["2024"].event.id))  # type: ignore[arg-type]
    steps["2026"] = await _append(store, sales_reported("xiaomi", "2026", units=3))
    return steps


async def test_read_at_a_position_does_not_show_later_facts(store: EventStore, history: dict[str, StoredEvent]) -> None:
    assert await _periods(store, ReadPoint(at_position=history["2024"].position)) == ["2024"]
    assert await _periods(store, ReadPoint(at_position=history["2025"].position)) == ["2024", "2025"]


async def test_read_at_a_position_does_not_apply_later_retractions(
    store: EventStore, history: dict[str, StoredEvent]
) -> None:
    assert await _periods(store, ReadPoint(at_position=history["retraction"].position - 1)) == ["2024", "2025"]
    assert await _periods(store, ReadPoint(at_position=history["retraction"].position)) == ["2025"]


async def test_read_as_of_a_time_does_not_show_later_facts(store: EventStore, history: dict[str, StoredEvent]) -> None:
    assert await _periods(store, _before(history["2025"])) == ["2024"]
    assert await _periods(store, ReadPoint(as_of=history["2025"].recorded_at)) == ["2024", "2025"]


async def test_read_as_of_a_time_does_not_apply_later_retractions(
    store: EventStore, history: dict[str, StoredEvent]
) -> None:
    assert await _periods(store, _before(history["retraction"])) == ["2024", "2025"]
    assert await _periods(store, _before(history["2026"])) == ["2025"]


async def test_latest_read_shows_every_fact_not_retracted(store: EventStore, history: dict[str, StoredEvent]) -> None:
    assert await _periods(store, ReadPoint()) == ["2025", "2026"]
    assert await _periods(store, ReadPoint(at_position=10_000)) == ["2025", "2026"]


async def test_version_and_last_position_are_those_at_the_read_point(
    store: EventStore, history: dict[str, StoredEvent]
) -> None:
    at = history["2025"].position

    earlier = await dossier(store, "xiaomi", ReadPoint(at_position=at))
    as_of = await dossier(store, "xiaomi", ReadPoint(as_of=history["2025"].recorded_at))

    assert (earlier.version, earlier.last_position) == (3, 3)
    assert (as_of.version, as_of.last_position) == (3, 3)
    assert (await dossier(store, "xiaomi")).version == 5


async def test_timeline_at_a_position_holds_the_facts_known_then(
    store: EventStore, history: dict[str, StoredEvent]
) -> None:
    items = (await timeline(store, "xiaomi", ReadPoint(at_position=history["2025"].position))).items

    assert sorted(item.event.position for item in items) == [1, 2, 3]


async def test_read_at_a_position_does_not_count_later_evidence(store: EventStore) -> None:
    await store.append_batch([company_registered("xiaomi"), company_registered("samsung-electronics")])
    meeting = await _append(store, meeting_held("xiaomi", "samsung-electronics"))
    await store.append([evidence_added(meeting.event.id, sources=[source("Later article")])])  # type: ignore[arg-type]

    (then,) = (await meetings(store, "xiaomi", ReadPoint(at_position=meeting.position))).items
    (now,) = (await meetings(store, "xiaomi")).items

    assert (then.source_count, now.source_count) == (1, 2)


async def test_company_registered_later_is_unknown_at_an_earlier_point(store: EventStore) -> None:
    first = await _append(store, company_registered("xiaomi"))
    second = await _append(store, company_registered("byd"))

    assert await store.read_model("dossier", "byd", ReadPoint(at_position=first.position)) is None
    assert await store.read_model("dossier", "byd", _before(second)) is None
    assert await company_ids(store, ReadPoint(at_position=first.position)) == ["xiaomi"]
    assert await company_ids(store) == ["byd", "xiaomi"]


async def test_profile_at_a_position_is_the_profile_valid_then(store: EventStore) -> None:
    first = await _append(store, company_registered("xiaomi", name="Xiaomi", sectors=["phones"]))
    await store.append([profile_updated("xiaomi", sectors_added=["cars"], aliases_added=["Xiaomi Corporation"])])

    then = await dossier(store, "xiaomi", ReadPoint(at_position=first.position))

    assert (then.profile.sectors, then.profile.aliases) == (["phones"], [])
    now = (await dossier(store, "xiaomi")).profile
    assert (now.sectors, now.aliases) == (["phones", "cars"], ["Xiaomi Corporation"])


async def test_read_before_the_first_event_finds_no_company(store: EventStore) -> None:
    first = await _append(store, company_registered("xiaomi"))

    assert await store.read_model("dossier", "xiaomi", _before(first)) is None
    assert await company_ids(store, _before(first)) == []
