"""``tidings verify``: is a log's history the one it claims, naming the first position that breaks.

Two sources: a store (every stored hash against its event, the Merkle tree against the hashes:
api.store.hashing, api.store.tree), and a server read over its API like any client would (each
served event's hash recomputed from its canonical form, the tree's root recomputed from those
hashes and compared with ``GET /log/head``, and, given a head saved earlier, the root of its first
``tree_size`` events compared with the saved root: a log cut back and grown again fails there).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from api.store import hashing, merkle, tree
from api.store.program import Store

__all__ = ["Get", "verify_served", "verify_store"]

Get = Callable[[str], Any]
"""A GET of a path (with its query) on the server, answering the decoded JSON body."""


def verify_served(get: Get, saved: dict[str, Any] | None = None, public_key: str | None = None) -> list[str]:
    """What is wrong with the log a server serves; empty when its events, its head and the ``saved``
    head agree (and the head's signature verifies with ``public_key``, base64, when given)."""
    head = get("/log/head")
    size = int(head["tree_size"])
    faults: list[str] = []
    if public_key is not None and not _signed(head, public_key):
        faults.append("head: the signature does not verify with the public key given")
    leaves: list[bytes] = []
    after = 0
    while after < size:
        page = get(f"/events?after={after}&limit=1000")["items"]
        if not page:
            break
        for stored in page:
            if stored["position"] > size:
                break
            if stored["position"] != len(leaves) + 1:
                return [*faults, f"events: position {len(leaves) + 1} is missing"]
            if _hash(stored) != stored.get("hash"):
                faults.append(f"hashes: the history breaks first at position {stored['position']}")
                return faults
            leaves.append(bytes.fromhex(stored["hash"]))
        after = page[-1]["position"]
    if len(leaves) != size:
        return [*faults, f"events: the head holds {size} events but {len(leaves)} are served"]
    if _root(leaves).hex() != head["root_hash"]:
        faults.append(f"head: the root of the {size} events served is not the head's root")
    if saved is not None:
        kept = int(saved["tree_size"])
        if kept > size:
            faults.append(f"saved head: it holds {kept} events, more than the log's {size}: the log was cut back")
        elif _root(leaves[:kept]).hex() != saved["root_hash"]:
            faults.append(f"saved head: the first {kept} events served are not those it was taken over: rewritten")
    return faults


async def verify_store(store: Store) -> list[str]:
    """Every stored hash against its event and the Merkle tree against the hashes, in one snapshot."""
    async with store.driver.reading(snapshot=True) as tx:
        last = await _last(tx)
        return [*await hashing.faults(tx, store.dialect, store.catalogue, last), *await tree.faults(tx, last)]


async def _last(tx: Any) -> int:
    from api.store.statements import Q

    row = await tx.row(Q.LAST_POSITION)
    return int(row[0]) if row else 0


def _hash(stored: dict[str, Any]) -> str:
    """The README's function: SHA-256 of the event's canonical form."""
    canonical = {key: stored[key] for key in ("event", "position", "recorded_at")}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _root(leaves: list[bytes]) -> bytes:
    _, size, frontier = merkle.grow(0, {}, leaves)
    return merkle.range_hash(0, size, frontier)


def _signed(head: dict[str, Any], public_key: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not head.get("signature"):
        return False
    signed = {key: head[key] for key in ("root_hash", "timestamp", "tree_size")}
    text = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(
            base64.b64decode(head["signature"]), text
        )
    except (InvalidSignature, ValueError):
        return False
    return True
