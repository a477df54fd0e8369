"""``tidings export --format stored``: the log as the store holds it, closed by the head of its Merkle tree.

Every line but the last is one stored event as ``GET /events`` serves it: ``position``,
``recorded_at``, ``event`` and ``hash``, positions 1 to N in order with none left out. The last
line is ``{"log_head": …}``, the head of the tree over exactly those N events in the shape of
``GET /log/head``, signed when a signing key is given (and then kept by the store among the heads
it issued). ``tidings verify FILE`` (api.verify.verify_export) checks such a file with the
standard library and the public key alone; ``tidings import`` reads it too, taking each line's
``event`` (the events get new positions, times and hashes in the store they are imported into).

The head is read first and the events up to its size after it: the log only grows, so a file
written while appends go on still holds one consistent prefix of the log.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from api.signing import HeadSigner
from api.store.base import EventStore
from schema.transparency import ExportHead, LogHead

__all__ = ["PAGE", "write_stored"]

PAGE = 1000
"""Events read per statement."""

_encode = msgspec.json.Encoder().encode


async def write_stored(store: EventStore, write: Callable[[bytes], object], signer: HeadSigner | None = None) -> int:
    """Write the whole log as stored, then its head (signed by ``signer``); returns the events written."""
    size, root, recorded_at = await store.log_head()
    head = LogHead(tree_size=size, root_hash=root.hex(), timestamp=recorded_at)
    if signer is not None:
        head = signer.sign(head)
        await store.keep_head(head)
    after = 0
    while after < size:
        page = await store.read(after=after, before=size + 1, limit=PAGE)
        if not page:
            break  # the file ends short of the head, which tidings verify reports
        write(b"".join(_encode(stored) + b"\n" for stored in page))
        after = page[-1].position
    write(_encode(ExportHead(log_head=head)) + b"\n")
    return after
