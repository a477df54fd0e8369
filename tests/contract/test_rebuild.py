"""Read models are derived: rebuilding them from the log gives the same bytes and the same rows (search and
people indexes too), and they agree with the log."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from api.projections import words
from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from tests.contract.history import History, random_history
from tests.contract.read_models import company_ids, dossier, encoded_read_models, timeline
from tests.contract.tables import tables

SEED = 20250322
SIZE = 1500


def _differences(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """Read models whose bytes changed, appeared or disappeared (named, so a failure is readable)."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


@pytest.fixture
async def history(store: EventStore) -> History:
    history = random_history(SEED, SIZE)
    await history.append_to(store, random.Random(SEED))
    return history


async def test_rebuild_of_the_seed_data_reproduces_every_read_model(store: EventStore) -> None:
    await load_ndjson(store, seed_events())
    before = await encoded_read_models(store)

    assert await store.rebuild() == len(seed_events())

    assert _differences(before, await encoded_read_models(store)) == []
    # The company list, twelve read models of each of the eleven companies, the people list and four people.
    assert len(before) == 1 + 11 * 12 + 1 + 4


async def test_rebuild_after_a_random_history_reproduces_every_read_model(store: EventStore, history: History) -> None:
    last = await store.last_position()
    earlier = ReadPoint(at_position=last // 2)
    before, before_earlier = await encoded_read_models(store), await encoded_read_models(store, earlier)

    assert await store.rebuild() == last

    assert _differences(before, await encoded_read_models(store)) == []
    assert _differences(before_earlier, await encoded_read_models(store, earlier)) == []


async def _found(store: EventStore) -> list[list[object]]:
    """What searches for words and a prefix find, and people by a part of their name; none of it empty."""
    found: list[list[object]] = []
    for q in ("company", "model", "tidings tests", "artic"):
        _, documents, _ = await store.search(ReadPoint(), words.query_terms(q), offset=0, limit=500)
        found.append(list(documents))
    for part in ("person", "son-1", "rson-3"):
        people, _ = await store.people(ReadPoint(), q=part, company=None, cursor=None, limit=100)
        found.append(list(people))
    assert all(found)
    return found


async def test_rebuild_after_a_random_history_writes_every_row_the_appends_wrote(
    store: EventStore, history: History
) -> None:
    await load_ndjson(store, seed_events())  # people at meetings, which the random history has none of
    before, answers = await tables(store), await _found(store)

    await store.rebuild()

    after = await tables(store)
    assert sorted(after) == sorted(before)
    for name in before:
        assert after[name] == before[name], f"table {name} differs"
    assert sum(len(rows) for rows in after.values()) > 10 * SIZE
    assert await _found(store) == answers
    assert await store.check() == []


@pytest.mark.parametrize("projection", ["search", "people"])
async def test_rebuild_of_one_projection_writes_its_rows_again(
    store: EventStore, history: History, projection: str
) -> None:
    await load_ndjson(store, seed_events())
    before, answers = await tables(store), await _found(store)

    await store.rebuild(only=[projection])

    after = await tables(store)
    assert [name for name in before if after[name] != before[name]] == []
    assert await _found(store) == answers


async def test_rebuild_of_an_empty_store_folds_nothing(store: EventStore) -> None:
    assert await store.rebuild() == 0
    assert await company_ids(store) == []


async def test_random_history_is_stored_whole_and_gap_free(store: EventStore, history: History) -> None:
    positions = [stored.position for stored in await store.read(limit=SIZE + 100)]

    assert positions == list(range(1, len(history.events) + 1))


async def test_company_versions_after_a_random_history_count_every_event_touching_each_company(
    store: EventStore, history: History
) -> None:
    found = {company: await store.company_version(company) for company in history.versions}

    assert found == history.versions


async def test_dossier_versions_after_a_random_history_count_every_event_touching_each_company(
    store: EventStore, history: History
) -> None:
    found = {company: (await dossier(store, company)).version for company in history.versions}

    assert found == history.versions


async def test_timelines_after_a_random_history_hold_exactly_the_facts_not_retracted(
    store: EventStore, history: History
) -> None:
    retracted = sum(fact.retracted for fact in history.facts.values())
    assert retracted > 20, "the history should retract a fair number of facts"

    for company in await company_ids(store):
        items = (await timeline(store, company)).items
        expected = history.live_facts(company)
        assert {item.event.event.id: item.source_count for item in items} == {
            event_id: fact.sources for event_id, fact in expected.items()
        }, f"seed {SEED}: timeline of {company}"


async def test_dossier_counts_after_a_random_history_are_the_facts_not_retracted(
    store: EventStore, history: History
) -> None:
    for company in await company_ids(store):
        expected = Counter(fact.type for fact in history.live_facts(company).values())
        assert (await dossier(store, company)).counts == dict(expected), f"seed {SEED}: counts of {company}"
