"""The log: append one event, a batch, or one with a company precondition; read pages and single events."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, PathParameter, QueryParameter
from litestar.utils.scope.state import ScopeState

from api.errors import EventNotFound, InvalidInput
from api.feed.broadcast import Feed
from api.http.auth import require
from api.http.numbers import decode_body
from api.http.openapi.examples import batch_examples, event_examples, seeded_event_id
from api.http.openapi.extras import Extras, Link
from api.http.problems import MalformedBody, UnsupportedMediaType
from api.http.routes.cloud import CLOUD_EVENT_CONTENT, CLOUD_EVENTS_CONTENT, Format, cloud_answer, wants_cloudevents
from api.http.routes.companies import get_company, get_plans, get_timeline
from api.http.routes.injected import Store
from api.http.routes.paging import LINK, next_link
from api.http.routes.parameters import Companies, EventTypes, constrained
from api.http.routes.responses import WRITE_PROBLEMS, problems
from api.store.base import Expectation, LogFilter
from api.store.log_index import dated_span
from schema.base import MAX_SAFE_INT, Certainty, CompanyId, EventId, Name, PartialDate, PersonId
from schema.cloudevents import CLOUDEVENTS, CLOUDEVENTS_BATCH
from schema.declarations import tag
from schema.events import CATALOGUE, Event, StoredEvent
from schema.problems import FieldError
from schema.rules import stated, unstated
from schema.views import Batch, BatchResult, EventPage

__all__ = ["append_batch", "append_event", "append_for_company", "get_event", "list_events", "require_json"]


def _rules_said_in_words() -> str:
    """The rules across fields the schema cannot state, for the description of each operation that takes events."""
    unsaid = "\n".join(
        f"- `{rule.code}` ({tag(kind)}, `{rule.path}`): {rule.message}." for kind, rule in unstated(CATALOGUE.types)
    )
    said = ", ".join(f"`{code}`" for code in dict.fromkeys(rule.code for rule in stated()))
    return (
        "\n\nRules across fields are part of each event type's schema where JSON Schema can state them "
        f"(codes {said}). These compare two fields, which JSON Schema cannot; each is a 422 with its own "
        f"`code` in `errors[]`:\n\n{unsaid}"
    )


_RULES = _rules_said_in_words()

_LOCATION = ResponseHeader(
    name="Location", description="The stored event: /events/{id}.", required=True, documentation_only=True
)


class DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        raise DuplicateKey(next(repr(k) for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
    return result


async def require_json(request: Request[Any, Any, Any]) -> None:
    """Refuse bodies that are not JSON (415) or not UTF-8 (400) before anything decodes them."""
    media, _, params = request.headers.get("content-type", "").partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedMediaType(detail=f"Send the body as application/json, not {media or 'no content type'}.")
    charset = params.strip().lower().removeprefix("charset=").strip('"') if "charset=" in params.lower() else "utf-8"
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(detail=f"JSON is read as UTF-8 only, not {charset}.")
    body = await request.body()
    if not body.strip():
        raise MalformedBody(detail="The body is empty; send one JSON object.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedBody(detail=f"The body is not valid UTF-8 (byte {error.start}).") from None
    # msgspec (and so Litestar) lets the last of two equal keys win; other parsers take the
    # first. A body that means different things to different readers is refused.
    try:
        json.loads(text, object_pairs_hook=_unique_keys)
    except DuplicateKey as error:
        raise MalformedBody(detail=f"The key {error} appears twice in one object.") from None
    except RecursionError:
        raise MalformedBody(detail="The JSON is nested too deeply.") from None
    except ValueError as error:
        raise MalformedBody(detail=f"The body is not JSON: {error}.") from None
    # Litestar converts a body leniently (0 for false, "5" for 5); the contract is strict JSON,
    # as for `tidings import`. Decoding strictly first refuses what the schema refuses (422); a
    # whole number written as a float (137000.0) is an integer, as JSON Schema says (numbers.py).
    # ``annotation`` is the declared type without its JSONBody marker (``raw`` keeps the Annotated).
    if (data := request.route_handler.parsed_fn_signature.parameters.get("data")) is not None:
        try:
            decoded = decode_body(body, data.annotation)
        except msgspec.ValidationError as error:
            raise ValidationException(detail=str(error), extra=[{"message": str(error), "key": ""}]) from None
        except msgspec.DecodeError as error:
            raise MalformedBody(detail=str(error)) from None
        # Litestar reads the body's JSON from the connection state when it is there: the handler
        # gets this value (its signature model passes an instance of the declared type through)
        # instead of a second, lenient decode of a body of up to 1,000 events.
        ScopeState.from_scope(request.scope).json = decoded


def _may_retract(request: Request[Any, Any, Any], events: Sequence[Event]) -> None:
    """Retracting withdraws someone's fact from every read model: only admin keys may."""
    if any(event.retracts for event in events):
        require(request, "admin", "Retracting an event")


def _appended(events: list[StoredEvent], created: bool) -> Response[StoredEvent]:
    stored = events[0]
    return Response(stored, status_code=201 if created else 200, headers={"Location": f"/events/{stored.event.id}"})


_EVENT_ID = "$response.body#/event/id"
_EVENT_COMPANY = "$response.body#/event/company_id"
_PATH_COMPANY = "$request.path.company_id"

_REPLAY = ResponseSpec(
    data_container=StoredEvent,
    description="The same id and content were stored before: the original, unchanged.",
    generate_examples=False,
)


@get(
    "/events/{event_id:uuid}",
    operation_id="getEvent",
    tags=["events"],
    summary="Read one stored event",
    description=(
        "The event as stored, with its `position` and `recorded_at`; `retracted` says who withdrew it, when "
        "and why, where a later `event_retracted` did. 404 for an id the log does not hold.\n\n"
        f"`Accept: {CLOUDEVENTS}` or `format=cloudevents` gives it as a CloudEvent 1.0 (structured mode): "
        "`type` is `com.tidings.` and the event's type, `subject` the companies it names, `time` when it was "
        "recorded, `data` the event, `tidingsposition` its position, `tidingshash` its hash and `tidingsretractedby` the retraction's id."
    ),
    opt={
        "openapi": Extras(parameter_examples={"event_id": seeded_event_id}, content=CLOUD_EVENT_CONTENT),
    },
    responses=problems(404, 422, 503),
)
async def get_event(
    request: Request[Any, Any, Any], event_id: FromPath[EventId], store: Store, format: Format = None
) -> Response[StoredEvent]:
    stored = await store.get(event_id, annotated=True)
    if stored is None:
        raise EventNotFound(str(event_id))
    if wants_cloudevents(request, format, CLOUDEVENTS):
        return cloud_answer(request, [stored], batch=False)  # type: ignore[return-value]
    return Response(stored)


@post(
    "/events",
    operation_id="appendEvent",
    tags=["events"],
    summary="Append one event",
    description=(
        "Stores one event and answers with its position. Sending the same `id` with the same content "
        "again answers 200 with the original; the same `id` with other content is a 409." + _RULES
    ),
    before_request=require_json,
    opt={
        "scope": "append",
        "openapi": Extras(
            links={
                "GetEvent": Link(to=get_event, parameters={"event_id": _EVENT_ID}),
                "GetCompany": Link(to=get_company, parameters={"company_id": _EVENT_COMPANY}),
                "GetCompanyTimeline": Link(to=get_timeline, parameters={"company_id": _EVENT_COMPANY}),
                "GetCompanyPlans": Link(to=get_plans, parameters={"company_id": _EVENT_COMPANY}),
            },
            request_examples=event_examples,
        ),
    },
    status_code=201,
    response_headers=[_LOCATION],
    responses={200: _REPLAY, **problems(*WRITE_PROBLEMS, 409)},
)
async def append_event(request: Request[Any, Any, Any], data: JSONBody[Event], store: Store) -> Response[StoredEvent]:
    _may_retract(request, [data])
    result = await store.append([data])
    return _appended(result.events, result.created)


@post(
    "/events/batch",
    operation_id="appendBatch",
    tags=["events"],
    summary="Append up to 1,000 events atomically",
    description=(
        "All events are stored in order, or none. Later events may name companies registered earlier in the batch."
        + _RULES
    ),
    before_request=require_json,
    opt={
        "scope": "append",
        "openapi": Extras(
            links={"GetFirstEvent": Link(to=get_event, parameters={"event_id": "$response.body#/items/0/event/id"})},
            request_examples=batch_examples,
        ),
    },
    status_code=201,
    responses={
        200: ResponseSpec(
            data_container=BatchResult, description="Every event was a replay of a stored one.", generate_examples=False
        ),
        **problems(*WRITE_PROBLEMS, 409),
    },
)
async def append_batch(request: Request[Any, Any, Any], data: JSONBody[Batch], store: Store) -> Response[BatchResult]:
    _may_retract(request, data.events)
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
        "The event must name the company." + _RULES
    ),
    before_request=require_json,
    opt={
        "scope": "append",
        "openapi": Extras(
            links={
                "GetEvent": Link(to=get_event, parameters={"event_id": _EVENT_ID}),
                "GetCompany": Link(to=get_company, parameters={"company_id": _PATH_COMPANY}),
            },
            request_examples=event_examples,
        ),
    },
    status_code=201,
    response_headers=[_LOCATION],
    responses={200: _REPLAY, **problems(*WRITE_PROBLEMS, 409, 412, 428)},
)
async def append_for_company(
    request: Request[Any, Any, Any],
    company_id: Annotated[
        CompanyId, constrained(PathParameter, CompanyId, description="The company the precondition is on.")
    ],
    if_match: Annotated[
        str,
        HeaderParameter(
            name="If-Match",
            max_length=39,
            pattern=r'^"[0-9]{1,15}(-[0-9]{8})?(-[0-9a-f]{12})?"$',
            description='The company\'s current version as a strong ETag, e.g. "3".',
        ),
    ],
    data: JSONBody[Event],
    store: Store,
) -> Response[StoredEvent]:
    # The dossier's ETag may carry the day its plan status was evaluated ("15-20261125"); the version leads.
    expected = Expectation(company_id, int(if_match.strip('"').partition("-")[0]))
    _may_retract(request, [data])
    result = await store.append([data], expected=expected)
    return _appended(result.events, result.created)


_FILTERS = 20
"""Most values of one repeatable filter."""


@get(
    "/events",
    operation_id="listEvents",
    tags=["events"],
    summary="Read the log in position order",
    description=(
        'Pages of at most `limit` events after `after`. Continue with `after=next_after`; `Link: rel="next"` says the same. '
        "Long-poll with `wait`: when no event after `after` matches yet, the answer waits up to `wait` seconds "
        "and comes as soon as one is committed, or as an empty page when the time runs out.\n\n"
        "Filters combine: an event is listed when it matches every filter given, and a filter given several "
        "times (`type`, `company`, `person`, `certainty`, `publisher`) matches any of its values. `person`: "
        "events naming the person (an executive, a meeting participant, a visitor). `publisher`: events with a "
        "source of that publisher, compared without case and white space; evidence is an event of its own "
        "(it lists the sources it adds), so its target is not listed by the evidence's publisher. "
        "`occurred_from`/`occurred_to`: events whose own date (a meeting's or visit's `occurred_on`, a launch's "
        "`launched_on`, a sales figure's `period`) overlaps the days from the first day of `occurred_from` to "
        "the last day of `occurred_to`: `2025-03` includes `2025-03-22` and the quarter `2025-Q1`; events "
        "without a date of their own (registrations, undated roles, identifiers, profile updates, plans, relationships, evidence, retractions) are "
        "not listed when either is given.\n\n"
        "`before` is an upper bound (exclusive) as `after` is a lower one. `order=desc` lists the newest first: "
        "continue with `before=next_before` (the `Link` says the same); events appended meanwhile come above "
        "the first page and never into later ones. Every filter is served by an index.\n\n"
        f"`Accept: {CLOUDEVENTS_BATCH}` or `format=cloudevents` gives the page as a JSON array of CloudEvents 1.0 "
        "(batch mode, each as `GET /events/{event_id}` gives it); the `Link` header then says where the next page is."
    ),
    response_headers=[LINK],
    opt={
        "openapi": Extras(
            links={"NextPage": Link(parameters={"after": "$response.body#/next_after"})}, content=CLOUD_EVENTS_CONTENT
        )
    },
    responses=problems(422, 503),
)
async def list_events(
    request: Request[Any, Any, Any],
    store: Store,
    feed: NamedDependency[Feed],
    after: Annotated[int, QueryParameter(ge=0, le=MAX_SAFE_INT, description="Return events after this position.")] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=1000, description="At most this many events.")] = 100,
    types: EventTypes = None,
    company: Companies = None,
    person: Annotated[
        list[PersonId] | None,
        QueryParameter(max_items=_FILTERS, description="Only events naming one of these persons (repeatable)."),
    ] = None,
    certainty: Annotated[
        list[Certainty] | None,
        QueryParameter(max_items=3, description="Only events of these certainties (repeatable)."),
    ] = None,
    publisher: Annotated[
        list[Name] | None,
        QueryParameter(
            max_items=_FILTERS,
            description="Only events with a source of one of these publishers, without case or white space (repeatable).",
        ),
    ] = None,
    occurred_from: Annotated[
        PartialDate | None,
        constrained(
            QueryParameter, PartialDate, description="Only events dated on or after the first day of this date."
        ),
    ] = None,
    occurred_to: Annotated[
        PartialDate | None,
        constrained(
            QueryParameter, PartialDate, description="Only events dated on or before the last day of this date."
        ),
    ] = None,
    before: Annotated[
        int | None, QueryParameter(ge=1, le=MAX_SAFE_INT, description="Return events before this position.")
    ] = None,
    order: Annotated[
        Literal["asc", "desc"], QueryParameter(description="`asc`: oldest first; `desc`: newest first.")
    ] = "asc",
    wait: Annotated[
        float,
        QueryParameter(ge=0, le=30, description="Long-poll: wait up to this many seconds for a matching event."),
    ] = 0,
    format: Format = None,
) -> Response[EventPage]:
    if (
        occurred_from is not None
        and occurred_to is not None
        and dated_span(occurred_from)[0] > dated_span(occurred_to)[1]
    ):
        message = f"occurred_to {occurred_to} ends before occurred_from {occurred_from} begins; no event can match both"
        raise InvalidInput([FieldError("query.occurred_to", message, code="contradictory")])
    where = LogFilter(
        types=types or (),
        companies=company or (),
        persons=person or (),
        certainties=certainty or (),
        publishers=publisher or (),
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )
    descending = order == "desc"
    deadline = time.monotonic() + wait
    while True:
        seen = feed.head
        items = await store.read(
            after=after, before=before, limit=limit, where=where, descending=descending, annotated=True
        )
        remaining = deadline - time.monotonic()
        if items or remaining <= 0 or feed.closing:
            break
        await feed.wait(seen, remaining)  # the writer wakes it after the next commit
    # The bounds to send for the next page: the one the order moves, and the other as given.
    next_after = items[-1].position if items and not descending else after
    next_before = items[-1].position if items and descending else before
    # A full page may have a next one; a shorter one ends the log as it is now (poll it with `wait`).
    full = len(items) == limit
    headers = (
        next_link(request, "before", next_before if full else None)
        if descending
        else next_link(request, "after", next_after if full else None)
    )
    if wants_cloudevents(request, format, CLOUDEVENTS_BATCH):
        return cloud_answer(request, items, batch=True, headers=headers)  # type: ignore[return-value]
    return Response(EventPage(items=items, next_after=next_after, next_before=next_before), headers=headers)
