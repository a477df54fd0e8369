"""Reading NDJSON event files (the seeds, ``tidings import``) and appending them in batches.

A line is an event, or a line of ``tidings export --format stored``: a stored event (its ``event`` is
read; the store it is imported into gives it a new position, time and hash) or the closing
``log_head`` line (skipped).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Iterator
from importlib import resources

import msgspec

from api.store.base import AppendResult, EventStore
from schema.codec import decode_event, decode_stored
from schema.events import Event
from schema.views import MAX_BATCH

__all__ = [
    "FIRST_ARTICLE",
    "IMPORT_BATCH",
    "NdjsonError",
    "batches",
    "load_ndjson",
    "load_seeds",
    "read_ndjson",
    "seed_events",
    "seed_examples",
]


class NdjsonError(ValueError):
    def __init__(self, name: str, line: int, message: str) -> None:
        super().__init__(f"{name}:{line}: {message}")


class _Shape(msgspec.Struct):
    """What tells a line of a stored export from an event (read only when a line is not an event)."""

    position: object = None
    log_head: object = None


_shape = msgspec.json.Decoder(_Shape)


def read_ndjson(lines: Iterable[bytes], name: str) -> Iterator[Event]:
    """The events of an NDJSON file, in order; an error names the file and the line.

    Lines are decoded DECODE_CHUNK at a time with one decode of them joined into a JSON array (the
    per-line calls were a tenth of an import's decoding); a chunk that does not decode whole (a bad
    line, a blank one, a stored export's line) is decoded again line by line, which finds the line."""
    number = 0
    chunk: list[bytes] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == DECODE_CHUNK:
            yield from _chunk(chunk, number, name)
            number += len(chunk)
            chunk = []
    if chunk:
        yield from _chunk(chunk, number, name)


DECODE_CHUNK = 1000
"""Lines decoded together by read_ndjson."""

_chunk_decoder = msgspec.json.Decoder(list[Event])


def _chunk(chunk: list[bytes], before: int, name: str) -> Iterator[Event]:
    try:
        events = _chunk_decoder.decode(b"[" + b",".join(chunk) + b"]")
    except (msgspec.DecodeError, UnicodeDecodeError):  # ValidationError is a DecodeError
        events = []
    # One event a line, or a line held two values ("{...},{...}"), which alone is not an event.
    # Line by line, the events before a bad line are still read first, as they always were.
    yield from events if len(events) == len(chunk) else _lines(chunk, before, name)


def _lines(chunk: list[bytes], before: int, name: str) -> Iterator[Event]:
    for number, line in enumerate(chunk, start=before + 1):
        if not line.strip():
            continue
        try:
            yield decode_event(line)
        except msgspec.ValidationError as error:
            try:
                shape = _shape.decode(line)
            except msgspec.ValidationError:  # not an object
                raise NdjsonError(name, number, str(error)) from None
            if shape.log_head is not None:
                continue
            if shape.position is None:
                raise NdjsonError(name, number, str(error)) from None
            try:
                yield decode_stored(line).event
            except msgspec.ValidationError as stored_error:
                raise NdjsonError(name, number, str(stored_error)) from None
        except (msgspec.DecodeError, UnicodeDecodeError) as error:
            raise NdjsonError(name, number, str(error)) from None


FIRST_ARTICLE = "samsung-xiaomi-ev-meeting.ndjson"
"""The seed file of the first source article (sources/samsung-xiaomi-ev-meeting.de.txt)."""


def seed_events(*names: str) -> list[Event]:
    """Every seed event (or those of the files ``names``), file by file in name order."""
    events: list[Event] = []
    folder = resources.files("seeds")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".ndjson") and (not names or entry.name in names):
            events.extend(read_ndjson(entry.read_bytes().splitlines(), entry.name))
    return events


def seed_examples() -> dict[str, Event]:
    """The first seed event of each type: the examples in the catalogue and the OpenAPI document."""
    examples: dict[str, Event] = {}
    for event in seed_events():
        examples.setdefault(str(event.__struct_config__.tag), event)
    return examples


def batches(events: Iterable[Event], size: int = MAX_BATCH) -> Iterator[list[Event]]:
    batch: list[Event] = []
    for event in events:
        batch.append(event)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


IMPORT_BATCH = 5000
"""Events per transaction of an import: larger groups share the pages they touch (faster than MAX_BATCH)."""


async def load_ndjson(
    store: EventStore,
    events: Iterable[Event],
    progress: Callable[[int], None] | None = None,
    *,
    size: int = IMPORT_BATCH,
) -> tuple[int, int]:
    """Append events in batches of ``size``, each atomic and in file order; returns (newly stored,
    already present). Re-running adds nothing.

    The next batch is read and decoded while the previous one commits, but it is sent only after
    that commit succeeded: a refused batch stops the load with nothing after it stored.
    """
    new = present = 0
    pending: tuple[asyncio.Future[AppendResult], int] | None = None

    async def settle() -> None:
        nonlocal new, present, pending
        if pending is None:
            return
        future, count = pending
        pending = None
        result = await future
        new += result.new
        present += count - result.new
        if progress is not None:
            progress(count)

    try:
        batch: list[Event] = []
        for event in events:
            batch.append(event)
            if len(batch) % DECODE_CHUNK == 0:
                await asyncio.sleep(0)  # the batch before goes on committing while this one is read
            if len(batch) == size:
                await settle()
                pending = (asyncio.ensure_future(store.append_batch(batch)), len(batch))
                batch = []
        if batch:
            await settle()
            pending = (asyncio.ensure_future(store.append_batch(batch)), len(batch))
        await settle()
    finally:
        if pending is not None:  # decoding the next batch failed: what was sent still completes first
            with contextlib.suppress(Exception):
                await pending[0]
    return new, present


async def load_seeds(store: EventStore) -> tuple[int, int, list[str]]:
    """Append the seed events; returns (newly stored, already present, ids kept as stored).

    Seeds are examples that grow with releases (a field the catalogue gained, a note re-expressed
    as data). A store seeded by an earlier release keeps the events it has: a seed whose id is
    stored with other content is left out, never a conflict, and its id is returned."""
    events = seed_events()
    kept: list[str] = []
    fresh: list[Event] = []
    for event in events:
        stored = await store.get(event.id) if event.id is not None else None
        if stored is not None and stored.event != event:
            kept.append(str(event.id))
        else:
            fresh.append(event)
    new, present = await load_ndjson(store, fresh)
    return new, present, kept
