"""SQLite stores of earlier schema versions, upgraded at their first start.

- Before version 7 a trigger indexed each search row's text; the store loses the trigger, and the text of
  what it held before and of what is appended after is found once.
- A store of a version newer than the release knows is not opened: its schema script would undo the newer
  release's changes (make the trigger again, say).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from api.errors import StoreUnavailable
from api.projections import search, words
from api.seeds import load_ndjson, seed_events
from api.store.sqlite import SQLiteStore
from api.store.sqlite.dialect import SCHEMA_VERSION
from tests import fts
from tests.contract.read_models import LATEST
from tests.factories import product_launched

_TRIGGER_OF_VERSION_6 = """
CREATE TRIGGER search_rows_indexed AFTER INSERT ON read_rows WHEN new.view = 'search' BEGIN
    INSERT INTO search_text (rowid, words, parts) VALUES (
        new.position * 4 + (CASE WHEN new.key LIKE 'company:%' THEN 1 WHEN new.key LIKE 'person:%' THEN 2 ELSE 0 END),
        substr(new.sort, 1, instr(new.sort, char(10)) - 1),
        substr(new.sort, instr(new.sort, char(10)) + 1)
    );
END
"""


async def _found(store: SQLiteStore, q: str) -> list[str]:
    terms = words.query_terms(q)
    _, found, _ = await store.search(LATEST, terms, offset=0, limit=100)
    return [search.hit(position, item, score, terms).id for position, item, score in found]


async def _made_then_changed(path: Path, statements: list[str]) -> SQLiteStore:
    """A closed store of the seed events, its file then changed by ``statements`` as an earlier or later release left it."""
    store = SQLiteStore(path)
    await store.open()
    await load_ndjson(store, seed_events())
    await store.close()
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)
    return store


def _triggers(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]


async def test_a_store_of_version_6_drops_its_search_trigger_and_finds_old_and_new_text_once(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    # The file as version 6 left it: its text indexed, the trigger in place.
    store = await _made_then_changed(path, [_TRIGGER_OF_VERSION_6, "UPDATE schema_version SET version = 6"])

    await store.open()
    try:
        assert "search_rows_indexed" not in _triggers(path)
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        stored = await store.append([product_launched("byd", "Quasiflux Seven")])

        assert await _found(store, "Quasiflux") == [str(stored.events[0].event.id)]
        assert len(await _found(store, "China Development Forum")) >= 1
        assert await store.check() == []
        assert fts.documents(path) == fts.search_rows(path)
    finally:
        await store.close()


def _indexes(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'read_rows'")]


async def test_a_store_of_a_newer_schema_version_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    store = await _made_then_changed(
        path,
        [f"UPDATE schema_version SET version = {SCHEMA_VERSION + 1}", "DROP INDEX people"],  # as a newer release might
    )

    with pytest.raises(StoreUnavailable, match=f"schema version {SCHEMA_VERSION + 1}, written by a newer release"):
        await store.open()

    assert "people" not in _indexes(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION + 1,)]
