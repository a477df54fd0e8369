"""The fields every fact of a read model carries, and the sources evidence adds to a fact."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from schema.base import Source
from schema.dossiers import Fact
from schema.events import StoredEvent

__all__ = ["fact_fields", "supported"]

F = TypeVar("F", bound=Fact)


def fact_fields(stored: StoredEvent) -> dict[str, Any]:
    event = stored.event
    return {
        "position": stored.position,
        "event_id": event.id,
        "certainty": event.certainty,
        "sources": event.sources,
        "source_count": len(event.sources),
        "attributed_to": event.attributed_to,
        "note": event.note,
    }


def supported(fact: F, evidence: dict[int, list[Source]]) -> F:
    """The fact with the sources that evidence_added events brought to it."""
    extra = evidence.get(fact.position)
    if not extra:
        return fact
    sources = [*fact.sources, *extra]
    return msgspec.structs.replace(fact, sources=sources, source_count=len(sources))
