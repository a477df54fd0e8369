"""The signed heads the server issued, kept in the store, and their check against the log's tree.

A head signed for ``GET /log/head`` or a signed export is kept in the append-only table
``kept_heads``, the first of each tree size and key (Ed25519 signs deterministically: the same
head signed again is the same row). Each kept head says what the log's first ``tree_size``
events were when it was signed; a kept root that is no longer the root of those events names a
history rewritten after the head was signed, even when the rewrite fixed every hash and node.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.store import tree
from api.store.driver import Dialect, Transaction
from api.store.statements import Q
from schema.transparency import LogHead

__all__ = ["KeptHead", "faults", "heads", "keep"]


@dataclass(frozen=True, slots=True)
class KeptHead:
    """A kept head: the head as it was signed and when it was issued."""

    head: LogHead
    issued_at: datetime

    def __str__(self) -> str:
        issued = self.issued_at.isoformat().replace("+00:00", "Z")
        return f"the head of {self.head.tree_size} events signed by key {self.head.key_id} at {issued}"


async def keep(tx: Transaction, dialect: Dialect, head: LogHead, issued_at: datetime) -> None:
    """Keep a signed head (nothing when one of its size and key is kept already)."""
    assert head.signature is not None and head.key_id is not None, "only signed heads are kept"
    recorded_at = None if head.timestamp is None else dialect.time(head.timestamp)
    root = bytes.fromhex(head.root_hash)
    await tx.run(Q.KEEP_HEAD, head.tree_size, head.key_id, root, recorded_at, head.signature, dialect.time(issued_at))


async def heads(tx: Transaction, dialect: Dialect) -> list[KeptHead]:
    """Every kept head, by tree size."""
    found = []
    for size, key_id, root, recorded_at, signature, issued_at in await tx.rows(Q.KEPT_HEADS):
        head = LogHead(
            tree_size=int(size),
            root_hash=bytes(root).hex(),
            timestamp=None if recorded_at is None else dialect.read_time(recorded_at),
            signature=str(signature),
            key_id=str(key_id),
        )
        found.append(KeptHead(head, dialect.read_time(issued_at)))
    return found


async def faults(tx: Transaction, dialect: Dialect, last: int) -> list[str]:
    """Each kept head the log no longer extends: more events than the log holds, or a root that is
    not the root of the log's first ``tree_size`` events."""
    found = []
    for kept in await heads(tx, dialect):
        size = kept.head.tree_size
        if size > last:
            found.append(f"kept heads: {kept} holds more events than the log's {last}: the log was cut back")
            continue
        try:
            root = await tree.root(tx, size)
        except LookupError:
            found.append(f"kept heads: {kept} cannot be checked: the Merkle tree lacks nodes")
            continue
        if root.hex() != kept.head.root_hash:
            found.append(
                f"kept heads: {kept} is not the root of the log's first {size} events: "
                "the history was rewritten after it was signed"
            )
    return found
