"""Rebuild and check fold a large log on worker processes: the same rows as one process, and nothing half done."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import msgspec
import pytest

from api.store import refold
from api.store.sqlite import SQLiteStore
from tests.contract.history import random_history
from tests.contract.read_models import encoded_read_models

SEED = 20251201
SPAN = 97  # many spans from a small history, so that workers fold them out of order


@pytest.fixture
async def db(tmp_path: Path) -> Path:
    path = tmp_path / "tidings.db"
    store = SQLiteStore(path)
    await store.open()
    try:
        await random_history(SEED, 1200).append_to(store, random.Random(SEED))
    finally:
        await store.close()
    return path


def _rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM read_rows ORDER BY rowid").fetchall()


def test_workers_fold_the_log_into_the_batches_one_process_folds(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        total = conn.execute("SELECT max(position) FROM events").fetchone()[0]
        here = list(refold.fold_log(conn, str(db), total, processes=0, span=SPAN))
        there = list(refold.fold_log(conn, str(db), total, processes=2, span=SPAN))

    assert there == here
    assert [done for _, _, done, _ in there] == [*range(SPAN, total, SPAN), total]
    assert any(retractions for _, retractions, _, _ in there), "the history retracts facts"


async def test_rebuild_on_workers_writes_the_rows_the_appends_wrote(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(refold, "SPAN", SPAN)
    appended = _rows(db)
    store = SQLiteStore(db, fold_processes=2)
    await store.open()
    try:
        before = await encoded_read_models(store)
        assert await store.rebuild() == await store.last_position()
        assert await encoded_read_models(store) == before
        assert await store.check() == []
    finally:
        await store.close()

    assert sorted(_rows(db), key=repr) == sorted(appended, key=repr)


async def test_check_on_workers_names_a_row_changed_behind_the_stores_back(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refold, "SPAN", SPAN)
    with sqlite3.connect(db) as conn:
        company, position = conn.execute(
            "UPDATE read_rows SET item = X'7B7D' WHERE rowid = (SELECT max(rowid) FROM read_rows WHERE view = 'sales') "
            "RETURNING company_id, position"
        ).fetchone()
    store = SQLiteStore(db, fold_processes=2)
    await store.open()
    try:
        faults = await store.check()
    finally:
        await store.close()

    assert faults == [f"read models: sales row of {company} at position {position} differs from a fresh fold"]


async def test_a_rebuild_that_fails_in_a_worker_leaves_every_read_model_as_it_was(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refold, "SPAN", SPAN)
    before = _rows(db)
    with sqlite3.connect(db) as conn:  # a body no decoder accepts, late in the log: earlier spans fold fine
        conn.execute("DROP TRIGGER events_are_not_updated")
        conn.execute("UPDATE events SET body = X'7B' WHERE position = (SELECT max(position) - 5 FROM events)")
    store = SQLiteStore(db, fold_processes=2)
    await store.open()
    try:
        with pytest.raises(msgspec.DecodeError):
            await store.rebuild()
    finally:
        await store.close()

    assert _rows(db) == before
