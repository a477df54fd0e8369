"""Reading an NDJSON file of events (``tidings import``): every event in order, and an error that names its line.

Lines are decoded a chunk at a time (api.seeds.DECODE_CHUNK); these tests put what used to be
decoded line by line in the middle of a chunk and across chunks, and check that a reader sees the
same events and the same errors as before.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from api import seeds
from api.seeds import NdjsonError, read_ndjson
from schema.codec import encode_event
from schema.events import StoredEvent
from tests.factories import company_registered, sales_reported


def _lines(count: int) -> list[bytes]:
    events = [company_registered("xiaomi")] + [sales_reported("xiaomi", "2024", units=n + 1) for n in range(count - 1)]
    return [encode_event(event) + b"\n" for event in events]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seeds, "DECODE_CHUNK", 7)


def test_every_event_of_a_file_longer_than_a_chunk_is_read_in_order() -> None:
    lines = _lines(30)

    assert [encode_event(e) + b"\n" for e in read_ndjson(lines, "f.ndjson")] == lines


def test_a_bad_line_in_a_chunk_is_named_and_the_events_before_it_are_read_first() -> None:
    lines = _lines(30)
    lines[17] = b'{"type": "no_such_event"}\n'
    read = []

    with pytest.raises(NdjsonError, match=r"^f\.ndjson:18: ") as error:
        read.extend(read_ndjson(lines, "f.ndjson"))

    assert len(read) == 17
    assert "no_such_event" in str(error.value)


def test_two_events_on_one_line_are_an_error_of_that_line() -> None:
    lines = _lines(10)
    lines[3] = lines[3].rstrip(b"\n") + b"," + lines[4]

    with pytest.raises(NdjsonError, match=r"^f\.ndjson:4: .*trailing characters"):
        list(read_ndjson(lines, "f.ndjson"))


def test_blank_lines_and_the_lines_of_a_stored_export_are_read_as_before() -> None:
    lines = _lines(10)
    event = company_registered("byd")
    stored = StoredEvent(position=3, recorded_at=datetime(2026, 12, 6, tzinfo=UTC), event=event)
    lines[2] = b"\n"
    lines[5] = msgspec.json.encode(stored) + b"\n"
    lines.append(b'{"log_head": {"tree_size": 3}}\n')

    read = list(read_ndjson(lines, "f.ndjson"))

    assert len(read) == 9
    assert read[4] == event
