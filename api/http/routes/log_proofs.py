"""The log's Merkle tree (RFC 9162): its head, and inclusion and consistency proofs a client checks
with RFC 9162's verification algorithms alone (api.store.merkle, docs/hashes.md)."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter

from api.errors import EventNotFound, InvalidInput, NoSigningKey
from api.http.openapi.examples import seeded_event_id
from api.http.openapi.extras import Extras
from api.http.routes.injected import Store
from api.http.routes.responses import problems
from api.signing import HeadSigner
from schema.base import MAX_SAFE_INT, EventId
from schema.problems import FieldError
from schema.transparency import ConsistencyProof, InclusionProof, LogHead, PublicKey

__all__ = ["log_proof_handlers"]

_SIZE = "Events in the tree: the first N positions of the log; at most the log's head."


@get(
    "/log/head",
    operation_id="getLogHead",
    tags=["events"],
    summary="The head of the log's Merkle tree",
    description=(
        "The size of the Merkle tree over the whole log (RFC 9162 section 2.1; each leaf is an event's `hash`, "
        "in position order), its root hash, and when its last event was recorded; signed with Ed25519 when the "
        "server has a signing key (`GET /log/public-key`); a signed head is kept by the store, and `tidings verify` "
        "checks every kept head against the log. Keep a head to ask later for the proof that the log still extends "
        "it (`GET /log/proof/consistency`)."
    ),
    responses=problems(503),
)
async def get_log_head(store: Store, request: Request[Any, Any, Any]) -> LogHead:
    size, root, recorded_at = await store.log_head()
    head = LogHead(tree_size=size, root_hash=root.hex(), timestamp=recorded_at)
    signer: HeadSigner | None = request.app.state.get("signer")
    if signer is None:
        return head
    signed = signer.sign(head)
    await store.keep_head(signed)  # the store keeps what it signed: `tidings verify` checks it later
    return signed


@get(
    "/log/public-key",
    operation_id="getLogPublicKey",
    tags=["events"],
    summary="The key the log's heads are signed with",
    description=(
        "The Ed25519 public key (raw 32 bytes, base64) that verifies the `signature` of `GET /log/head`, and its "
        "id. 404 when the server was started without a signing key (its heads are unsigned)."
    ),
    responses=problems(404),
    sync_to_thread=False,
)
def get_log_public_key(request: Request[Any, Any, Any]) -> PublicKey:
    signer: HeadSigner | None = request.app.state.get("signer")
    if signer is None:
        raise NoSigningKey()
    return PublicKey(algorithm="Ed25519", public_key=base64.b64encode(signer.public_key).decode(), key_id=signer.key_id)


@get(
    "/log/proof/inclusion",
    operation_id="getInclusionProof",
    tags=["events"],
    summary="The proof that an event is in the log's tree",
    description=(
        "The audit path of the event in the tree of `tree_size` events (default: the whole log), RFC 9162 section "
        "2.1.3: with the event's `hash` as leaf input and `position - 1` as leaf index it gives `root_hash`. "
        "404 for an id the log does not hold; 422 for a tree that does not hold the event or lies beyond the head."
    ),
    opt={"openapi": Extras(parameter_examples={"event": seeded_event_id})},
    responses=problems(404, 422, 503),
)
async def get_inclusion_proof(
    store: Store,
    event: Annotated[EventId, QueryParameter(description="The event's id.")],
    tree_size: Annotated[int | None, QueryParameter(ge=1, le=MAX_SAFE_INT, description=_SIZE)] = None,
) -> InclusionProof:
    head = await store.last_position()
    size = head if tree_size is None else _within("tree_size", tree_size, head)
    found = await store.inclusion_proof(event, size)
    if found is None:
        raise EventNotFound(str(event))
    position, root, path = found
    if position > size:
        message = f"got {size}; the event is at position {position}: give {position} or more"
        raise InvalidInput([FieldError("query.tree_size", message, code="contradictory")])
    return InclusionProof(
        event_id=event, position=position, tree_size=size, root_hash=root.hex(), audit_path=[h.hex() for h in path]
    )


@get(
    "/log/proof/consistency",
    operation_id="getConsistencyProof",
    tags=["events"],
    summary="The proof that the log extends an earlier head",
    description=(
        "The consistency proof from the tree of `from` events to the tree of `to` events (default: the whole "
        "log), RFC 9162 section 2.1.4: with a head kept earlier (`from`, its root hash) and `to_root` it proves "
        "that nothing of the first `from` events was changed since. 422 for `from` after `to` or a size beyond "
        "the head."
    ),
    opt={"openapi": Extras(parameter_examples={"from": lambda: 1})},
    responses=problems(422, 503),
)
async def get_consistency_proof(
    store: Store,
    from_: Annotated[int, QueryParameter(name="from", ge=1, le=MAX_SAFE_INT, description="The earlier tree's size.")],
    to: Annotated[int | None, QueryParameter(ge=1, le=MAX_SAFE_INT, description=_SIZE)] = None,
) -> ConsistencyProof:
    head = await store.last_position()
    size = head if to is None else _within("to", to, head)
    old = _within("from", from_, head)
    if old > size:
        message = f"got {old}; to is {size}: give the smaller tree as from"
        raise InvalidInput([FieldError("query.from", message, code="contradictory")])
    old_root, root, proof = await store.consistency_proof(old, size)
    return ConsistencyProof(
        from_size=old, from_root=old_root.hex(), to_size=size, to_root=root.hex(), proof=[h.hex() for h in proof]
    )


def _within(name: str, size: int, head: int) -> int:
    if size > head:
        message = f"got {size}; the log's head is at position {head}: give {head} or less"
        raise InvalidInput([FieldError(f"query.{name}", message, code="beyond_head")])
    return size


log_proof_handlers: list[Any] = [get_log_head, get_log_public_key, get_inclusion_proof, get_consistency_proof]
