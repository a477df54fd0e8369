"""The app factory: ``create_app(settings)`` builds a Litestar app whose lifespan opens and closes the store."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.di import Provide

from api import __version__
from api.openapi import openapi_config
from api.problems import EXCEPTION_HANDLERS
from api.routes.catalogue import Catalogue, catalogue_handlers
from api.routes.companies import company_handlers
from api.routes.events import append_batch, append_event, append_for_company, get_event, list_events
from api.routes.ops import ops_handlers
from api.seeding import load_ndjson, seed_events
from api.settings import Settings
from api.store.base import EventStore
from api.store.factory import make_store

__all__ = ["create_app"]

log = logging.getLogger("tidings")


def create_app(settings: Settings | None = None, *, store: EventStore | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    the_store = store or make_store(settings)
    catalogue = Catalogue()

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await the_store.open()
        state = await the_store.ready()
        log.info("tidings %s on %s: %s", __version__, state.backend, state.durability)
        if not settings.durable:
            log.warning(
                "durability is weakened (synchronous=%s): acknowledged appends can be lost", settings.synchronous
            )
        try:
            if settings.seed and await the_store.last_position() == 0:
                new, _present = await load_ndjson(the_store, seed_events())
                log.info("seeded %d events", new)
            yield
        finally:
            await the_store.close()

    return Litestar(
        route_handlers=[
            append_event,
            append_batch,
            append_for_company,
            list_events,
            get_event,
            *company_handlers,
            *catalogue_handlers,
            *ops_handlers,
        ],
        dependencies={
            "store": Provide(lambda: the_store, sync_to_thread=False, use_cache=True),
            "catalogue": Provide(lambda: catalogue, sync_to_thread=False, use_cache=True),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(__version__),
        lifespan=[lifespan],
        debug=False,
    )
