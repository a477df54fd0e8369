"""Reading NDJSON event files (the seeds, ``tidings import``) and appending them in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from importlib import resources

import msgspec

from api.store.base import EventStore
from api.store.codec import decode_event
from schema.events import Event
from schema.views import MAX_BATCH

__all__ = ["NdjsonError", "batches", "load_ndjson", "read_ndjson", "seed_events", "seed_examples"]


class NdjsonError(ValueError):
    def __init__(self, name: str, line: int, message: str) -> None:
        super().__init__(f"{name}:{line}: {message}")


def read_ndjson(lines: Iterable[bytes], name: str) -> Iterator[Event]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield decode_event(line)
        except (msgspec.DecodeError, UnicodeDecodeError) as error:
            raise NdjsonError(name, number, str(error)) from None


def seed_events() -> list[Event]:
    """Every seed event, file by file in name order."""
    events: list[Event] = []
    folder = resources.files("seeds")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".ndjson"):
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


async def load_ndjson(
    store: EventStore, events: Iterable[Event], progress: Callable[[int], None] | None = None
) -> tuple[int, int]:
    """Append events in batches; returns (newly stored, already present). Re-running adds nothing."""
    new = present = 0
    for batch in batches(events):
        result = await store.append_batch(batch)
        new += result.new
        present += len(batch) - result.new
        if progress is not None:
            progress(len(batch))
    return new, present
