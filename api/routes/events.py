"""The log: append one event, a batch, or one with a company precondition; read pages and single events."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

from api.errors import EventNotFound
from api.problems import MalformedBody, UnsupportedMediaType
from api.routes.responses import WRITE_PROBLEMS, problems
from api.store.base import EventStore, Expectation
from schema.base import MAX_SAFE_INT, CompanyId
from schema.events import Event, EventType, StoredEvent
from schema.views import Batch, BatchResult, EventPage

__all__ = ["append_batch", "append_event", "append_for_company", "get_event", "list_events", "require_json"]

_LOCATION = ResponseHeader(name="Location", description="The stored event: /events/{id}.", documentation_only=True)


async def require_json(request: Request[Any, Any, Any]) -> None:
    """Refuse bodies that are not JSON (415) or not UTF-8 (400) before anything decodes them."""
    media, _, params = request.headers.get("content-type", "").partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedMediaType(detail=f"Send the body as application/json, not {media or 'no content type'}.")
    charset = params.strip().lower().removeprefix("charset=").strip('"') if "charset=" in params.lower() else "utf-8"
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(detail=f"JSON is read as UTF-8 only, not {charset}.")
    try:
        (await request.body()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedBody(detail=f"The body is not valid UTF-8 (byte {error.start}).") from None


def _appended(events: list[StoredEvent], created: bool) -> Response[StoredEvent]:
    stored = events[0]
    return Response(stored, status_code=201 if created else 200, headers={"Location": f"/events/{stored.event.id}"})


_REPLAY = ResponseSpec(
    data_container=StoredEvent,
    description="The same id and content were stored before: the original, unchanged.",
    generate_examples=False,
)


@post(
    "/events",
    operation_id="appendEvent",
    tags=["events"],
    summary="Append one event",
    description=(
        "Stores one event and answers with its position. Sending the same `id` with the same content "
        "again answers 200 with the original; the same `id` with other content is a 409."
    ),
    before_request=require_json,
    status_code=201,
    response_headers=[_LOCATION],
    responses={200: _REPLAY, **problems(*WRITE_PROBLEMS, 409)},
)
async def append_event(data: Event, store: NamedDependency[EventStore]) -> Response[StoredEvent]:
    result = await store.append([data])
    return _appended(result.events, result.created)


@post(
    "/events/batch",
    operation_id="appendBatch",
    tags=["events"],
    summary="Append up to 1,000 events atomically",
    description="All events are stored in order, or none. Later events may name companies registered earlier in the batch.",
    before_request=require_json,
    status_code=201,
    responses={
        200: ResponseSpec(
            data_container=BatchResult, description="Every event was a replay of a stored one.", generate_examples=False
        ),
        **problems(*WRITE_PROBLEMS, 409),
    },
)
async def append_batch(data: Batch, store: NamedDependency[EventStore]) -> Response[BatchResult]:
    result = await store.append_batch(data.events)
    return Response(BatchResult(items=result.events), status_code=201 if result.created else 200)


@post(
    "/companies/{company_id:str}/events",
    operation_id="appendCompanyEvent",
    tags=["events"],
    summary="Append one event if the company is at the expected version",
    description=(
        'Optimistic concurrency: `If-Match: "<version>"` must equal the company\'s current version (its '
        "dossier's ETag); otherwise 412 and nothing is stored. Version 0 means the company is not yet registered. "
        "The event must name the company."
    ),
    before_request=require_json,
    status_code=201,
    response_headers=[_LOCATION],
    responses={200: _REPLAY, **problems(*WRITE_PROBLEMS, 409, 412, 428)},
)
async def append_for_company(
    company_id: Annotated[CompanyId, Parameter(description="The company the precondition is on.")],
    if_match: Annotated[
        str,
        Parameter(
            header="If-Match",
            pattern=r'^"[0-9]{1,15}"$',
            description='The expected version as a strong ETag, e.g. "3".',
        ),
    ],
    data: Event,
    store: NamedDependency[EventStore],
) -> Response[StoredEvent]:
    expected = Expectation(company_id, int(if_match.strip('"')))
    result = await store.append([data], expected=expected)
    return _appended(result.events, result.created)


@get(
    "/events",
    operation_id="listEvents",
    tags=["events"],
    summary="Read the log in position order",
    description='Pages of at most `limit` events after `after`. Continue with `after=next_after`; `Link: rel="next"` says the same.',
    response_headers=[
        ResponseHeader(name="Link", description='`<...>; rel="next"` when the page is full.', documentation_only=True)
    ],
    responses=problems(422, 503),
)
async def list_events(
    request: Request[Any, Any, Any],
    store: NamedDependency[EventStore],
    after: Annotated[int, Parameter(ge=0, le=MAX_SAFE_INT, description="Return events after this position.")] = 0,
    limit: Annotated[int, Parameter(ge=1, le=1000, description="At most this many events.")] = 100,
    types: Annotated[
        list[EventType] | None, Parameter(query="type", description="Only these event types (repeatable).")
    ] = None,
    company: Annotated[CompanyId | None, Parameter(description="Only events that touch this company.")] = None,
) -> Response[EventPage]:
    items = await store.read(after=after, limit=limit, types=types or (), company=company)
    next_after = items[-1].position if items else after
    headers = {}
    if len(items) == limit:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "after"]
        headers["Link"] = f'<{request.url.path}?{urlencode([*query, ("after", next_after)])}>; rel="next"'
    return Response(EventPage(items=items, next_after=next_after), headers=headers)


@get(
    "/events/{event_id:uuid}",
    operation_id="getEvent",
    tags=["events"],
    summary="Read one stored event",
    responses=problems(404, 503),
)
async def get_event(event_id: UUID, store: NamedDependency[EventStore]) -> StoredEvent:
    stored = await store.get(event_id)
    if stored is None:
        raise EventNotFound(str(event_id))
    return stored
