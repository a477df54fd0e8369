"""Operational endpoints: liveness and readiness."""

from __future__ import annotations

from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from api.http.routes.injected import Store
from api.http.routes.responses import problems
from schema.views import Health, Ready

__all__ = ["ops_handlers"]

_EXPOSITION = CONTENT_TYPE_LATEST.split("; charset")[0]  # Litestar adds the charset itself


@get(
    "/health",
    operation_id="getHealth",
    tags=["ops"],
    summary="The process answers",
    description="200 while the process runs; needs no key. For load balancers and process supervisors.",
    opt={"scope": None},
    sync_to_thread=False,
)
def health() -> Health:
    return Health()


@get(
    "/ready",
    operation_id="getReady",
    tags=["ops"],
    summary="The store answers and is durable",
    description=(
        "The backend, its durability settings as the database reports them, the last position and the "
        "writer's queue depth; 503 while the store cannot be reached."
    ),
    responses=problems(503),
)
async def ready(store: Store) -> Ready:
    state = await store.ready()
    return Ready(
        backend=state.backend,
        durability=state.durability,
        last_position=state.last_position,
        queue_depth=state.queue_depth,
    )


@get(
    "/metrics",
    operation_id="getMetrics",
    tags=["ops"],
    summary="Prometheus metrics (text exposition format)",
    description=(
        "Request counts, durations and errors by method, route template and status; appends, replays and "
        "refusals by kind; the writer's queue and commit sizes; the open streams."
    ),
    media_type=_EXPOSITION,
    sync_to_thread=False,
)
def metrics() -> Response[bytes]:
    return Response(generate_latest(REGISTRY), media_type=_EXPOSITION)


ops_handlers = [health, ready, metrics]
