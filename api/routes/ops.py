"""Operational endpoints: liveness and readiness."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from api.routes.responses import problems
from api.store.base import EventStore
from schema.views import Health, Ready

__all__ = ["ops_handlers"]


@get("/health", operation_id="getHealth", tags=["ops"], summary="The process answers", sync_to_thread=False)
def health() -> Health:
    return Health()


@get(
    "/ready",
    operation_id="getReady",
    tags=["ops"],
    summary="The store answers and is durable",
    responses=problems(503),
)
async def ready(store: NamedDependency[EventStore]) -> Ready:
    state = await store.ready()
    return Ready(
        backend=state.backend,
        durability=state.durability,
        last_position=state.last_position,
        queue_depth=state.queue_depth,
    )


ops_handlers = [health, ready]
