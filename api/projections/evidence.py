"""Evidence rows: further sources for an earlier fact, counted by every read model."""

from __future__ import annotations

from api.projections.registry import Projection
from api.projections.row import Row
from schema import stored
from schema.base import Source
from schema.codec import encode
from schema.events import EvidenceAdded, StoredEvent

__all__ = ["PROJECTION", "decode_sources", "rows"]

_sources = stored.decoder(list[Source])


def rows(stored: StoredEvent, touched: tuple[str, ...], target: int | None) -> list[Row]:
    event = stored.event
    if not isinstance(event, EvidenceAdded) or target is None:
        return []
    body = encode(event.sources)
    return [Row("evidence", company, stored.position, str(target), "", body) for company in touched]


def decode_sources(item: bytes) -> list[Source]:
    return _sources.decode(item)


PROJECTION = Projection("evidence", writes=("evidence",), fold=rows, handles=(EvidenceAdded,))
