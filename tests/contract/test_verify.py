"""``tidings verify``: a store, or a server read over its API against a head saved earlier, names the first
position whose event was changed behind the store's back, and a log cut back and grown again fails."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from api.store.base import EventStore
from api.store.sqlite import SQLiteStore
from api.verify import Get, verify_served, verify_store
from schema.codec import uuid7
from tests.contract.test_hashes import _tamper
from tests.contract.test_merkle import _reopened
from tests.factories import company_registered

ROOT = Path(__file__).resolve().parents[2]


def cut_back(store: EventStore, size: int) -> list[str]:
    """The statements that cut the log back to its first ``size`` events, every table and tree node with it."""
    tables = ("events", "event_hashes", "touches", "read_rows", "log_terms", "log_dated")
    cut = [f"DELETE FROM {table} WHERE position > {size}" for table in tables]
    cut.append(f"DELETE FROM merkle_nodes WHERE ((id >> 6) + 1) << CAST(id & 63 AS INTEGER) > {size}")
    if not isinstance(store, SQLiteStore):
        cut.append(f"UPDATE log_head SET position = {size}")
    return cut


@contextmanager
def served(store: EventStore, key: Path | None = None) -> Iterator[Get]:
    """The store (closed) served by the app (signing its heads with the key file ``key``, when given), read as a
    client reads it."""
    signing = "" if key is None else str(key)
    if isinstance(store, SQLiteStore):
        settings = Settings(db=str(store.path), signing_key_file=signing)
    else:
        settings = Settings(db=store.postgres._dsn, pg_schema=store.schema, signing_key_file=signing)  # type: ignore[attr-defined]
    with TestClient(create_app(settings)) as client:

        def get(path: str) -> Any:
            answer = client.get(path)
            assert answer.status_code == 200, answer.text
            return answer.json()

        yield get


async def _edit_name(store: EventStore, position: int) -> None:
    (stored,) = await store.read(after=position - 1, limit=1)
    body = msgspec.json.encode(msgspec.structs.replace(stored.event, name="Rewritten"))
    await store.close()
    await _tamper(store, [f"UPDATE events SET body = X'{body.hex()}' WHERE position = {position}"])


async def test_verify_names_the_edited_position_in_the_store_and_over_the_api(store: EventStore) -> None:
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(120)])
    assert await verify_store(store) == []  # type: ignore[arg-type]
    with served(store) as get:
        saved = get("/log/head")
        assert verify_served(get, saved) == []
    await store.open()
    await _edit_name(store, 77)

    reopened = _reopened(store)
    await reopened.open()
    try:
        in_store = await verify_store(reopened)  # type: ignore[arg-type]
    finally:
        await reopened.close()
    with served(store) as get:
        over_api = verify_served(get, saved)

    assert in_store[:2] == [
        "hashes: the history breaks first at position 77 (1 positions do not match)",
        "hashes: position 77 does not match its hash",
    ]
    assert over_api == ["hashes: the history breaks first at position 77"]


async def test_a_log_cut_back_and_grown_again_fails_against_a_saved_head(store: EventStore) -> None:
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(60)])
    await store.close()
    with served(store) as get:
        saved = get("/log/head")
    await _tamper(store, cut_back(store, 40))
    regrown = _reopened(store)
    await regrown.open()
    try:
        await regrown.append_batch([company_registered(f"e-{n}", id=uuid7()) for n in range(30)])
        assert await verify_store(regrown) == [], "the rewritten store is consistent in itself"  # type: ignore[arg-type]
    finally:
        await regrown.close()

    with served(store) as get:
        faults = verify_served(get, saved)

    assert faults == ["saved head: the first 60 events served are not those it was taken over: rewritten"]


def test_tidings_verify_exits_1_and_names_the_position(tmp_path: Path) -> None:
    db = tmp_path / "tidings.db"
    command = [sys.executable, "-m", "api.cli"]
    subprocess.run([*command, "seed", "--db", str(db)], cwd=ROOT, check=True, capture_output=True)
    sound = subprocess.run([*command, "verify", "--db", str(db)], cwd=ROOT, capture_output=True, text=True)
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER events_are_not_updated")
        conn.execute("UPDATE events SET recorded_at = '2020-01-01T00:00:00.000000Z' WHERE position = 5")

    broken = subprocess.run([*command, "verify", "--db", str(db)], cwd=ROOT, capture_output=True, text=True)

    assert (sound.returncode, sound.stderr.strip()) == (0, "history verified")
    assert broken.returncode == 1
    assert (
        broken.stdout.splitlines()[0]
        == "FAULT hashes: the history breaks first at position 5 (1 positions do not match)"
    )


async def test_tidings_check_and_verify_name_an_event_row_edited_in_the_database(store: EventStore) -> None:
    """On each backend, from the command line: one event row changed behind the store's back."""
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(50)])
    await _edit_name(store, 23)
    if isinstance(store, SQLiteStore):
        db, env = str(store.path), {}
    else:
        db, env = store.postgres._dsn, {"TIDINGS_PG_SCHEMA": store.schema}  # type: ignore[attr-defined]
    command = [sys.executable, "-m", "api.cli"]
    environment = {**os.environ, **env}

    checked = subprocess.run([*command, "check", "--db", db], cwd=ROOT, capture_output=True, text=True, env=environment)
    verified = subprocess.run(
        [*command, "verify", "--db", db], cwd=ROOT, capture_output=True, text=True, env=environment
    )
    await store.open()

    named = "FAULT hashes: the history breaks first at position 23 (1 positions do not match)"
    assert (checked.returncode, checked.stdout.splitlines()[0]) == (1, named), checked.stderr
    assert (verified.returncode, verified.stdout.splitlines()[0]) == (1, named), verified.stderr
