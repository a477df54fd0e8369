"""What the log proves about itself: the head of its Merkle tree (RFC 9162) and the audit paths of
inclusion and consistency proofs (api.store.merkle has the construction; docs/hashes.md the leaves)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta

from schema.base import MAX_SAFE_INT, Base, EventId, Position

__all__ = ["ConsistencyProof", "Digest", "InclusionProof", "LogHead", "TreeSize"]

Digest = Annotated[str, Meta(pattern="^[0-9a-f]{64}$", description="A SHA-256 digest, lower-case hex.")]
TreeSize = Annotated[int, Meta(ge=0, le=MAX_SAFE_INT, description="Events in the tree: the first N positions.")]


class LogHead(Base, frozen=True):
    """The Merkle tree over the whole log: its size, its root hash (RFC 9162 section 2.1.1, each leaf the
    event's `hash`) and when its last event was recorded (null for the empty log)."""

    tree_size: TreeSize
    root_hash: Digest
    timestamp: Annotated[datetime, Meta(tz=True)] | None


class InclusionProof(Base, frozen=True):
    """The audit path of one event in the tree of `tree_size` events (RFC 9162 section 2.1.3): with the
    event's `hash` as the leaf input and leaf index `position - 1`, it gives `root_hash`."""

    event_id: EventId
    position: Position
    tree_size: TreeSize
    root_hash: Digest
    audit_path: list[Digest]


class ConsistencyProof(Base, frozen=True):
    """The proof that the tree of `to_size` events extends the tree of `from_size` (RFC 9162 section
    2.1.4): the log before `from_size` was not rewritten. Empty when the sizes are equal."""

    from_size: TreeSize
    from_root: Digest
    to_size: TreeSize
    to_root: Digest
    proof: list[Digest]
