"""The Merkle tree over the log as the store keeps it: grown in the append transaction, caught up at
start-up, read for heads and proofs, and checked (api.store.merkle has the tree's arithmetic).

The table ``merkle_nodes`` holds every complete subtree's hash by node id; the tree's size is
found from its largest id (the last leaf's). The writer keeps the tree's frontier (the complete
subtrees of ``parts(0, size)``) between groups and reads it again only when another instance
appended meanwhile (PostgreSQL), so an append costs its leaf's hash, about one node hash on
average and no extra read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from api.store import merkle
from api.store.driver import Driver, Transaction
from api.store.merkle import Node
from api.store.statements import Q

__all__ = ["SPAN", "Frontier", "catch_up", "consistency", "faults", "inclusion", "nodes", "root", "size"]

log = logging.getLogger("tidings.tree")

SPAN = 5000
"""Leaves added (catch-up) or checked per statement."""


class Frontier:
    """The tree's frontier as the last commit left it; ``-1`` until read."""

    def __init__(self) -> None:
        self.size = -1
        self.nodes: dict[Node, bytes] = {}

    async def grown(
        self, tx: Transaction, size: int, event_hashes: Sequence[bytes]
    ) -> tuple[list[tuple[int, bytes]], int, dict[Node, bytes]]:
        """The node rows that growing the tree of ``size`` leaves by ``event_hashes`` writes, and the new
        size and frontier (``remember`` them once the transaction committed)."""
        frontier = self.nodes if size == self.size else await nodes(tx, merkle.frontier_of(size))
        made, grown, after = merkle.grow(size, frontier, event_hashes)
        return [(merkle.node_id(node), digest) for node, digest in made], grown, after

    def remember(self, size: int, frontier: dict[Node, bytes]) -> None:
        self.size, self.nodes = size, frontier


async def size(tx: Transaction) -> int:
    row = await tx.row(Q.TREE_SIZE)
    return 0 if row is None or row[0] is None else (int(row[0]) >> 6) + 1


async def nodes(tx: Transaction, wanted: Iterable[Node]) -> dict[Node, bytes]:
    """The stored hashes of the nodes ``wanted``; raises LookupError for one not stored."""
    ids = sorted({merkle.node_id(node) for node in wanted})
    if not ids:
        return {}
    found = {(int(i) & 63, int(i) >> 6): bytes(h) for i, h in await tx.rows(Q.NODES, ids)}
    if len(found) != len(ids):
        raise LookupError("the Merkle tree lacks nodes the log needs")
    return found


async def _ranges(tx: Transaction, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    stored = await nodes(tx, [node for first, end in ranges for node in merkle.parts(first, end)])
    return [merkle.range_hash(first, end, stored) for first, end in ranges]


async def root(tx: Transaction, tree_size: int) -> bytes:
    """The root hash of the tree of the first ``tree_size`` events."""
    return (await _ranges(tx, [(0, tree_size)]))[0] if tree_size else merkle.EMPTY_ROOT


async def inclusion(tx: Transaction, position: int, tree_size: int) -> list[bytes]:
    """The audit path of the event at ``position`` in the tree of ``tree_size`` events (RFC 9162 2.1.3.1)."""
    return await _ranges(tx, merkle.inclusion_ranges(position - 1, tree_size))


async def consistency(tx: Transaction, old: int, tree_size: int) -> list[bytes]:
    """The proof that the tree of ``tree_size`` events extends that of ``old`` (RFC 9162 2.1.4.1)."""
    if old == 0 or old == tree_size:
        return []
    return await _ranges(tx, merkle.consistency_ranges(old, tree_size))


async def catch_up(driver: Driver, frontier: Frontier) -> int:
    """Grow the tree up to the log's last hashed event (a store made before the tree); returns the leaves added."""
    added = 0
    while True:
        async with driver.writing() as tx:
            await tx.row(Q.TAKE_HEAD)  # the write lock: instances starting together grow the tree once
            have = await size(tx)
            rows = await tx.rows(Q.EVENT_HASHES, have + 1, have + SPAN)
            if not rows:
                frontier.remember(have, await nodes(tx, merkle.parts(0, have)))
                break
            made, grown, after = await frontier.grown(tx, have, [bytes(h) for _, h in rows])
            await tx.run_all([(Q.INSERT_NODE, made)])
        frontier.remember(grown, after)
        added += len(rows)
    if added:
        log.info("added %d events stored before the Merkle tree to it", added)
    return added


async def faults(tx: Transaction, last: int) -> list[str]:
    """Where the stored tree differs from the tree of the stored event hashes: the first position
    whose leaf, or a node covering it, differs; empty when the tree is sound."""
    have = await size(tx)
    if have != last:
        return [f"merkle tree: it holds {have} events but the log is at {last}"]
    grown, frontier = 0, dict[Node, bytes]()
    for first in range(1, last + 1, SPAN):
        rows = await tx.rows(Q.EVENT_HASHES, first, min(first + SPAN - 1, last))
        made, grown, frontier = merkle.grow(grown, frontier, [bytes(h) for _, h in rows])
        ids = [merkle.node_id(node) for node, _ in made]
        stored = {int(i): bytes(h) for i, h in await tx.rows(Q.NODES, ids)}
        for node, digest in made:
            if stored.get(merkle.node_id(node)) != digest:
                level, index = node
                return [
                    f"merkle tree: the node over positions {(index << level) + 1} to {(index + 1) << level} differs"
                ]
    return []
