"""How ``tidings serve`` runs the app: uvicorn (uvloop, httptools with a bounded head) or Granian.

Both servers give the same guarantees, held by the same tests (tests/ops/test_shutdown.py,
tests/test_feed_live.py, tests/stress/test_hostile.py run under each): they bind the address
given, the app's lifespan opens the store before the first request and closes it after the
last, and SIGTERM or SIGINT stops accepting, ends the live event streams with their final
comment, lets in-flight requests (appends waiting on their commit) finish, and exits 0.
Requests still unfinished ``GRACE_SECONDS`` after the signal are cancelled, so a stalled
client cannot hold the shutdown. The body limit (413) is the app's, the same under both.

Granian runs embedded: its Rust HTTP/1.1 front end (hyper) in this process, the app on this
process's uvloop, the app object built here as for uvicorn. What a client can tell apart is
what hyper's parser decides before the app sees a request (tests/stress/test_hostile.py,
``GRANIAN``): what it refuses (malformed HTTP, more than 100 headers, a head past its read
buffer, which ends between ``MAX_HEAD_BYTES`` and a few hundred KiB depending on how the head
arrives) gets a bare 400, 414 or 431 with no body, no request id and no access line, where
uvicorn answers a problem+json with a request id (api/http/server.py); some requests httptools
refuses (an unknown method, a raw non-ASCII path, bare LF line ends) it hands to the app, which
answers them as any other. That is why uvicorn is the default. Granian also sends
``server: granian`` (no version) and, when a client half-closes mid-body, the app's 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from typing import Any, Protocol

from api.http.server import MAX_HEAD_BYTES, server_options

__all__ = ["GRACE_SECONDS", "SERVERS", "serve"]

SERVERS = ("uvicorn", "granian")
GRACE_SECONDS = 2
"""How long in-flight requests have to finish after SIGTERM; then they are cancelled (exit within 5 s)."""


class _Feed(Protocol):
    def shutdown(self) -> None: ...


def serve(app: Any, *, server: str, host: str, port: int, log_level: str = "info", feed: _Feed | None = None) -> bool:
    """Serve ``app`` until SIGTERM or SIGINT; False if it never started (its lifespan failed).

    ``feed`` is told first when shutdown begins, so that event streams end instead of holding
    the drain until the grace period runs out.
    """
    if server == "granian":
        return _granian(app, host=host, port=port, feed=feed)
    if server == "uvicorn":
        return _uvicorn(app, host=host, port=port, log_level=log_level, feed=feed)
    raise ValueError(f"server must be one of {', '.join(SERVERS)}, not {server!r}")


def _uvicorn(app: Any, *, host: str, port: int, log_level: str, feed: _Feed | None) -> bool:
    """uvicorn waits for open connections before it runs the app's lifespan shutdown, so the
    feed is told first: streams send their final comment and close, and the wait is short."""
    import uvicorn

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: Any = None) -> None:
            if feed is not None:
                feed.shutdown()
            await super().shutdown(sockets)

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # As uvicorn's, but without raising the signal again afterwards: a SIGTERM that
            # ended in a complete graceful shutdown is a clean exit, status 0.
            handled = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=log_level,
        access_log=False,  # api.http.logs.RequestLog writes one line per request
        server_header=False,  # no version banner
        timeout_graceful_shutdown=GRACE_SECONDS,
        **server_options(),  # uvloop + httptools with a bounded request head (api/http/server.py)
    )
    server = Server(config)
    server.run()
    return bool(server.started)


class _QuietExperimental(logging.Filter):
    """Granian warns that embedding is experimental at every start: said once in this module's docstring."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "experimental" not in record.getMessage()


def _granian(app: Any, *, host: str, port: int, feed: _Feed | None) -> bool:
    import uvloop

    return uvloop.run(_granian_main(app, host=host, port=port, feed=feed))


async def _granian_main(app: Any, *, host: str, port: int, feed: _Feed | None) -> bool:
    """The lifespan is run here, around Granian (whose ``ASGINL`` interface runs none), so that it
    closes the store even when a stalled request had to be cancelled after the grace period."""
    from granian.asgi import LifespanProtocol
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server.embed import Server

    server = Server(
        app,
        address=host,
        port=port,
        interface=Interfaces.ASGINL,
        http=HTTPModes.http1,  # as uvicorn: HTTP/1.1 only
        websockets=False,
        backlog=2048,  # uvicorn's
        http1_settings=HTTP1Settings(max_buffer_size=MAX_HEAD_BYTES),
    )
    server.workers_kill_timeout = GRACE_SECONDS
    # Granian's own log lines go to the handler api.http.logs set up, as every other logger's.
    for name in ("_granian", "granian.access"):
        granian_log = logging.getLogger(name)
        granian_log.handlers.clear()
        granian_log.propagate = True
    logging.getLogger("_granian").addFilter(_QuietExperimental())
    logging.getLogger("_granian").setLevel(logging.WARNING)

    lifespan = LifespanProtocol(app)  # type: ignore[no-untyped-call]
    await lifespan.startup()  # type: ignore[no-untyped-call]
    if lifespan.interrupt:
        logging.getLogger("tidings").error("the app failed to start", exc_info=lifespan.exc)
        return False

    loop = asyncio.get_running_loop()

    def stop() -> None:
        if feed is not None:
            feed.shutdown()
        server.stop()  # type: ignore[no-untyped-call]

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        await server.serve()
    except TimeoutError:  # a request did not finish within the grace period: it was cancelled
        pass
    finally:
        await lifespan.shutdown()  # type: ignore[no-untyped-call]
    return True
