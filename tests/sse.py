"""A small Server-Sent Events reader, as a consuming service would write one by hand.

``SseReader.feed(chunk)`` takes bytes as they arrive and returns the frames completed so
far: events (``id``/``event``/``data``), the ``retry`` hint, and comments (``: ...``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Frame", "SseReader", "parse"]


@dataclass
class Frame:
    id: str | None = None
    event: str | None = None
    data: str | None = None
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def position(self) -> int:
        assert self.id is not None, self
        return int(self.id)

    def json(self) -> Any:
        assert self.data is not None, self
        return json.loads(self.data)


class SseReader:
    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[Frame]:
        self._buffer += chunk.replace(b"\r\n", b"\n")
        *blocks, self._buffer = self._buffer.split(b"\n\n")
        return [_frame(block.decode()) for block in blocks if block]


def _frame(block: str) -> Frame:
    frame = Frame()
    data: list[str] = []
    for line in block.split("\n"):
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            frame.comments.append(value)
        elif name == "id":
            frame.id = value
        elif name == "event":
            frame.event = value
        elif name == "data":
            data.append(value)
        elif name == "retry":
            frame.retry = int(value)
    frame.data = "\n".join(data) if data else None
    return frame


def parse(body: bytes | str) -> list[Frame]:
    reader = SseReader()
    frames = reader.feed(body.encode() if isinstance(body, str) else body)
    return frames + reader.feed(b"\n\n")
