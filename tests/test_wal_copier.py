"""WAL checkpoints in the background: commits reach the database file, and the WAL starts over under load."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
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


async def _synced(store: SQLiteStore, appends: int) -> int:
    """Appends, then waits (up to 10 s) for three more of the copier's checkpoints, the first of which
    takes them (where no other store's copier runs on the file); its syncs then."""
    copier = store.sqlite.wal_copier
    assert copier is not None
    for n in range(appends):
        await store.append([company_registered(f"co-{n:03d}-{id(store)}")])
    start = copier.checkpoints
    deadline = asyncio.get_running_loop().time() + 10
    while copier.checkpoints < start + 3 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    return copier.syncs


@pytest.mark.parametrize(("synchronous", "syncs"), [("FULL", True), ("OFF", False)])
async def test_the_copier_writes_the_pages_it_copied_to_disk_itself(
    tmp_path: Path, synchronous: str, syncs: bool
) -> None:
    """SQLite syncs the database file only after a checkpoint that copied the whole WAL: beside a busy
    writer, only the writer's own. The copier syncs after each of its checkpoints that copied pages, so
    that the writer's has little left to write; with ``synchronous = OFF`` nothing is synced."""
    store = SQLiteStore(tmp_path / "tidings.db", checkpoint_interval=0.05, synchronous=synchronous)
    await store.open()
    try:
        assert (await _synced(store, 5) > 0) is syncs
    finally:
        await store.close()


_HOLDERS_OF_THE_SHARED_RANGE = """
import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
asked = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0x40000002, 510, 0)
kind, _, _, _, pid = struct.unpack("hhqqi4x", fcntl.fcntl(fd, fcntl.F_GETLK, asked))
print("read" if kind == fcntl.F_RDLCK else "write" if kind == fcntl.F_WRLCK else "none", pid)
os._exit(0)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="reads a POSIX lock with the layout of Linux's struct flock")
async def test_a_store_that_synced_the_file_leaves_the_locks_of_the_others_when_it_closes(tmp_path: Path) -> None:
    """Each open store holds a read lock on the database file's shared range, and closing any descriptor
    of the file drops every POSIX lock the process holds on it. The descriptor the copier syncs through
    is closed only when the last store of the process on the file closes."""
    db = tmp_path / "tidings.db"

    def holder() -> str:
        command = [sys.executable, "-c", _HOLDERS_OF_THE_SHARED_RANGE, str(db)]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    first, second = (SQLiteStore(db, checkpoint_interval=0.05) for _ in range(2))
    await first.open()
    try:
        assert await _synced(first, 5) > 0  # alone on the file: its copier takes the appends
        await second.open()
        assert holder() == f"read {os.getpid()}"
        await first.close()
        assert holder() == f"read {os.getpid()}", "the first store's closing dropped the second's lock"
        assert await _synced(second, 5) > 0
        assert holder() == f"read {os.getpid()}", "syncing the file dropped the lock of the store that synced it"
    finally:
        await first.close()
        await second.close()
    assert holder().startswith("none")
