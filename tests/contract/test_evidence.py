"""Evidence: another article reporting a fact adds its sources to that fact in every read model."""

from __future__ import annotations

from uuid import UUID

import pytest

from api.errors import InvalidInput
from api.store.base import EventStore
from schema.events import EventBase
from tests.contract.read_models import dossier, meetings, relationships, sales, timeline
from tests.factories import (
    SOURCE,
    company_registered,
    event_retracted,
    evidence_added,
    executive_reported,
    meeting_held,
    new_id,
    relationship_reported,
    sales_reported,
    source,
)

SPANISH = source("Xiaomi y Samsung: ¿Una Alianza?", language="es")
ENGLISH = source("Xiaomi and Samsung: A New Era?", language="en")


@pytest.fixture(autouse=True)
async def _companies(store: EventStore) -> None:
    await store.append_batch([company_registered("xiaomi"), company_registered("samsung-electronics")])


async def _append(store: EventStore, event: EventBase) -> UUID:
    stored = (await store.append([event])).events[0]  # type: ignore[list-item]
    assert stored.event.id is not None
    return stored.event.id


async def test_evidence_adds_its_sources_to_the_sales_figure(store: EventStore) -> None:
    fact = await _append(store, sales_reported("xiaomi", "2024", units=137000))

    await store.append([evidence_added(fact, sources=[SPANISH, ENGLISH])])

    (figure,) = (await sales(store, "xiaomi")).items
    (claim,) = figure.claims
    assert claim.source_count == 3
    assert claim.sources == [SOURCE, SPANISH, ENGLISH]
    (latest,) = (await dossier(store, "xiaomi")).latest_sales
    assert latest.claims[0].source_count == 3


async def test_each_evidence_event_grows_the_source_count(store: EventStore) -> None:
    fact = await _append(store, executive_reported("xiaomi", "lei-jun"))

    await store.append([evidence_added(fact, sources=[SPANISH])])
    await store.append([evidence_added(fact, sources=[ENGLISH])])

    (executive,) = (await dossier(store, "xiaomi")).profile.executives
    assert executive.source_count == 3
    assert executive.sources == [SOURCE, SPANISH, ENGLISH]


async def test_evidence_counts_in_the_timeline(store: EventStore) -> None:
    fact = await _append(store, sales_reported("xiaomi", "2024", units=137000))

    await store.append([evidence_added(fact, sources=[SPANISH])])

    counts = {item.event.event.id: item.source_count for item in (await timeline(store, "xiaomi")).items}
    assert counts[fact] == 2


async def test_evidence_on_a_relationship_counts_for_both_companies(store: EventStore) -> None:
    fact = await _append(store, relationship_reported("samsung-electronics", "xiaomi", components=["chips"]))

    await store.append([evidence_added(fact, sources=[SPANISH])])

    (supplier,) = (await relationships(store, "xiaomi")).suppliers
    (customer,) = (await relationships(store, "samsung-electronics")).customers
    assert (supplier.source_count, customer.source_count) == (2, 2)


async def test_evidence_on_a_meeting_counts_for_every_participant(store: EventStore) -> None:
    fact = await _append(store, meeting_held("xiaomi", "samsung-electronics"))

    await store.append([evidence_added(fact, sources=[SPANISH, ENGLISH])])

    for company in ("xiaomi", "samsung-electronics"):
        (meeting,) = (await meetings(store, company)).items
        assert meeting.source_count == 3


async def test_evidence_does_not_become_a_fact_of_its_own(store: EventStore) -> None:
    fact = await _append(store, sales_reported("xiaomi", "2024", units=137000))

    await store.append([evidence_added(fact)])

    assert len((await sales(store, "xiaomi")).items) == 1
    summary = await dossier(store, "xiaomi")
    assert "evidence_added" not in summary.counts
    assert len((await timeline(store, "xiaomi")).items) == 2  # the registration and the figure


async def test_evidence_on_a_retracted_event_is_invalid_input(store: EventStore) -> None:
    fact = await _append(store, sales_reported("xiaomi", "2024", units=137000))
    await store.append([event_retracted(fact)])
    before = await store.last_position()

    with pytest.raises(InvalidInput) as refused:
        await store.append([evidence_added(fact)])

    assert [error.path for error in refused.value.errors] == ["$.event_id"]
    assert await store.last_position() == before


async def test_evidence_on_an_unknown_id_is_invalid_input(store: EventStore) -> None:
    with pytest.raises(InvalidInput) as refused:
        await store.append([evidence_added(new_id())])

    assert [error.path for error in refused.value.errors] == ["$.event_id"]


async def test_evidence_on_evidence_is_invalid_input(store: EventStore) -> None:
    fact = await _append(store, sales_reported("xiaomi", "2024", units=137000))
    evidence = await _append(store, evidence_added(fact))

    with pytest.raises(InvalidInput):
        await store.append([evidence_added(evidence)])


async def test_evidence_in_a_batch_may_name_a_fact_earlier_in_the_batch(store: EventStore) -> None:
    fact_id = new_id()

    await store.append_batch(
        [sales_reported("xiaomi", "2024", units=1, id=fact_id), evidence_added(fact_id, sources=[SPANISH])]
    )

    (figure,) = (await sales(store, "xiaomi")).items
    assert figure.claims[0].source_count == 2
