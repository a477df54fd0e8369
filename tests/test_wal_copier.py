"""WAL checkpoints in the background: commits reach the database file, and the WAL starts over under load."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import sqlite3
from pathlib import Path

import pytest

from api.store.sqlite import SQLiteStore
from tests.factories import company_registered


def _events_in_main_file(db: Path, copy: Path) -> int:
    """Events a copy of the database file alone holds (no -wal beside it): what was checkpointed."""
    shutil.copyfile(db, copy)
    with sqlite3.connect(copy) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
        except sqlite3.OperationalError:  # not even the schema is in the file yet
            return 0


@pytest.mark.parametrize("spelled", ["as given", "with two leading slashes"])
async def test_appends_reach_the_database_file_while_the_store_stays_open(tmp_path: Path, spelled: str) -> None:
    db = tmp_path / "tidings.db"
    # POSIX reads //tmp/x as /tmp/x; the checkpoint's file: URI must not read "tmp" as a host.
    store = SQLiteStore(db if spelled == "as given" else "/" + str(db.resolve()))
    await store.open()
    try:
        for n in range(30):
            await store.append([company_registered(f"co-{n:03d}")])
        # SQLite's own checkpoint would wait for 1,000 WAL pages; 30 small commits are far fewer.
        deadline = asyncio.get_running_loop().time() + 10
        in_file = 0
        while in_file < 30 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
            in_file = _events_in_main_file(db, tmp_path / "copy.db")
        assert in_file == 30, "the background checkpoint copies committed events into the database file"
        assert store.sqlite.wal_copier is not None and store.sqlite.wal_copier.checkpoints > 0
    finally:
        await store.close()


async def test_closing_the_store_ends_the_checkpoint_thread(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "tidings.db")
    await store.open()
    assert store.sqlite.wal_copier is not None
    thread = store.sqlite.wal_copier.thread
    assert thread is not None and thread.is_alive()
    await store.close()
    assert not thread.is_alive()


async def test_the_wal_starts_over_while_appends_go_on(tmp_path: Path) -> None:
    """A checkpoint beside a busy writer never copies the newest commits; unless one finishes the
    job, the WAL grows for as long as appends come in (it grew by ~58 MB a second here)."""
    wal = tmp_path / "tidings.db-wal"
    store = SQLiteStore(tmp_path / "tidings.db", checkpoint_interval=0.2)
    await store.open()
    try:
        assert store.sqlite.wal_copier is not None
        copier = store.sqlite.wal_copier
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        names = itertools.count()

        def busy() -> bool:
            return copier.restarts < 3 and loop.time() < deadline

        async def append() -> None:
            while busy():
                await store.append([company_registered(f"co-{next(names):06d}")])

        largest = 0

        async def read() -> None:
            nonlocal largest
            while busy():
                await store.last_position()
                largest = max(largest, wal.stat().st_size if wal.exists() else 0)

        await asyncio.gather(*(append() for _ in range(32)), *(read() for _ in range(4)))
        assert copier.restarts >= 3, f"the WAL never started over in {copier.checkpoints} checkpoints"
        # SQLite's own checkpoint stays as a backstop at ~200 MB; a WAL that grows that far means
        # the background checkpoints did not finish.
        assert largest < 64 * 1024 * 1024, f"the WAL grew to {largest / 2**20:.0f} MiB"
    finally:
        await store.close()
