"""Reads of the log in CloudEvents 1.0: the ``format`` parameter, ``Accept``, and the answers.

``GET /events/{event_id}`` answers one CloudEvent (structured mode, ``application/cloudevents+json``),
``GET /events`` a JSON array of them (batch mode, ``application/cloudevents-batch+json``), when asked
by ``Accept`` or by ``format=cloudevents`` (which wins: a browser or a plain HTTP client sets no
``Accept``). The envelope is schema/cloudevents.py's; its ``source`` is the server's setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response
from litestar.params import QueryParameter

from schema.cloudevents import CLOUDEVENTS, CLOUDEVENTS_BATCH, cloud_event
from schema.events import StoredEvent

__all__ = ["CLOUD_EVENT_CONTENT", "CLOUD_EVENTS_CONTENT", "Format", "cloud_answer", "wants_cloudevents"]

Format = Annotated[
    Literal["json", "cloudevents"] | None,
    QueryParameter(
        description=(
            "`cloudevents`: answer in CloudEvents 1.0 JSON (as `Accept: application/cloudevents+json` or, for a "
            "list, `application/cloudevents-batch+json`); `json`: Tidings' own JSON. Wins over `Accept`."
        )
    ),
]

_REF = {"$ref": "#/components/schemas/CloudEvent"}
CLOUD_EVENT_CONTENT = {CLOUDEVENTS: {"schema": _REF}}
"""The structured-mode answer of one event, for ``Extras.content``."""
CLOUD_EVENTS_CONTENT = {CLOUDEVENTS_BATCH: {"schema": {"type": "array", "maxItems": 1000, "items": _REF}}}
"""The batch-mode answer of a page, for ``Extras.content``."""

_encoder = msgspec.json.Encoder()


def wants_cloudevents(request: Request[Any, Any, Any], format: str | None, media: str) -> bool:
    """Whether to answer in CloudEvents: ``format`` says so, or ``Accept`` prefers ``media`` to JSON."""
    if format is not None:
        return format == "cloudevents"
    return request.accept.best_match(["application/json", media], default="application/json") == media


def cloud_answer(
    request: Request[Any, Any, Any], items: Sequence[StoredEvent], *, batch: bool, headers: dict[str, str] | None = None
) -> Response[bytes]:
    """The CloudEvents answer: one event (structured mode) or a JSON array (batch mode)."""
    source: str = request.app.state.cloudevents_source
    envelopes = [cloud_event(stored, source) for stored in items]
    body = _encoder.encode(envelopes if batch else envelopes[0])
    return Response(body, media_type=CLOUDEVENTS_BATCH if batch else CLOUDEVENTS, headers=headers or {})
