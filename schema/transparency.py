"""What the log proves about itself: the head of its Merkle tree (RFC 9162) and the audit paths of
inclusion and consistency proofs (api.store.merkle has the construction; docs/hashes.md the leaves)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta

from schema.base import MAX_SAFE_INT, Base, EventId, Position

__all__ = ["ConsistencyProof", "Digest", "ExportHead", "InclusionProof", "LogHead", "PublicKey", "TreeSize"]

Digest = Annotated[str, Meta(pattern="^[0-9a-f]{64}$", description="A SHA-256 digest, lower-case hex.")]
TreeSize = Annotated[int, Meta(ge=0, le=MAX_SAFE_INT, description="Events in the tree: the first N positions.")]


class LogHead(Base, frozen=True):
    """The Merkle tree over the whole log: its size, its root hash (RFC 9162 section 2.1.1, each leaf the
    event's `hash`) and when its last event was recorded (null for the empty log)."""

    tree_size: TreeSize
    root_hash: Digest
    timestamp: Annotated[datetime, Meta(tz=True)] | None
    signature: Annotated[str, Meta(pattern="^[A-Za-z0-9+/]{86}==$")] | None = None
    """Ed25519 signature (base64) of the head's canonical form, when the server has a signing key
    (README, "Checking that history was not rewritten"); null otherwise."""
    key_id: Annotated[str, Meta(pattern="^[0-9a-f]{16}$")] | None = None
    """The signing key's id: the first 16 hex digits of SHA-256 of its public key."""


class ExportHead(Base, frozen=True):
    """The last line of `tidings export --format stored`: the head of the tree over exactly the events the
    lines above it hold (positions 1 to `tree_size`), signed when the export was given a signing key."""

    log_head: LogHead


class PublicKey(Base, frozen=True):
    """The key the server signs heads with: Ed25519, the raw 32-byte public key in base64."""

    algorithm: Literal["Ed25519"]
    public_key: Annotated[str, Meta(pattern="^[A-Za-z0-9+/]{43}=$")]
    key_id: Annotated[str, Meta(pattern="^[0-9a-f]{16}$")]


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
