"""GET /events/stream: the log as Server-Sent Events, live, resumable with ``Last-Event-ID``.

Each frame is ``id: <position>``, ``event: <type>``, ``data: <the stored event as JSON>``.
Without ``until`` or ``limit`` the stream replays and then stays open (live); with
either it replays what is committed at the request and closes (bounded mode: for
batch consumers, in-process tests and fuzzing, where an endless body would hang).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import Stream
from litestar.response.base import ASGIResponse
from litestar.response.streaming import ASGIStreamingResponse

from api.errors import InvalidInput
from api.feed.broadcast import Feed, Subscription
from api.http.openapi.extras import Extras
from api.http.routes.guards import before_every_request
from api.http.routes.injected import Store
from api.http.routes.parameters import Companies, EventTypes
from api.http.routes.responses import problems
from schema.base import MAX_SAFE_INT
from schema.events import EventType
from schema.problems import FieldError, Problem

if TYPE_CHECKING:
    from litestar.app import Litestar
    from litestar.background_tasks import BackgroundTask, BackgroundTasks
    from litestar.datastructures.cookie import Cookie
    from litestar.enums import MediaType
    from litestar.types import Receive, Scope, Send, TypeEncodersMap

__all__ = ["EVENT_STREAM", "FRAME_SCHEMA", "STREAM_SCHEMA", "EventStream", "stream_events"]

EVENT_STREAM = "text/event-stream"
KEEP_ALIVE = b": keep-alive\n\n"

FRAME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "EventStreamFrame",
    "description": (
        "One event of `GET /events/stream` as an SSE parser hands it over. On the wire it is the lines "
        "`id: <position>`, `event: <type>` and `data: <JSON>`, ended by a blank line. The stream also sends "
        "`retry: <ms>` first, and comment lines starting with `:` (keep-alive; a final comment when the server "
        "ends the stream), which SSE parsers skip."
    ),
    "required": ["id", "event", "data"],
    "properties": {
        "id": {
            "type": "string",
            "pattern": "^[1-9][0-9]{0,15}$",
            "description": "The event's position. Send the last one received as `Last-Event-ID` to resume after it.",
        },
        "event": {
            "type": "string",
            "enum": sorted(get_args(EventType)),
            "description": "The event's type, as in `data.event.type`.",
        },
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {
                "oneOf": [{"$ref": "#/components/schemas/StoredEvent"}, {"$ref": "#/components/schemas/CloudEvent"}]
            },
            "description": (
                "The stored event as JSON: the same document `GET /events/{event_id}` answers; with "
                "`format=cloudevents`, the CloudEvent `GET /events/{event_id}?format=cloudevents` answers."
            ),
        },
        "retry": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_SAFE_INT,
            "description": "How many milliseconds a client should wait before it reconnects.",
        },
    },
    "additionalProperties": False,
}
"""The frame format, for the OpenAPI document (a component that ``stream_events`` declares)."""

STREAM_SCHEMA: dict[str, Any] = {
    "description": (
        "Each event of the stream is an EventStreamFrame (OpenAPI 3.1 tools read an event stream's schema "
        "per event, as 3.2's itemSchema says it). The body as a whole is text: generated clients hand a "
        "bounded stream (`until=now` or `limit`) over as it came, and an SSE reader splits it into frames."
    ),
    # No `type`, and the frame only under dependentSchemas: an object with `data` (an event) must be a
    # frame, and the body read whole (a string) is valid too. A typed object here made generators
    # JSON-parse the text body and throw; `type: string` is what they would type best, but fails every
    # event under schemathesis' per-event reading. tests/clients/ runs each generator's client on it.
    # (No `required: [data]` beside it: linters read a required property without a definition as a
    # mistake, and every event of the stream has `data` anyway.)
    "dependentSchemas": {"data": {"$ref": "#/components/schemas/EventStreamFrame"}},
}
"""The schema of the stream's 200 ``text/event-stream`` content."""


class _Frames:
    """The body of one stream: a ``retry:`` hint, then frames, keep-alive comments and a final comment."""

    def __init__(self, subscription: Subscription, *, retry_ms: int, keepalive: float) -> None:
        self.subscription = subscription
        self._retry = b"retry: %d\n\n" % retry_ms
        self._keepalive = keepalive

    def __aiter__(self) -> _Frames:
        return self

    async def __anext__(self) -> bytes:
        if self._retry:
            retry, self._retry = self._retry, b""
            return retry
        if self.subscription.done:
            raise StopAsyncIteration
        chunk = await self.subscription.next(self._keepalive)
        return KEEP_ALIVE if chunk is None else chunk


class _ASGIEventStream(ASGIStreamingResponse):
    __slots__ = ()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # However the connection ends (done, client gone, cancelled at shutdown), free the slot.
        try:
            await super().__call__(scope, receive, send)
        finally:
            if isinstance(self.iterator, _Frames):
                self.iterator.subscription.close()


class EventStream(Stream):
    """A Stream whose subscription is closed when its connection ends, however it ends."""

    def __init__(self, frames: _Frames) -> None:
        super().__init__(
            frames,
            media_type=EVENT_STREAM,
            # no-transform and X-Accel-Buffering keep proxies from holding frames back.
            headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"},
        )
        self._frames = frames

    def to_asgi_response(
        self,
        app: Litestar | None,
        request: Request[Any, Any, Any],
        *,
        background: BackgroundTask | BackgroundTasks | None = None,
        cookies: Iterable[Cookie] | None = None,
        encoded_headers: Iterable[tuple[bytes, bytes]] | None = None,
        headers: dict[str, str] | None = None,
        is_head_response: bool = False,
        media_type: MediaType | str | None = None,
        status_code: int | None = None,
        type_encoders: TypeEncodersMap | None = None,
    ) -> ASGIResponse:
        return _ASGIEventStream(
            background=self.background or background,
            content_length=0,
            cookies=self.cookies if cookies is None else itertools.chain(self.cookies, cookies),
            encoded_headers=encoded_headers,
            encoding=self.encoding,
            headers={**headers, **self.headers} if headers is not None else self.headers,
            is_head_response=is_head_response,
            iterator=self._frames,
            media_type=EVENT_STREAM,
            status_code=self.status_code or status_code,
        )


async def _strict_query(request: Request[Any, Any, Any]) -> Response[None] | None:
    """Refuse what Litestar would quietly accept on a feed: ``null`` read as "not given" (unknown
    parameters are refused for every operation, by guards.StrictParameters). Then the app's own
    checks, which a handler's ``before_request`` replaces."""
    errors = [
        FieldError(f"query.{name}", 'got "null"; expected a value', code="type")
        for name in ("until", "limit")
        if "null" in request.query_params.getall(name, [])
    ]
    if request.headers.get("last-event-id", "").strip() == "null":
        errors.append(FieldError("header.Last-Event-ID", 'got "null"; expected a position', code="type"))
    if errors:
        raise InvalidInput(errors)
    return await before_every_request(request)


_DESCRIPTION = """\
Server-Sent Events: every event after `after` (or after the `Last-Event-ID` header, which wins
when both are sent) in position order, then each newly committed event as it is committed.
Each frame is `id: <position>`, `event: <type>` and `data: <the stored event as JSON>`, the same
JSON as `GET /events/{event_id}`; the first frame is a `retry:` hint, and a `: keep-alive`
comment is sent when nothing else was for a while. To resume after a disconnect, send the last
`id` received as `Last-Event-ID`: the stream continues without gap or duplicate.
With `format=cloudevents`, each frame's `data` is the event as a CloudEvent 1.0 in structured
mode, the same JSON as `GET /events/{event_id}?format=cloudevents`.

A client that reads slower than events are committed and falls too far behind is cut off with a
final comment (`: too slow ...`) and resumes with `Last-Event-ID`; at server shutdown streams end
with `: server shutting down ...`.

With `until=now` or `limit`, the stream replays the events committed at the time of the request
(at most `limit` of them), ends with `: end of replay` and closes: a bounded read for batch
consumers. Generated clients return such a body as raw text; follow the live stream with an SSE
reader (see the README)."""


@get(
    "/events/stream",
    operation_id="streamEvents",
    tags=["events"],
    summary="Follow the log live as Server-Sent Events",
    description=_DESCRIPTION,
    media_type=EVENT_STREAM,
    response_description="The events as Server-Sent Events, each an EventStreamFrame.",
    # Litestar documents a stream as an empty schema.
    opt={
        "openapi": Extras(content={EVENT_STREAM: {"schema": STREAM_SCHEMA}}, schemas={"EventStreamFrame": FRAME_SCHEMA})
    },
    before_request=_strict_query,
    responses={
        **problems(422),
        503: ResponseSpec(
            data_container=Problem,
            description="The server holds as many streams as it allows, or is shutting down; retry shortly.",
            media_type="application/problem+json",
            generate_examples=False,
        ),
    },
)
async def stream_events(
    request: Request[Any, Any, Any],
    feed: NamedDependency[Feed],
    store: Store,
    after: Annotated[
        int, QueryParameter(ge=0, le=MAX_SAFE_INT, description="Start after this position (0: from the first event).")
    ] = 0,
    last_event_id: Annotated[
        int | None,
        HeaderParameter(
            name="Last-Event-ID",
            ge=0,
            le=MAX_SAFE_INT,
            description="The last `id` received: resume after it. Wins over `after`.",
        ),
    ] = None,
    types: EventTypes = None,
    company: Companies = None,
    until: Annotated[
        Literal["now"] | None,
        QueryParameter(description="`now`: replay what is committed at the request, then close (bounded mode)."),
    ] = None,
    limit: Annotated[
        int | None,
        QueryParameter(ge=1, le=MAX_SAFE_INT, description="Send at most this many events, then close (bounded mode)."),
    ] = None,
    format: Annotated[
        Literal["json", "cloudevents"] | None,
        QueryParameter(
            description="`cloudevents`: each frame's `data` is a CloudEvent 1.0 (structured mode) instead of the stored event."
        ),
    ] = None,
) -> EventStream:
    bounded = until is not None or limit is not None
    subscription = feed.subscribe(
        after=after if last_event_id is None else last_event_id,
        types=types or (),
        companies=company or (),
        until=await store.last_position() if bounded else None,
        limit=limit,
        owner=request.scope["state"].get("key_id"),  # None when the server runs open
        cloudevents=format == "cloudevents",
    )
    return EventStream(_Frames(subscription, retry_ms=feed.retry_ms, keepalive=feed.keepalive))
