"""Durable subscriptions over HTTP: make and read them, claim their events under leases, ack, nack, park.

The store keeps every subscription beside the log (api.store.subscribing); these handlers decode,
call one store operation and answer. A claim long-polls: with nothing pending it waits for the next
commit (the feed hears this process's commits and, on PostgreSQL, every instance's), and looks again
at least every second for events other instances handed back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response, delete, get, post, put
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter

from api.feed.broadcast import Feed
from api.http.openapi.extras import Extras, Link
from api.http.routes.events import require_json
from api.http.routes.injected import Store
from api.http.routes.paging import LINK, next_link
from api.http.routes.parameters import constrained
from api.http.routes.responses import WRITE_PROBLEMS, problems
from schema.base import MAX_SAFE_INT
from schema.subscriptions import (
    MAX_EVENTS_PER_CALL,
    Acknowledgement,
    AckResult,
    ConsumerName,
    Lease,
    NackResult,
    ParkedPage,
    Rejection,
    Replay,
    ReplayResult,
    SubscriptionList,
    SubscriptionName,
    SubscriptionSettings,
    SubscriptionState,
)

__all__ = ["SubscriptionLimits", "subscription_handlers"]

_LOOK_AGAIN = 1.0
"""Seconds a waiting claim sleeps at most between two looks: events handed back on another instance wake no one."""


@dataclass(frozen=True, slots=True)
class SubscriptionLimits:
    """The settings' limits, injected as ``limits``."""

    subscriptions: int
    leases: int


Name = Annotated[
    SubscriptionName, constrained(PathParameter, SubscriptionName, description="The subscription's name (a slug).")
]
Limits = NamedDependency[SubscriptionLimits]
_NAME = "$request.path.name"
_FIRST = "$response.body#/items/0/name"


def _example() -> dict[str, Any]:
    return {
        "sales": {
            "summary": "Xiaomi's and BYD's sales figures, from the beginning, each company's in order",
            "value": {"types": ["sales_reported"], "companies": ["xiaomi", "byd"], "ordered": True},
        },
        "everything": {"summary": "Every event committed from now on", "value": {"start": "now"}},
    }


@get(
    "/subscriptions/{name:str}",
    operation_id="getSubscription",
    tags=["subscriptions"],
    summary="Read a subscription and where its consumers stand",
    description=(
        "Its settings; `acknowledged`: every matching event up to this position is acknowledged or parked; "
        "`pending`: matching events not yet handed out (or handed back); `in_flight`: events held by a lease now; "
        "`parked`; `leases` holding events; and each consumer seen, with its last claim."
    ),
    responses=problems(404, 422, 503),
)
async def get_subscription(name: Name, store: Store) -> SubscriptionState:
    return await store.subscription(name)


@post(
    "/subscriptions/{name:str}/claim",
    operation_id="claimEvents",
    tags=["subscriptions"],
    summary="Claim pending events under a lease",
    description=(
        "Hands up to `max` pending events, oldest first, to one consumer under a lease: `lease_id` and `expires_at` "
        "(`lease_seconds` from now). No other consumer gets them while the lease holds; ack them "
        "(`POST /subscriptions/{name}/ack`) or hand them back (`POST /subscriptions/{name}/nack`) with the "
        "lease id. Events of a lease that ends unanswered are handed out again; one handed out `max_deliveries` "
        "times is parked. With `ordered` set on the subscription, a company's events come in position order and "
        "a company's events are leased to one consumer at a time.\n\n"
        "With nothing pending, the answer waits up to `wait` seconds for a new matching event, then comes with "
        "no events (`lease_id` null). 409 `limit-reached` while the subscription holds `--leases-max` leases."
    ),
    opt={"scope": "append"},
    status_code=200,
    responses=problems(404, 409, 422, 503),
)
async def claim_events(
    name: Name,
    store: Store,
    feed: NamedDependency[Feed],
    limits: Limits,
    max: Annotated[int, QueryParameter(ge=1, le=MAX_EVENTS_PER_CALL, description="At most this many events.")] = 10,
    wait: Annotated[
        float, QueryParameter(ge=0, le=30, description="Long-poll: wait up to this many seconds for an event.")
    ] = 0,
    consumer: Annotated[
        ConsumerName,
        constrained(QueryParameter, ConsumerName, description="Who claims: shown among the subscription's consumers."),
    ] = "anonymous",
) -> Lease:
    deadline = time.monotonic() + wait
    again = False
    while True:
        seen = feed.head
        lease, due = await store.claim(name, consumer, max, most_leases=limits.leases, again=again)
        again = True
        remaining = deadline - time.monotonic()
        if lease.events or remaining <= 0 or feed.closing:
            return lease
        pause = min(remaining, _LOOK_AGAIN) if due is None else min(remaining, _LOOK_AGAIN, due if due > 0.01 else 0.01)
        await feed.wait(seen, pause)


@post(
    "/subscriptions/{name:str}/ack",
    operation_id="ackEvents",
    tags=["subscriptions"],
    summary="Acknowledge events of a lease",
    description=(
        "The events are done: they are never handed out again. Only events the lease still holds are acknowledged; "
        "`not_held` lists the others (acknowledged before, never in the lease, or handed to another consumer "
        "after the lease ended)."
    ),
    before_request=require_json,
    opt={"scope": "append"},
    status_code=200,
    responses=problems(*WRITE_PROBLEMS, 404),
)
async def ack_events(name: Name, data: JSONBody[Acknowledgement], store: Store) -> AckResult:
    return await store.ack(name, data.lease_id, data.events)


@post(
    "/subscriptions/{name:str}/nack",
    operation_id="nackEvents",
    tags=["subscriptions"],
    summary="Hand events of a lease back: retry them, or park them",
    description=(
        "`action: retry` hands the events out again, to any consumer, after `delay_seconds` (0: at once); "
        "an event already handed out `max_deliveries` times is parked instead. `action: park` parks them: "
        "they wait in `GET /subscriptions/{name}/parked`, with `reason`, until replayed. Events the lease does "
        "not hold are listed in `not_held` and left as they are."
    ),
    before_request=require_json,
    opt={"scope": "append"},
    status_code=200,
    responses=problems(*WRITE_PROBLEMS, 404),
)
async def nack_events(name: Name, data: JSONBody[Rejection], store: Store) -> NackResult:
    return await store.nack(
        name,
        data.lease_id,
        data.events,
        park=data.action == "park",
        delay_seconds=data.delay_seconds,
        reason=data.reason,
    )


@get(
    "/subscriptions/{name:str}/parked",
    operation_id="listParkedEvents",
    tags=["subscriptions"],
    summary="Read a subscription's parked events",
    description=(
        "Events parked by a consumer (`nack` with `action: park`) or after `max_deliveries` deliveries, oldest first, "
        "each with its deliveries and why it was parked. Continue with `after=next_after`."
    ),
    response_headers=[LINK],
    opt={
        "openapi": Extras(links={"NextPage": Link(parameters={"after": "$response.body#/next_after", "name": _NAME})})
    },
    responses=problems(404, 422, 503),
)
async def list_parked(
    request: Request[Any, Any, Any],
    name: Name,
    store: Store,
    after: Annotated[int, QueryParameter(ge=0, le=MAX_SAFE_INT, description="Parked events after this position.")] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=1000, description="At most this many events.")] = 100,
) -> Response[ParkedPage]:
    page = await store.parked(name, after=after, limit=limit)
    return Response(page, headers=next_link(request, "after", page.next_after if len(page.items) == limit else None))


@post(
    "/subscriptions/{name:str}/parked/replay",
    operation_id="replayParkedEvents",
    tags=["subscriptions"],
    summary="Hand parked events out again",
    description=(
        "The parked events named in `events` (none named: every parked event) are pending again, from their first "
        "delivery. Ids that are not parked are passed over; `replayed` counts those that were."
    ),
    before_request=require_json,
    opt={"scope": "append"},
    status_code=200,
    responses=problems(*WRITE_PROBLEMS, 404),
)
async def replay_parked(name: Name, data: JSONBody[Replay], store: Store) -> ReplayResult:
    return ReplayResult(replayed=await store.replay_parked(name, data.events))


@delete(
    "/subscriptions/{name:str}",
    operation_id="deleteSubscription",
    tags=["subscriptions"],
    summary="Delete a subscription",
    description="Forgets the subscription, its pending, leased and parked events and its consumers. Needs the admin scope.",
    opt={"scope": "admin"},
    responses=problems(404, 422, 503),
)
async def delete_subscription(name: Name, store: Store) -> None:
    await store.delete_subscription(name)


@put(
    "/subscriptions/{name:str}",
    operation_id="putSubscription",
    tags=["subscriptions"],
    summary="Make a durable subscription, or change its options",
    description=(
        "A named cursor over the log, kept in the store: which events (`types`, `companies`: every event when none "
        "is given), where it starts (`beginning`, `now`, or after a position), and how its events are handed out "
        "(`max_deliveries`, `lease_seconds`, `ordered`). 201 when it was made, 200 when an existing one took the "
        "options. Its filters and start never change: a PUT with others is a 409 naming them (DELETE it first). "
        "409 `limit-reached` when the server holds `--subscriptions-max` subscriptions."
    ),
    before_request=require_json,
    opt={
        "scope": "append",
        "openapi": Extras(
            links={
                "GetSubscription": Link(to=get_subscription, parameters={"name": _NAME}),
                "ClaimEvents": Link(to=claim_events, parameters={"name": _NAME}),
                "ListParkedEvents": Link(to=list_parked, parameters={"name": _NAME}),
                "DeleteSubscription": Link(to=delete_subscription, parameters={"name": _NAME}),
            },
            request_examples=_example,
        ),
    },
    status_code=201,
    response_headers=[
        ResponseHeader(name="Location", description="The subscription: /subscriptions/{name}.", documentation_only=True)
    ],
    responses={
        200: ResponseSpec(
            data_container=SubscriptionState,
            description="The subscription existed: it took the options.",
            generate_examples=False,
        ),
        **problems(*WRITE_PROBLEMS, 409),
    },
)
async def put_subscription(
    name: Name, data: JSONBody[SubscriptionSettings], store: Store, limits: Limits
) -> Response[SubscriptionState]:
    made = await store.put_subscription(name, data, most=limits.subscriptions)
    state = await store.subscription(name)
    return Response(state, status_code=201 if made else 200, headers={"Location": f"/subscriptions/{name}"})


@get(
    "/subscriptions",
    operation_id="listSubscriptions",
    tags=["subscriptions"],
    summary="List the subscriptions",
    description="Every subscription, by name, as `GET /subscriptions/{name}` shows it.",
    opt={
        "openapi": Extras(
            links={
                "GetFirstSubscription": Link(to=get_subscription, parameters={"name": _FIRST}),
                "ClaimFromFirstSubscription": Link(to=claim_events, parameters={"name": _FIRST}),
                "DeleteFirstSubscription": Link(to=delete_subscription, parameters={"name": _FIRST}),
            }
        )
    },
    responses=problems(503),
)
async def list_subscriptions(store: Store) -> SubscriptionList:
    return SubscriptionList(items=await store.subscriptions())


# The first handler of a path makes its OPTIONS answer (api.http.routes.guards): one without a before_request of its own.
subscription_handlers = [
    list_subscriptions,
    get_subscription,
    put_subscription,
    delete_subscription,
    claim_events,
    ack_events,
    nack_events,
    list_parked,
    replay_parked,
]
