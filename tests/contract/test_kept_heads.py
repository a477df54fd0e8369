"""The store keeps the signed heads it issued, and ``tidings verify`` and ``tidings check`` name a kept head
the log no longer extends: a history rewritten after the head was signed, even with every hash and node
rewritten to match."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from api.signing import HeadSigner, create_key
from api.store import kept_heads
from api.store.base import EventStore
from api.store.postgres.dialect import SCHEMA_VERSION as POSTGRES_VERSION
from api.store.sqlite import SQLiteStore
from api.store.sqlite.dialect import SCHEMA_VERSION as SQLITE_VERSION
from api.verify import signature_verifies, verify_store
from schema.codec import uuid7
from tests import rfc9162
from tests.contract.test_hashes import _tamper
from tests.contract.test_merkle import _reopened
from tests.contract.test_verify import cut_back, served
from tests.factories import company_registered


@pytest.fixture
def signer(tmp_path: Path) -> HeadSigner:
    return create_key(tmp_path / "signing.pem")


async def _kept(store: EventStore) -> list[kept_heads.KeptHead]:
    async with store.driver.reading() as tx:  # type: ignore[attr-defined]
        return await kept_heads.heads(tx, store.dialect)  # type: ignore[attr-defined]


async def _append(store: EventStore, prefix: str, count: int) -> None:
    await store.append_batch([company_registered(f"{prefix}-{n}", id=uuid7()) for n in range(count)])


async def _verified(store: EventStore, public_key: str | None = None) -> tuple[list[str], list[str]]:
    """What ``tidings verify --db`` and the heads part of ``tidings check`` say of a store on the same database."""
    reopened = _reopened(store)
    await reopened.open()
    try:
        checked = [fault for fault in await reopened.check() if fault.startswith("kept heads")]
        return await verify_store(reopened, public_key), checked  # type: ignore[arg-type]
    finally:
        await reopened.close()


async def test_each_signed_head_served_is_kept_once(store: EventStore, signer: HeadSigner, tmp_path: Path) -> None:
    await _append(store, "c", 30)
    await store.close()
    with served(store, tmp_path / "signing.pem") as get:
        first, again = get("/log/head"), get("/log/head")
    await store.open()
    await _append(store, "d", 5)
    await store.close()
    with served(store, tmp_path / "signing.pem") as get:
        later = get("/log/head")
    await store.open()

    kept = await _kept(store)

    assert first == again
    assert [(k.head.tree_size, k.head.root_hash, k.head.signature, k.head.key_id) for k in kept] == [
        (30, first["root_hash"], first["signature"], signer.key_id),
        (35, later["root_hash"], later["signature"], signer.key_id),
    ]
    assert [k.head.timestamp.isoformat() for k in kept if k.head.timestamp] == [
        first["timestamp"].replace("Z", "+00:00"),
        later["timestamp"].replace("Z", "+00:00"),
    ]
    assert await _verified(store, base64.b64encode(signer.public_key).decode()) == ([], [])


async def test_a_history_rewritten_after_a_head_was_signed_names_that_head(
    store: EventStore, signer: HeadSigner, tmp_path: Path
) -> None:
    """The log cut back to 40 events and grown again to 70: every hash and node is sound again, but the
    head signed at 60 events is not the root of the first 60 any more."""
    await _append(store, "c", 60)
    await store.close()
    with served(store, tmp_path / "signing.pem") as get:
        signed = get("/log/head")
    await _tamper(store, cut_back(store, 40))
    after_the_cut = await _verified(store)
    regrown = _reopened(store)
    await regrown.open()
    try:
        await _append(regrown, "e", 30)
        (kept,) = await _kept(regrown)
    finally:
        await regrown.close()

    rewritten = await _verified(store)
    with served(store, tmp_path / "signing.pem") as get:
        proof = get("/log/proof/consistency?from=60&to=70")

    assert signature_verifies(signed, base64.b64encode(signer.public_key).decode()), "a head the server signed"
    assert proof["from_root"] != signed["root_hash"]
    assert not rfc9162.verify_consistency(
        60,
        70,
        bytes.fromhex(signed["root_hash"]),
        bytes.fromhex(proof["to_root"]),
        [bytes.fromhex(h) for h in proof["proof"]],
    ), "the regrown log fails the consistency proof against the head signed at 60 events"

    cut_fault = f"kept heads: {kept} holds more events than the log's 40: the log was cut back"
    assert after_the_cut == ([cut_fault], [cut_fault])
    rewrite_fault = (
        f"kept heads: {kept} is not the root of the log's first 60 events: "
        "the history was rewritten after it was signed"
    )
    assert rewritten == ([rewrite_fault], [rewrite_fault])
    assert str(kept).startswith(f"the head of 60 events signed by key {signer.key_id} at ")


async def test_a_kept_head_whose_signature_was_replaced_fails_with_the_public_key(
    store: EventStore, signer: HeadSigner, tmp_path: Path
) -> None:
    await _append(store, "c", 10)
    await store.close()
    with served(store, tmp_path / "signing.pem") as get:
        get("/log/head")
    reopened = _reopened(store)
    await reopened.open()
    try:
        (kept,) = await _kept(reopened)
    finally:
        await reopened.close()
    forged = create_key(tmp_path / "other.pem").sign(kept.head).signature
    await _tamper(store, [f"UPDATE kept_heads SET signature = '{forged}'"])

    faults = await _verified(store, base64.b64encode(signer.public_key).decode())

    assert faults == ([f"kept heads: the signature of {kept} does not verify with the public key given"], [])


async def test_a_store_made_before_kept_heads_gains_the_table_when_opened(
    store: EventStore, signer: HeadSigner, tmp_path: Path
) -> None:
    await _append(store, "c", 10)
    await store.close()
    before = 4 if isinstance(store, SQLiteStore) else 5  # the versions before kept_heads
    await _tamper(store, ["DROP TABLE kept_heads", f"UPDATE schema_version SET version = {before}"])

    with served(store, tmp_path / "signing.pem") as get:
        head = get("/log/head")
    reopened = _reopened(store)
    await reopened.open()
    try:
        kept = await _kept(reopened)
        assert [fault for fault in await reopened.check() if fault.startswith(("hashes", "merkle", "kept"))] == []
    finally:
        await reopened.close()

    assert [(k.head.tree_size, k.head.signature) for k in kept] == [(10, head["signature"])]
    assert await _schema_version(store) == (SQLITE_VERSION if isinstance(store, SQLiteStore) else POSTGRES_VERSION)


async def _schema_version(store: EventStore) -> int:
    if isinstance(store, SQLiteStore):
        import sqlite3

        with sqlite3.connect(store.path) as conn:
            return int(conn.execute("SELECT max(version) FROM schema_version").fetchone()[0])
    import asyncpg

    conn = await asyncpg.connect(store.postgres._dsn)  # type: ignore[attr-defined]
    try:
        return int(await conn.fetchval(f'SELECT max(version) FROM "{store.schema}".schema_version'))  # type: ignore[attr-defined]
    finally:
        await conn.close()
