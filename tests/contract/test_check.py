"""`check` finds read-model rows that differ from a fresh fold of the log, on every backend, span by span."""

from __future__ import annotations

import random
import sqlite3
from typing import Any

import pytest

from api.store import folding
from api.store.base import EventStore
from api.store.sqlite import SQLiteStore
from tests.contract.history import History, random_history

SEED = 20251202


@pytest.fixture(autouse=True)
def small_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many spans from a small history, so that retractions mark rows of spans folded before them."""
    monkeypatch.setattr(folding, "SPAN", 97)


@pytest.fixture
async def history(store: EventStore) -> History:
    history = random_history(SEED, 1500)
    await history.append_to(store, random.Random(SEED))
    return history


async def _behind_the_back(store: EventStore, statement: str) -> list[tuple[Any, ...]]:
    """Run one statement on the store's tables as a bad disk or a stray script would; the rows it returns."""
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as conn:
            found = [tuple(row) for row in conn.execute(statement)]
    else:
        import asyncpg

        conn = await asyncpg.connect(store.postgres._dsn)  # type: ignore[attr-defined]
        try:
            await conn.execute(f'SET search_path TO "{store.schema}"')  # type: ignore[attr-defined]
            found = [tuple(row) for row in await conn.fetch(statement.replace("X'7B7D'", "'\\x7b7d'::bytea"))]
        finally:
            await conn.close()
    assert found, f"the history has no row for: {statement}"
    return found


def _faults(view: str, rows: list[tuple[Any, ...]], said: str = "differs from a fresh fold") -> list[str]:
    """What check says of each of ``rows`` (company, position) of ``view``."""
    return [f"read models: {view} row of {company} at position {position} {said}" for company, position in rows]


async def test_a_store_built_by_appends_is_sound(store: EventStore, history: History) -> None:
    assert await store.check() == []


_TIMELINE = (
    "UPDATE read_rows SET {change} WHERE view = 'timeline' AND position = "
    "(SELECT {end}(position) FROM read_rows WHERE view = 'timeline'{having}) RETURNING company_id, position"
)
"""A change to the timeline rows of the first or last event (of those ``having``), and the rows it changed."""


@pytest.mark.parametrize(
    "statements",
    [
        pytest.param(
            [
                _TIMELINE.format(change="item = X'7B7D'", end="min", having=""),
                _TIMELINE.format(change="sort = 'tampered'", end="max", having=""),
            ],
            id="changed rows at both ends of the log",
        ),
        pytest.param(
            [
                _TIMELINE.format(change="retracted_at = NULL", end="min", having=" AND retracted_at IS NOT NULL"),
                _TIMELINE.format(change="retracted_at = position + 1", end="max", having=" AND retracted_at IS NULL"),
            ],
            id="a retraction lost and one made up",
        ),
    ],
)
async def test_check_names_timeline_rows_changed_behind_the_stores_back(
    store: EventStore, history: History, statements: list[str]
) -> None:
    changed = [row for statement in statements for row in await _behind_the_back(store, statement)]

    assert sorted(await store.check()) == sorted(_faults("timeline", changed))


async def test_check_names_a_missing_row_and_a_row_the_log_has_no_event_for(
    store: EventStore, history: History
) -> None:
    gone = await _behind_the_back(
        store,
        "DELETE FROM read_rows WHERE view = 'relationship' AND position = "
        "(SELECT max(position) FROM read_rows WHERE view = 'relationship') RETURNING company_id, position",
    )
    stray = await _behind_the_back(
        store,
        "INSERT INTO read_rows (view, company_id, position, key, sort, item) "
        "SELECT view, company_id, position + 1000000, key, sort, item FROM read_rows "
        "WHERE position = (SELECT min(position) FROM read_rows) AND view = 'registration' "
        "RETURNING company_id, position",
    )

    faults = await store.check()

    assert sorted(faults) == sorted(_faults("relationship", gone, "is missing") + _faults("registration", stray))


async def test_a_wiped_read_model_gives_the_first_hundred_faults_and_a_count_of_the_rest(
    store: EventStore, history: History
) -> None:
    (wiped,) = await _behind_the_back(store, "SELECT count(*) FROM read_rows")
    await _behind_the_back(store, "DELETE FROM read_rows RETURNING position")

    faults = await store.check()

    assert len(faults) == 101
    assert all(fault.endswith(" is missing") for fault in faults[:100])
    assert faults[100] == f"{wiped[0] - 100} more faults not listed"
