"""Examples in the OpenAPI document, taken from the seed events so that they are real and exist.

The routes name these functions in their ``Extras``; they are called when the document is
built, never at import (they read the files under seeds/).
"""

from __future__ import annotations

from typing import Any

import msgspec

from api.seeds import seed_events, seed_examples
from schema import events

__all__ = ["batch_examples", "event_examples", "seeded_event_id", "seeded_event_type"]


def event_examples() -> dict[str, Any]:
    """One named example per event type: a real event from seeds/."""
    return {
        tag: {"summary": events.EVENT_TYPES[tag].summary, "value": _wire(event)}
        for tag, event in seed_examples().items()
    }


def batch_examples() -> dict[str, Any]:
    """A real batch: the registrations of the seed article."""
    registrations = [event for event in seed_events() if isinstance(event, events.CompanyRegistered)]
    return {
        "companies": {
            "summary": "Register the companies of the seed article",
            "value": {"events": [_wire(event) for event in registrations]},
        }
    }


def seeded_event_id() -> str:
    """The id of an event a seeded store holds."""
    return str(_first_seed().id)


def seeded_event_type() -> str:
    """The type of that event."""
    return str(_first_seed().__struct_config__.tag)


def _first_seed() -> events.Event:
    return next(iter(seed_examples().values()))


def _wire(value: Any) -> Any:
    """An event as a client sends it (and as seeds/ holds it): unset optional fields left out, not null."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if v is not None}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(msgspec.to_builtins(value))
