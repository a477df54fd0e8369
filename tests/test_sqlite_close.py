"""Closing a SQLite store: reads under way finish on their connections first, and none starts after.

A read that began as the store closed used to open a connection the store no longer tracked: it
stayed open (and its thread kept the process alive) after ``close``, and with two stores on one
file in a process it could outlive the last one and its locks on the ``-shm`` file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from api.errors import StoreUnavailable
from api.store.sqlite.driver import SQLiteDriver
from api.store.statements import Q


async def test_a_read_under_way_finishes_before_the_store_closes_and_none_starts_after(tmp_path: Path) -> None:
    driver = SQLiteDriver(tmp_path / "close.db")
    await driver.open()
    reading, release = asyncio.Event(), asyncio.Event()
    counted: list[int] = []

    async def long_read() -> None:
        async with driver.reading(snapshot=True) as tx:
            reading.set()
            await release.wait()
            counted.append(len(await tx.rows(Q.LAST_POSITION)))

    under_way = asyncio.create_task(long_read())
    await reading.wait()
    closing = asyncio.create_task(driver.close())
    await asyncio.sleep(0.2)
    assert not closing.done(), "the store closed under a read"
    with pytest.raises(StoreUnavailable):
        async with driver.reading():
            pass
    release.set()
    await asyncio.wait_for(asyncio.gather(under_way, closing), timeout=5)
    assert counted == [1]
    assert driver._opened == [] and driver._idle == []
    with pytest.raises(StoreUnavailable):
        async with driver.reading():
            pass
