"""A SQLite rebuild changes the writer's connection for its transaction (a larger page cache, no zeroing of
the rows it deletes, no full-text triggers): it gives all of it back, whether it commits or fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from api.projections import words
from api.seeds import load_ndjson, seed_events
from api.store import projecting
from api.store.readpoint import ReadPoint
from api.store.sqlite import SQLiteStore
from tests.factories import company_registered


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "tidings.db")
    await store.open()
    try:
        await load_ndjson(store, seed_events())
        yield store
    finally:
        await store.close()


async def _settings(store: SQLiteStore) -> list[object]:
    async with store.sqlite.writing() as tx:
        conn = tx.conn  # type: ignore[attr-defined]
        return [(await conn.execute_fetchall(f"PRAGMA {name}"))[0][0] for name in ("cache_size", "secure_delete")]


async def _found(store: SQLiteStore, q: str) -> list[str]:
    _, documents, _ = await store.search(ReadPoint(), words.query_terms(q), offset=0, limit=10)
    return [str(document) for document in documents]


async def test_a_rebuild_gives_back_the_writers_settings(seeded: SQLiteStore) -> None:
    before = await _settings(seeded)

    await seeded.rebuild()

    assert await _settings(seeded) == before


async def test_a_failed_rebuild_changes_nothing_and_gives_back_the_writers_settings(
    seeded: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, found = await _settings(seeded), await _found(seeded, "xiaomi")
    real = projecting._fold_rows

    async def failing(*args: object, **kwargs: object) -> int:
        await real(*args, **kwargs)  # type: ignore[arg-type]
        raise OSError("the disk went away")

    monkeypatch.setattr(projecting, "_fold_rows", failing)
    with pytest.raises(OSError):
        await seeded.rebuild()

    assert await _settings(seeded) == before
    assert found and await _found(seeded, "xiaomi") == found
    assert await seeded.check() == []
    # The full-text triggers are back: an event appended now is found at once.
    await seeded.append([company_registered("quokka-motors", name="Quokka Motors")])
    assert await _found(seeded, "quokka")
