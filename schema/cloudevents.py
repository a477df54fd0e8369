"""A stored event as a CloudEvent 1.0 in the JSON format (structured mode), and how to build one.

Any CloudEvents SDK reads these: ``id`` the event's id, ``source`` the Tidings instance (a URI the
server is configured with), ``type`` ``com.tidings.<event type>``, ``subject`` the companies the event
names, ``time`` when the log recorded it, ``data`` the event as appended. Tidings' own attributes are
extensions (lowercase letters and digits, as the specification asks): ``tidingsposition`` the place in
the log, ``tidingshash`` its hash (the canonical form of docs/hashes.md, to check it against the log's
Merkle tree), ``tidingsretractedby`` the id of the retraction that withdrew it, if one did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta

from schema.base import Base
from schema.events import Event, EventHash, StoredEvent

__all__ = ["CLOUDEVENTS", "CLOUDEVENTS_BATCH", "TYPE_PREFIX", "CloudEvent", "cloud_event"]

CLOUDEVENTS = "application/cloudevents+json"
"""One CloudEvent, structured mode."""
CLOUDEVENTS_BATCH = "application/cloudevents-batch+json"
"""A JSON array of CloudEvents, batch mode."""

TYPE_PREFIX = "com.tidings."
"""The reverse-DNS prefix of every CloudEvents ``type``: ``com.tidings.company_registered``."""

CloudPosition = Annotated[
    str,
    Meta(
        pattern="^[1-9][0-9]{0,15}$",
        max_length=16,
        description=(
            "The event's position in the log, as decimal digits: a CloudEvents Integer is 32-bit, "
            "positions go up to 2^53 - 1, so the extension is a String."
        ),
    ),
]


class CloudEvent(Base, frozen=True, omit_defaults=True):
    """A stored event as a CloudEvent 1.0 (JSON event format, structured mode)."""

    specversion: Literal["1.0"]
    id: Annotated[str, Meta(max_length=36, description="The event's id (a UUID).")]
    source: Annotated[
        str, Meta(min_length=1, max_length=2000, description="The Tidings instance: the server's `cloudevents_source`.")
    ]
    type: Annotated[
        str,
        Meta(
            pattern="^com[.]tidings[.][a-z_]+$",
            max_length=100,
            description="`com.tidings.` and the event's type.",
        ),
    ]
    time: Annotated[datetime, Meta(tz=True, description="When the log recorded the event (UTC, RFC 3339).")]
    datacontenttype: Literal["application/json"]
    data: Event
    tidingsposition: CloudPosition
    subject: (
        Annotated[
            str,
            Meta(
                min_length=1,
                description=(
                    "The companies the event names, their ids separated by spaces; absent for an event that "
                    "names none (evidence and retractions name an event)."
                ),
            ),
        ]
        | None
    ) = None
    tidingshash: EventHash | None = None
    tidingsretractedby: (
        Annotated[str, Meta(max_length=36, description="The id of the `event_retracted` that withdrew this event.")]
        | None
    ) = None


def cloud_event(stored: StoredEvent, source: str) -> CloudEvent:
    """The CloudEvent of one stored event, its source the instance's URI."""
    event = stored.event
    companies = event.companies_named()
    return CloudEvent(
        specversion="1.0",
        id=str(event.id),
        source=source,
        type=TYPE_PREFIX + str(event.__struct_config__.tag),
        time=stored.recorded_at,
        datacontenttype="application/json",
        data=event,
        tidingsposition=str(stored.position),
        subject=" ".join(companies) or None,
        tidingshash=stored.hash,
        tidingsretractedby=str(stored.retracted.event_id) if stored.retracted is not None else None,
    )
