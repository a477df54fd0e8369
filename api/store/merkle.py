"""The Merkle tree over the log (RFC 9162 section 2.1): its nodes, its root, its proofs; pure, no database.

The leaves are the events in position order; leaf ``i`` (0-based) is the event at position
``i + 1`` and its input is the event's 32-byte hash (api.store.hashing). As in RFC 9162:

* a leaf's hash is ``SHA-256(0x00 || event hash)``;
* a node's hash is ``SHA-256(0x01 || left || right)``;
* the tree of ``n`` leaves splits at ``k``, the largest power of two below ``n``.

Every range the RFC's recursion splits a tree into starts at a multiple of its own size when
that size is a power of two, so it is a *complete subtree*: ``(level, index)`` covers the leaves
``index * 2**level`` to ``(index + 1) * 2**level - 1``. The store keeps every complete subtree's
hash (about two per event, written with the events: ``grow``); any other range is combined from
at most ``2 log2 n`` of them, so a root or a proof needs O(log n) stored hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

__all__ = [
    "EMPTY_ROOT",
    "Node",
    "consistency_ranges",
    "frontier_of",
    "grow",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "node_id",
    "parts",
    "range_hash",
]

Node = tuple[int, int]
"""(level, index): the complete subtree of the leaves ``index * 2**level`` .. ``(index + 1) * 2**level - 1``."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree: the hash of the empty string (RFC 9162 section 2.1.1)."""


def leaf_hash(event_hash: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + event_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def node_id(node: Node) -> int:
    """A node as one integer key of the ``merkle_nodes`` table (the level in the low 6 bits)."""
    level, index = node
    return index << 6 | level


def _split(size: int) -> int:
    """The largest power of two below ``size`` (``size`` >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def parts(first: int, end: int) -> list[Node]:
    """The complete subtrees the range of leaves ``first`` .. ``end - 1`` is combined from, left to right."""
    size = end - first
    if size <= 0:
        return []
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return [(level, first >> level)]
    k = _split(size)
    return parts(first, first + k) + parts(first + k, end)


def range_hash(first: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    """MTH of the leaves ``first`` .. ``end - 1``, from the stored hashes of its ``parts``."""
    size = end - first
    if size == 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return nodes[(level, first >> level)]
    k = _split(size)
    return node_hash(range_hash(first, first + k, nodes), range_hash(first + k, end, nodes))


def inclusion_ranges(leaf: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes make the audit path of ``leaf`` in the tree of ``size`` leaves
    (RFC 9162 section 2.1.3.1), from the leaf up."""
    found: list[tuple[int, int]] = []
    first, end = 0, size
    while end - first > 1:
        k = _split(end - first)
        if leaf < first + k:
            found.append((first + k, end))
            end = first + k
        else:
            found.append((first, first + k))
            first = first + k
    return found[::-1]


def consistency_ranges(old: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes make the consistency proof from the tree of ``old`` leaves to the tree
    of ``size`` (RFC 9162 section 2.1.4.1, ``0 < old <= size``), in the RFC's order."""
    found: list[tuple[int, int]] = []
    first, end, whole = 0, size, True
    while True:
        if old == end:
            if not whole:
                found.append((first, end))
            break
        k = _split(end - first)
        if old <= first + k:
            found.append((first + k, end))
            end = first + k
        else:
            found.append((first, first + k))
            first, whole = first + k, False
    return found[::-1]


def grow(
    size: int, frontier: Mapping[Node, bytes], event_hashes: Iterable[bytes]
) -> tuple[list[tuple[Node, bytes]], int, dict[Node, bytes]]:
    """The tree of ``size`` leaves, whose complete ``parts(0, size)`` are ``frontier``, grown by one leaf
    per event hash: the complete subtrees that completes (to store), the new size and the new frontier."""
    nodes = dict(frontier)
    made: list[tuple[Node, bytes]] = []
    for event_hash in event_hashes:
        level, index, digest = 0, size, leaf_hash(event_hash)
        nodes[(0, index)] = digest
        made.append(((0, index), digest))
        while index & 1:
            digest = node_hash(nodes[(level, index - 1)], digest)
            level, index = level + 1, index >> 1
            nodes[(level, index)] = digest
            made.append(((level, index), digest))
        size += 1
    return made, size, {node: nodes[node] for node in frontier_of(size)}


def frontier_of(size: int) -> list[Node]:
    """``parts(0, size)`` from the bits of ``size`` (the append path's cheap form): one complete subtree
    per set bit, largest first."""
    found: list[Node] = []
    first = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            found.append((level, first >> level))
            first += 1 << level
    return found
