"""Optimistic concurrency: a company's version is the number of events touching it."""

from __future__ import annotations

import asyncio

import pytest

from api.errors import InvalidInput, VersionMismatch
from api.store.base import EventStore, Expectation
from tests.contract.read_models import dossier
from tests.factories import (
    company_registered,
    event_retracted,
    evidence_added,
    meeting_held,
    sales_reported,
)


async def test_append_with_the_current_version_is_stored(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    result = await store.append([sales_reported("xiaomi", "2024", units=1)], expected=Expectation("xiaomi", 1))

    assert [stored.position for stored in result.events] == [2]
    assert await store.company_version("xiaomi") == 2


async def test_append_with_a_stale_version_is_refused(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    await store.append([sales_reported("xiaomi", "2024", units=1)])

    with pytest.raises(VersionMismatch) as refused:
        await store.append([sales_reported("xiaomi", "2025", units=2)], expected=Expectation("xiaomi", 1))

    assert (refused.value.company_id, refused.value.expected, refused.value.actual) == ("xiaomi", 1, 2)
    assert "1" in str(refused.value)
    assert "2" in str(refused.value)
    assert await store.last_position() == 2


async def test_append_with_a_version_ahead_of_the_company_is_refused(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    with pytest.raises(VersionMismatch) as refused:
        await store.append([sales_reported("xiaomi", "2024", units=1)], expected=Expectation("xiaomi", 5))

    assert (refused.value.expected, refused.value.actual) == (5, 1)


async def test_concurrent_appends_with_one_expected_version_let_exactly_one_through(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    outcomes = await asyncio.gather(
        *(
            store.append([sales_reported("xiaomi", "2024", units=n)], expected=Expectation("xiaomi", 1))
            for n in range(20)
        ),
        return_exceptions=True,
    )

    stored = [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert len(stored) == 1
    assert len(refused) == 19
    assert all(isinstance(error, VersionMismatch) and error.actual == 2 for error in refused)
    assert await store.company_version("xiaomi") == 2
    assert await store.last_position() == 2


async def test_version_counts_every_event_touching_the_company(store: EventStore) -> None:
    await store.append_batch([company_registered("xiaomi"), company_registered("samsung-electronics")])
    meeting = (await store.append([meeting_held("xiaomi", "samsung-electronics")])).events[0]
    figure = (await store.append([sales_reported("xiaomi", "2024", units=1)])).events[0]
    await store.append([evidence_added(meeting.event.id)])  # type: ignore[arg-type]
    await store.append([event_retracted(figure.event.id)])  # type: ignore[arg-type]

    # xiaomi: registration, meeting, figure, evidence on the meeting, retraction of the figure.
    assert await store.company_version("xiaomi") == 5
    # samsung-electronics: registration, meeting, evidence on the meeting.
    assert await store.company_version("samsung-electronics") == 3
    assert (await dossier(store, "xiaomi")).version == 5
    assert len(await store.read(company="xiaomi")) == 5


async def test_expected_version_counts_retractions_and_evidence(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])
    figure = (await store.append([sales_reported("xiaomi", "2024", units=1)])).events[0]
    await store.append([event_retracted(figure.event.id)])  # type: ignore[arg-type]

    with pytest.raises(VersionMismatch):
        await store.append([sales_reported("xiaomi", "2024", units=2)], expected=Expectation("xiaomi", 2))
    result = await store.append([sales_reported("xiaomi", "2024", units=2)], expected=Expectation("xiaomi", 3))

    assert result.events[0].position == 4


async def test_version_0_lets_a_new_company_be_registered(store: EventStore) -> None:
    result = await store.append([company_registered("xiaomi")], expected=Expectation("xiaomi", 0))

    assert result.events[0].position == 1
    assert await store.company_version("xiaomi") == 1


async def test_version_0_is_refused_once_the_company_is_registered(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    with pytest.raises(VersionMismatch) as refused:
        await store.append([company_registered("xiaomi", name="Xiaomi Corp.")], expected=Expectation("xiaomi", 0))

    assert (refused.value.expected, refused.value.actual) == (0, 1)


async def test_event_not_naming_the_expected_company_is_invalid_input(store: EventStore) -> None:
    await store.append_batch([company_registered("xiaomi"), company_registered("byd")])

    with pytest.raises(InvalidInput):
        await store.append([sales_reported("byd", "2024", units=1)], expected=Expectation("xiaomi", 1))

    assert await store.last_position() == 2
    assert await store.company_version("byd") == 1


async def test_company_version_of_an_unregistered_company_is_none(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    assert await store.company_version("ghost") is None
