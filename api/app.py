"""The app factory: ``create_app(settings)`` builds a Litestar app whose lifespan opens and closes the store."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware

from api import __version__
from api.feed.broadcast import Feed
from api.http.answers import Answers
from api.http.auth import Access, Authorize
from api.http.hardening import HostCheck, security_headers
from api.http.keys import KeyRing
from api.http.logs import RequestLog
from api.http.metrics import StoreCollector, http_metrics
from api.http.openapi import check_links, openapi_config
from api.http.problems import EXCEPTION_HANDLERS
from api.http.ratelimit import TokenBuckets
from api.http.routes.catalogue import Catalogue, catalogue_handlers
from api.http.routes.changes import change_handlers
from api.http.routes.companies import company_handlers
from api.http.routes.conflicts import conflict_handlers
from api.http.routes.events import append_batch, append_event, append_for_company, get_event, list_events
from api.http.routes.explorer import explorer_handlers
from api.http.routes.graph import graph_handlers
from api.http.routes.guards import StrictParameters, before_every_request
from api.http.routes.log_proofs import log_proof_handlers
from api.http.routes.negotiation import Negotiation
from api.http.routes.ops import ops_handlers
from api.http.routes.people import person_handlers
from api.http.routes.search import search_handlers
from api.http.routes.stream import stream_events
from api.http.routes.subscriptions import SubscriptionLimits, subscription_handlers
from api.seeds import load_ndjson, seed_events
from api.settings import Settings
from api.signing import HeadSigner
from api.store.base import EventStore
from api.store.factory import make_store

__all__ = ["create_app"]

log = logging.getLogger("tidings")


def create_app(settings: Settings | None = None, *, store: EventStore | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    the_store = store or make_store(settings)
    catalogue = Catalogue()
    cache = Answers(the_store.unchanged) if the_store.probes else Answers(check=the_store.confirm_unchanged)
    feed = Feed(
        the_store,
        max_streams=settings.stream_max,
        max_streams_per_key=settings.stream_max_per_key,
        buffer=settings.stream_buffer_events,
        keepalive=settings.stream_keepalive_ms / 1000,
        retry_ms=settings.stream_retry_ms,
        source=settings.cloudevents_source,
    )

    limits = SubscriptionLimits(subscriptions=settings.subscriptions_max, leases=settings.leases_max)
    access = Access(
        KeyRing(settings.keys_file or None),
        TokenBuckets(settings.rate_limit, settings.rate_burst) if settings.rate_limit > 0 else None,
    )
    signer = HeadSigner.load(settings.signing_key_file) if settings.signing_key_file else None
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    hosts = [h.strip() for h in settings.allowed_hosts.split(",") if h.strip()]

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await the_store.open()
        state = await the_store.ready()
        log.info("tidings %s on %s: %s", __version__, state.backend, state.durability)
        if not settings.durable:
            log.warning(
                "durability is weakened (synchronous=%s): acknowledged appends can be lost", settings.synchronous
            )
        if access.keys.open:
            log.warning(
                "NO API KEYS CONFIGURED: anyone who reaches %s:%s can read and append. "
                "Create keys with `tidings keys create --scope append` and pass --keys-file.",
                settings.host,
                settings.port,
            )
        else:
            log.info("auth: %d API key(s) from the keys file", len(access.keys))
        await feed.start()
        collector = StoreCollector(the_store, streams=lambda: feed.streams)
        collector.register()
        try:
            if settings.seed and await the_store.last_position() == 0:
                new, _present = await load_ndjson(the_store, seed_events())
                log.info("seeded %d events", new)
            yield
        finally:
            collector.unregister()
            await feed.close()
            await the_store.close()
            cache.clear()

    app = Litestar(
        route_handlers=[
            append_event,
            append_batch,
            append_for_company,
            list_events,
            stream_events,
            get_event,
            *company_handlers,
            *conflict_handlers,
            *person_handlers,
            *graph_handlers,
            *change_handlers,
            *search_handlers,
            *catalogue_handlers,
            *ops_handlers,
            *explorer_handlers,
            *log_proof_handlers,
            *subscription_handlers,
        ],
        dependencies={
            "store": Provide(lambda: the_store, sync_to_thread=False, use_cache=True),
            "catalogue": Provide(lambda: catalogue, sync_to_thread=False, use_cache=True),
            "feed": Provide(lambda: feed, sync_to_thread=False, use_cache=True),
            "limits": Provide(lambda: limits, sync_to_thread=False, use_cache=True),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(__version__),
        lifespan=[lifespan],
        before_request=before_every_request,
        cors_config=CORSConfig(allow_origins=origins, allow_credentials=False) if origins else None,
        middleware=[
            *([DefineMiddleware(HostCheck, config=AllowedHostsConfig(allowed_hosts=hosts))] if hosts else []),
            Authorize,
            StrictParameters,
            Negotiation,
        ],
        logging_config=None,  # api.http.logs configures logging (JSON lines or text)
        debug=False,
    )
    app.state.cloudevents_source = settings.cloudevents_source
    # Outside routing, so unmatched paths get a request id and an access line too.
    app.asgi_handler = RequestLog(app.asgi_handler, http_metrics(), security_headers)
    app.state.access = access
    app.state.signer = signer  # signs GET /log/head (api.http.routes.log_proofs)
    app.state.answers = cache  # read by handlers through api.http.answers.of, not injected: see there
    app.state.feed = feed  # `tidings serve` ends streams through it before uvicorn waits for connections
    check_links(app)  # a link to an operation the app does not serve fails here, not in a client
    return app
