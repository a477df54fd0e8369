"""Each event's hash: SHA-256 over its canonical form, written in the append transaction.

The canonical form of a stored event is the JSON object ``{"event": …, "position": …,
"recorded_at": …}`` exactly as ``GET /events`` serves those three members, keys sorted at every
level, no whitespace, UTF-8 (docs/hashes.md), so any client recomputes it from what it read
with a JSON library alone. msgspec's sorted order, compact output and string escapes are those
of Python's ``json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
(tests/test_hashes.py holds them to it).

A store made before the hashes gets those of its events at start-up (``backfill``), in spans,
before the writer takes appends; ``faults`` is what ``tidings check`` reports of them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import msgspec

from api.store.driver import Dialect, Driver, Transaction
from api.store.statements import Q
from schema.declarations import Catalogue
from schema.events import Event, StoredEvent

__all__ = ["SPAN", "backfill", "canonical", "event_hash", "faults"]

log = logging.getLogger("tidings.hashing")

SPAN = 5000
"""Events hashed (back-fill) or checked per statement."""

_encode = msgspec.json.Encoder(order="sorted").encode


def canonical(position: int, recorded_at: datetime, event: Event) -> bytes:
    """The bytes an event's hash is taken over (see the module's docstring)."""
    return _encode(StoredEvent(position=position, recorded_at=recorded_at, event=event))


def event_hash(position: int, recorded_at: datetime, event: Event) -> bytes:
    """SHA-256 of the canonical form: 32 bytes, stored as they are and served as hex."""
    return hashlib.sha256(canonical(position, recorded_at, event)).digest()


async def backfill(driver: Driver, catalogue: Catalogue) -> int:
    """Store the hash of every event without one (a store made before the hashes); returns how many."""
    dialect = driver.dialect
    done, after = 0, 0
    while True:
        async with driver.writing() as tx:
            await tx.rows(Q.TAKE_HEAD)  # the log's write lock: instances starting together hash each event once
            rows = await tx.rows(Q.UNHASHED, after, SPAN)
            if not rows:
                break
            hashes = [(int(p), _recomputed(dialect, catalogue, p, t, b)) for p, t, b in rows]
            await tx.run_all([(Q.INSERT_HASH, hashes)])
        done += len(rows)
        after = hashes[-1][0]
    if done:
        log.info("hashed %d events stored before hashes were kept", done)
    return done


async def faults(tx: Transaction, dialect: Dialect, catalogue: Catalogue, last: int) -> list[str]:
    """The first position up to ``last`` whose stored hash is missing or differs from its event's,
    then each such position in order."""
    found: list[tuple[int, str]] = []
    for first in range(1, last + 1, SPAN):
        rows = await tx.rows(Q.HASHES_BETWEEN, first, min(first + SPAN - 1, last))
        found.extend(_span_faults(dialect, catalogue, rows))
    if not found:
        return []
    head = f"hashes: the history breaks first at position {found[0][0]} ({len(found)} positions do not match)"
    return [head, *(fault for _, fault in found)]


def _span_faults(dialect: Dialect, catalogue: Catalogue, rows: Iterable[Sequence[Any]]) -> list[tuple[int, str]]:
    found = []
    for position, recorded_at, body, stored in rows:
        if stored is None:
            found.append((int(position), f"hashes: position {position} has no hash"))
            continue
        try:
            computed = _recomputed(dialect, catalogue, position, recorded_at, body)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError):
            found.append((int(position), f"hashes: position {position} holds an event that does not decode"))
            continue
        if computed != bytes(stored):
            found.append((int(position), f"hashes: position {position} does not match its hash"))
    return found


def _recomputed(dialect: Dialect, catalogue: Catalogue, position: int, recorded_at: object, body: object) -> bytes:
    held = body.encode() if isinstance(body, str) else bytes(body)  # type: ignore[call-overload]
    return event_hash(int(position), dialect.read_time(recorded_at), catalogue.decode(held))
