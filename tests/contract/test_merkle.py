"""The Merkle tree over the log: roots, inclusion and consistency proofs the store gives verify with an
independent implementation of RFC 9162 (tests/rfc9162.py), on every backend, and check names a changed
hash or node."""

from __future__ import annotations

import hashlib
import random

import pytest

from api.store import merkle
from api.store.base import EventStore
from api.store.sqlite import SQLiteStore
from schema.codec import uuid7
from tests import rfc9162
from tests.contract.test_hashes import _tamper
from tests.factories import company_registered

SEED = 20261206
LARGEST = 10_000


def test_every_tree_up_to_70_leaves_agrees_with_the_rfc() -> None:
    """The tree's arithmetic alone: every root, every audit path and every consistency proof."""
    inputs = [hashlib.sha256(str(n).encode()).digest() for n in range(70)]
    stored: dict[merkle.Node, bytes] = {}
    size, frontier = 0, dict[merkle.Node, bytes]()
    for n in range(1, 71):
        made, size, frontier = merkle.grow(size, frontier, [inputs[n - 1]])
        stored.update(made)
        assert list(frontier) == merkle.frontier_of(n) == merkle.parts(0, n)
        root = merkle.range_hash(0, n, stored)
        assert root == rfc9162.mth(inputs[:n])
        for leaf in range(n):
            path = [merkle.range_hash(a, b, stored) for a, b in merkle.inclusion_ranges(leaf, n)]
            assert rfc9162.verify_inclusion(leaf, n, inputs[leaf], path, root)
            assert not rfc9162.verify_inclusion(leaf, n, inputs[(leaf + 1) % 70], path, root)
        for old in range(1, n + 1):
            proof = [merkle.range_hash(a, b, stored) for a, b in merkle.consistency_ranges(old, n)]
            assert rfc9162.verify_consistency(old, n, rfc9162.mth(inputs[:old]), root, proof)
            if old < n:
                assert not rfc9162.verify_consistency(old, n, rfc9162.mth(inputs[1 : old + 1]), root, proof)


@pytest.fixture
async def grown(store: EventStore) -> list[bytes]:
    """A log of 10,000 events appended in batches of random size and single appends; their hashes."""
    rng = random.Random(SEED)
    appended = 0
    while appended < LARGEST:
        count = min(rng.choice([1, 3, 250, 1000]), LARGEST - appended)
        events = [company_registered(f"c-{appended + n}", id=uuid7()) for n in range(count)]
        await (store.append(events) if count == 1 else store.append_batch(events))
        appended += count
    return [bytes.fromhex(stored.hash or "") for stored in await store.read(limit=LARGEST)]


async def test_proofs_at_random_sizes_verify_with_rfc_9162(store: EventStore, grown: list[bytes]) -> None:
    rng = random.Random(SEED)
    size, root, recorded_at = await store.log_head()
    assert (size, root) == (LARGEST, rfc9162.mth(grown))
    assert recorded_at == (await store.read(after=LARGEST - 1))[0].recorded_at
    for n in [*sorted(rng.sample(range(1, LARGEST + 1), 12)), 1, 2, LARGEST]:
        expected = rfc9162.mth(grown[:n])
        for position in {1, n, rng.randint(1, n)}:
            event = (await store.read(after=position - 1, limit=1))[0].event
            assert event.id is not None
            found = await store.inclusion_proof(event.id, n)
            assert found is not None
            at, tree_root, path = found
            assert (at, tree_root) == (position, expected)
            assert rfc9162.verify_inclusion(position - 1, n, grown[position - 1], path, tree_root)
        for old in {1, n, rng.randint(1, n)}:
            old_root, new_root, proof = await store.consistency_proof(old, n)
            assert (old_root, new_root) == (rfc9162.mth(grown[:old]), expected)
            assert rfc9162.verify_consistency(old, n, old_root, new_root, proof)


async def test_check_names_the_first_position_whose_stored_hash_was_replaced(store: EventStore) -> None:
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(300)])
    forged = hashlib.sha256(b"forged").hexdigest()

    await _tamper(store, [f"UPDATE event_hashes SET hash = X'{forged}' WHERE position = 123"])
    faults = [fault for fault in await store.check() if fault.startswith(("hashes:", "merkle tree:"))]

    assert faults == [
        "hashes: the history breaks first at position 123 (1 positions do not match)",
        "hashes: position 123 does not match its hash",
        "merkle tree: the node over positions 123 to 123 differs",
    ]


async def test_a_rewritten_history_fails_the_consistency_proof_of_an_earlier_head(store: EventStore) -> None:
    """A log cut back to 40 events and grown again differently no longer extends the head kept at 60."""
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(60)])
    kept_size, kept_root, _ = await store.log_head()
    await store.append_batch([company_registered(f"d-{n}", id=uuid7()) for n in range(20)])
    old_root, root, proof = await store.consistency_proof(kept_size, 80)
    assert old_root == kept_root and rfc9162.verify_consistency(kept_size, 80, kept_root, root, proof)
    await store.close()

    cut = [f"DELETE FROM {table} WHERE position > 40" for table in _LOG_TABLES]
    cut.append("DELETE FROM merkle_nodes WHERE ((id >> 6) + 1) << CAST(id & 63 AS INTEGER) > 40")
    if not isinstance(store, SQLiteStore):
        cut.append("UPDATE log_head SET position = 40")
    await _tamper(store, cut)
    regrown = _reopened(store)
    await regrown.open()
    try:
        await regrown.append_batch([company_registered(f"e-{n}", id=uuid7()) for n in range(40)])
        old_root, root, proof = await regrown.consistency_proof(kept_size, 80)
        assert [fault for fault in await regrown.check() if fault.startswith(("hashes", "merkle"))] == []
    finally:
        await regrown.close()

    assert old_root != kept_root, "the tree of the first 60 events is no longer the one kept"
    assert rfc9162.verify_consistency(kept_size, 80, old_root, root, proof), "the rewritten log is self-consistent"
    assert not rfc9162.verify_consistency(kept_size, 80, kept_root, root, proof)


_LOG_TABLES = ["events", "event_hashes", "touches", "read_rows", "log_terms", "log_dated"]


def _reopened(store: EventStore) -> EventStore:
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)
    from api.store.postgres import PostgresStore

    return PostgresStore(store.postgres._dsn, schema=store.schema)  # type: ignore[attr-defined]
