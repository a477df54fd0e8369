"""Every stored event carries the hash of its canonical form, any client recomputes it with the README's
function, and ``check`` names the first position whose event was changed behind the store's back."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import msgspec
import pytest

from api.store import hashing
from api.store.base import EventStore
from api.store.sqlite import SQLiteStore
from schema.codec import uuid7
from tests.contract.history import History, random_history
from tests.factories import company_registered, profile_updated

SEED = 20261205
ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SEEDED_BY_0_1 = ROOT / "tests" / "data" / "seeded-by-0.1.db"
"""The seed data as ``tidings seed`` of release 0.1 stored it, before events had hashes."""


def readme_functions() -> dict[str, Any]:
    """The verification functions of README's "Checking that history was not rewritten", as written there."""
    section = README.read_text().split("## Checking that history was not rewritten", 1)[1]
    match = re.search(r"^```python\n(.*?)^```$", section, re.M | re.S)
    assert match, "README shows no Python block under its hashes section"
    found: dict[str, Any] = {}
    exec(match[1], found)  # the README's own code is what is under test
    return found


@pytest.fixture
async def history(store: EventStore) -> History:
    history = random_history(SEED, 400)
    await history.append_to(store, random.Random(SEED))
    return history


async def _served(store: EventStore) -> list[dict[str, Any]]:
    """The log as GET /events serves it: each stored event encoded by msgspec, decoded as a client would."""
    events = await store.read(limit=100_000)
    return [msgspec.json.decode(msgspec.json.encode(stored)) for stored in events]


async def test_the_readme_function_recomputes_every_served_hash(store: EventStore, history: History) -> None:
    odd = company_registered(
        "odd-names",
        name='Zeichen \\ "quoted" / \u2028 Ünïcødé 北京 \U0001f697',
    )
    await store.append([odd])
    served = await _served(store)
    event_hash = readme_functions()["event_hash"]

    assert len(served) == len(history.events) + 1
    assert all(re.fullmatch("[0-9a-f]{64}", e["hash"]) for e in served)
    assert [event_hash(e) for e in served] == [e["hash"] for e in served]
    assert len({e["hash"] for e in served}) == len(served)


async def test_a_hash_changes_with_the_position_the_time_and_the_event(store: EventStore) -> None:
    (stored,) = (await store.append([company_registered("acme", name="Acme")])).events
    base = hashing.event_hash(stored.position, stored.recorded_at, stored.event)
    renamed = msgspec.structs.replace(stored.event, name="Acme 2")
    later = stored.recorded_at.replace(microsecond=(stored.recorded_at.microsecond + 1) % 1_000_000)

    assert base.hex() == (await store.read())[0].hash
    assert hashing.event_hash(stored.position + 1, stored.recorded_at, stored.event) != base
    assert hashing.event_hash(stored.position, later, stored.event) != base
    assert hashing.event_hash(stored.position, stored.recorded_at, renamed) != base


async def test_get_by_id_serves_the_same_hash_as_the_log(store: EventStore, history: History) -> None:
    listed = await store.read(limit=50)
    for stored in listed[::7]:
        assert stored.event.id is not None
        got = await store.get(stored.event.id, annotated=True)
        assert got is not None and got.hash == stored.hash is not None


async def _tamper(store: EventStore, statements: list[str]) -> None:
    """Change the log as a stray script with the database owner's rights would, past the append-only triggers."""
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as conn:
            triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%are_not%'")
            for (trigger,) in triggers.fetchall():
                conn.execute(f"DROP TRIGGER {trigger}")  # the store makes them again when it opens
            for statement in statements:
                conn.execute(statement)
    else:
        import asyncpg

        conn = await asyncpg.connect(store.postgres._dsn)  # type: ignore[attr-defined]
        try:
            await conn.execute(f'SET search_path TO "{store.schema}"')  # type: ignore[attr-defined]
            for table in ("events", "event_hashes", "merkle_nodes", "kept_heads"):
                await conn.execute(f"ALTER TABLE IF EXISTS {table} DISABLE TRIGGER USER")
            for statement in statements:
                await conn.execute(statement.replace("X'", "'\\x").replace("' ||", "'::bytea ||"))
        finally:
            await conn.close()


async def test_check_names_the_first_position_whose_event_was_edited(store: EventStore, history: History) -> None:
    served = await _served(store)
    registration = next(e for e in served[200:] if e["event"]["type"] == "company_registered")
    edited = registration["position"]
    body = msgspec.json.encode({**registration["event"], "name": registration["event"]["name"] + " (edited)"})
    later = edited + 37

    await _tamper(
        store,
        [
            f"UPDATE events SET body = X'{body.hex()}' WHERE position = {edited}",
            f"UPDATE events SET recorded_at = (SELECT recorded_at FROM events WHERE position = 1) WHERE position = {later}",
            f"DELETE FROM event_hashes WHERE position = {later + 1}",
        ],
    )
    faults = [fault for fault in await store.check() if fault.startswith("hashes:")]

    assert faults == [
        f"hashes: the history breaks first at position {edited} (3 positions do not match)",
        f"hashes: position {edited} does not match its hash",
        f"hashes: position {later} does not match its hash",
        f"hashes: position {later + 1} has no hash",
    ]
    assert readme_functions()["first_broken"](await _served(store)) == edited


async def test_a_sound_store_has_no_hash_faults_and_every_append_path_hashes(store: EventStore) -> None:
    await store.append([company_registered("solo", name="Solo")])
    await store.append_batch([company_registered(f"batch-{n}", name=f"Batch {n}") for n in range(30)])
    await store.append([profile_updated("solo", sectors_added=["tools"])])

    assert [fault for fault in await store.check() if fault.startswith("hashes:")] == []
    assert all(stored.hash for stored in await store.read(limit=1000))


async def test_a_store_made_before_hashes_gains_them_when_opened(store: EventStore, history: History) -> None:
    hashed = await _served(store)
    await store.close()
    # The schema of the release before: no hash table, the schema version before it.
    await _tamper(store, ["DROP TABLE event_hashes", f"UPDATE schema_version SET version = {_before(store)}"])

    upgraded = _reopen(store)
    await upgraded.open()
    try:
        again = await _served(upgraded)
        assert [fault for fault in await upgraded.check() if fault.startswith("hashes:")] == []
    finally:
        await upgraded.close()
    assert again == hashed, "the back-filled hashes are those the appends wrote"


async def test_the_seed_store_of_release_0_1_gains_hashes_any_client_recomputes(tmp_path: Path) -> None:
    path = tmp_path / "tidings.db"
    shutil.copy(SEEDED_BY_0_1, path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'event_hashes'").fetchone() == (0,)
    store = SQLiteStore(path)
    await store.open()
    try:
        served = await _served(store)
    finally:
        await store.close()
    event_hash = readme_functions()["event_hash"]

    assert len(served) == 23
    assert [event_hash(e) for e in served] == [e["hash"] for e in served]


def _before(store: EventStore) -> int:
    """The schema version of the release before hashes on the store's backend."""
    return 3 if isinstance(store, SQLiteStore) else 4


def _reopen(store: EventStore) -> Any:
    """A store on the same database as ``store`` (closed by the caller)."""
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)
    from api.store.postgres import PostgresStore

    return PostgresStore(store.postgres._dsn, schema=store.schema)  # type: ignore[attr-defined]


async def test_an_append_and_its_replay_answer_the_hash_the_log_serves(store: EventStore) -> None:
    events = [company_registered(f"answer-{n}", name=f"Answer {n}", id=uuid7()) for n in range(3)]
    first = await store.append_batch(events)
    replay = await store.append_batch(events)
    logged = {stored.position: stored.hash for stored in await store.read()}

    assert replay.new == 0
    assert [stored.hash for stored in first.events] == [logged[stored.position] for stored in first.events]
    assert [stored.hash for stored in replay.events] == [stored.hash for stored in first.events]
