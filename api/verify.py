"""``tidings verify``: is a log's history the one it claims, naming the first position that breaks.

Three sources: a store (every stored hash against its event, the Merkle tree against the hashes,
every signed head the store kept against the tree: api.store.hashing, api.store.tree,
api.store.kept_heads); a server read over its API like any client would (each served event's hash
recomputed from its canonical form, the tree's root recomputed from those hashes and compared with
``GET /log/head``, and, given a head saved earlier, the root of its first ``tree_size`` events
compared with the saved root: a log cut back and grown again fails there); and a file of
``tidings export --format stored`` (each line's hash, the positions in order, the root of the file's
events against its closing head and that head's signature). The served and exported forms are
checked with the standard library's JSON, as a consumer would, never with the server's decoders.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from api.store import hashing, kept_heads, merkle, tree
from api.store.merkle import Node
from api.store.program import Store
from api.store.statements import Q

__all__ = ["Get", "signature_verifies", "verify_export", "verify_served", "verify_store"]

Get = Callable[[str], Any]
"""A GET of a path (with its query) on the server, answering the decoded JSON body."""


def verify_served(get: Get, saved: dict[str, Any] | None = None, public_key: str | None = None) -> list[str]:
    """What is wrong with the log a server serves; empty when its events, its head and the ``saved``
    head agree (and the head's signature verifies with ``public_key``, base64, when given)."""
    head = get("/log/head")
    size = int(head["tree_size"])
    faults: list[str] = []
    if public_key is not None and not signature_verifies(head, public_key):
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


async def verify_store(store: Store, public_key: str | None = None) -> list[str]:
    """Every stored hash against its event, the Merkle tree against the hashes and every kept head against
    the tree (and its signature, for those signed by ``public_key``, base64, when given), in one snapshot."""
    async with store.driver.reading(snapshot=True) as tx:
        row = await tx.row(Q.LAST_POSITION)
        last = int(row[0]) if row else 0
        faults = [*await hashing.faults(tx, store.dialect, store.catalogue, last), *await tree.faults(tx, last)]
        faults.extend(await kept_heads.faults(tx, store.dialect, last))
        if public_key is not None:
            try:
                key_id = hashlib.sha256(base64.b64decode(public_key, validate=True)).hexdigest()[:16]
            except ValueError:
                return [*faults, "kept heads: the public key given is not base64"]
            for kept in await kept_heads.heads(tx, store.dialect):
                served = msgspec.json.decode(msgspec.json.encode(kept.head))
                if kept.head.key_id == key_id and not signature_verifies(served, public_key):
                    faults.append(f"kept heads: the signature of {kept} does not verify with the public key given")
        return faults


def verify_export(lines: Iterable[bytes], public_key: str | None = None) -> list[str]:
    """What is wrong with a file of ``tidings export --format stored``; empty when every line's hash is its
    event's, the positions run 1, 2, 3 ... to the closing ``log_head`` line's ``tree_size``, the tree of those
    events has the head's root (and the head's signature verifies with ``public_key``, base64, when given).
    The first position that breaks is named; nothing after it is read."""
    grown, frontier = 0, dict[Node, bytes]()
    leaves: list[bytes] = []
    recorded_at: object = None
    head: Any = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        expected = grown + len(leaves) + 1
        if head is not None:
            return [f"export: line {number} follows the log_head line, which must end the file"]
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if not isinstance(item, dict):
            return [f"export: the history breaks first at position {expected}: line {number} is not a JSON object"]
        if "log_head" in item:
            head = item["log_head"]
            continue
        position = item.get("position")
        if position != expected:
            return [f"export: the history breaks first at position {expected}: line {number} holds position {position}"]
        try:
            computed = _hash(item)
        except (KeyError, TypeError, ValueError):
            computed = None
        if computed is None or computed != item.get("hash"):
            return [f"hashes: the history breaks first at position {position}: the line's hash is not its event's"]
        leaves.append(bytes.fromhex(computed))
        recorded_at = item["recorded_at"]
        if len(leaves) == 1000:  # the tree grows in steps: memory holds its frontier, not every leaf
            _, grown, frontier = merkle.grow(grown, frontier, leaves)
            leaves = []
    _, size, frontier = merkle.grow(grown, frontier, leaves)
    if head is None:
        return [f"export: the file ends after position {size} without its log_head line: it was cut short"]
    return _head_faults(head, size, merkle.range_hash(0, size, frontier), recorded_at, public_key)


def _head_faults(head: Any, size: int, root: bytes, recorded_at: object, public_key: str | None) -> list[str]:
    """The faults of an export's closing head, given the size, root and last time of the events above it."""
    if not isinstance(head, dict) or not {"tree_size", "root_hash", "timestamp"} <= head.keys():
        return ["log_head: the head line lacks tree_size, root_hash or timestamp"]
    held = head["tree_size"]
    if held != size:
        if isinstance(held, int) and held > size:
            return [
                f"export: the history breaks first at position {size + 1}: the head holds {held} events, the file {size}"
            ]
        return [f"log_head: the head holds {held} events but the file {size}: the head was altered"]
    faults = []
    if head["root_hash"] != root.hex():
        faults.append(
            f"log_head: the root of the file's {size} events is not the head's root: the head was altered, "
            "or an event and its hash were rewritten"
        )
    if head["timestamp"] != recorded_at:
        faults.append(f"log_head: its timestamp is not when position {size} was recorded: the head was altered")
    if public_key is not None and not signature_verifies(head, public_key):
        unsigned = "the head is not signed" if not head.get("signature") else "the signature does not verify"
        faults.append(f"log_head: {unsigned} with the public key given")
    return faults


def _hash(stored: dict[str, Any]) -> str:
    """The README's function: SHA-256 of the event's canonical form."""
    canonical = {key: stored[key] for key in ("event", "position", "recorded_at")}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _root(leaves: list[bytes]) -> bytes:
    _, size, frontier = merkle.grow(0, {}, leaves)
    return merkle.range_hash(0, size, frontier)


def signature_verifies(head: dict[str, Any], public_key: str) -> bool:
    """Whether a head as served (decoded JSON) carries an Ed25519 signature of its canonical form by the key
    ``public_key`` (raw 32 bytes, base64)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(head.get("signature"), str):
        return False
    signed = {key: head[key] for key in ("root_hash", "timestamp", "tree_size")}
    text = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(
            base64.b64decode(head["signature"]), text
        )
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
    return True
