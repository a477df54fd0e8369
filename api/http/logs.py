"""Logging: one JSON (or text) line per request with its request id, JSON lines for everything else.

``RequestLog`` is a plain ASGI middleware: it takes a valid ``X-Request-ID`` or makes
one, puts it in ``scope["state"]`` (problem bodies carry it) and in the response
headers, and logs method, route template, status, duration, request id and key id.
It never logs headers, so tokens cannot leak through it.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec

from api.http.metrics import HttpMetrics

__all__ = [
    "REQUEST_ID_HEADER",
    "JsonFormatter",
    "RequestLog",
    "access",
    "new_request_id",
    "request_id_of",
    "setup_logging",
]

REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
access = logging.getLogger("tidings.access")
_ID_PREFIX = os.urandom(8).hex()
_id_counter = itertools.count(1)


def new_request_id() -> str:
    """32 hex digits, unique: a random prefix drawn once per process, then a counter (no syscall per request)."""
    return f"{_ID_PREFIX}{next(_id_counter):016x}"


def _new_prefix() -> None:
    global _ID_PREFIX
    _ID_PREFIX = os.urandom(8).hex()


os.register_at_fork(after_in_child=_new_prefix)  # a forked worker must not repeat its parent's ids


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's extra fields, a traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return msgspec.json.encode(line, enc_hook=str).decode()


def setup_logging(level: str = "info", fmt: str = "auto") -> None:
    """``fmt``: json, text, or auto (text on a terminal, JSON when piped)."""
    if fmt == "auto":
        fmt = "text" if sys.stderr.isatty() else "json"
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    global _json_handler
    _json_handler = handler if fmt == "json" else None
    if _json_handler is not None:
        atexit.unregister(_flush_access_lines)  # once, however often logging is set up
        atexit.register(_flush_access_lines)


_json_handler: logging.StreamHandler[Any] | None = None
"""The JSON handler setup_logging installed: access lines may be written to it directly."""
_encode = msgspec.json.Encoder().encode


def _write_access_line(message: str, fields: dict[str, Any]) -> bool:
    """Write the access line as JsonFormatter would, without a LogRecord and a formatter per request
    (a quarter of the time of a cached read), at the end of this turn of the event loop. Only while
    the JSON handler of setup_logging is the one place the line would go; otherwise False, and the
    caller logs it the usual way."""
    handler = _json_handler
    if (
        handler is None
        or access.handlers
        or access.filters
        or not access.propagate
        or handler.filters
        or logging.root.handlers != [handler]
        or not access.isEnabledFor(logging.INFO)
    ):
        return False
    line = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": "info",
        "logger": access.name,
        "message": message,
        **fields,
    }
    text = _encode(line).decode() + handler.terminator
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no event loop in this thread: write it now
        _write(handler, text)
        return True
    global _flush_on
    with _pending_lock:
        if not _pending or _flush_on is None or _flush_on.is_closed():
            loop.call_soon(_flush_access_lines)
            _flush_on = loop
        _pending.append((handler, text))
    return True


_pending: list[tuple[logging.StreamHandler[Any], str]] = []
"""Access lines of this turn of the event loop, written together by one write call at its end
(a write per line cost a tenth of a cached read). A line waits at most until the requests
being answered in the same turn are done; ``atexit`` writes what is left."""
_pending_lock = threading.Lock()  # several event loops in one process (tests) share the list
_flush_on: asyncio.AbstractEventLoop | None = None
"""The loop that will run the next flush (if it closes first, the next line schedules another)."""


def _flush_access_lines() -> None:
    with _pending_lock:
        lines = _pending[:]
        _pending.clear()
    for handler in dict.fromkeys(h for h, _ in lines):
        _write(handler, "".join(text for h, text in lines if h is handler))


def _write(handler: logging.StreamHandler[Any], text: str) -> None:
    handler.acquire()
    try:
        handler.stream.write(text)
        handler.flush()
    except Exception:  # a full disk or a closed stream must not fail the request
        pass
    finally:
        handler.release()


def request_id_of(scope: Any) -> str | None:
    state = scope.get("state") if isinstance(scope, dict) else None
    return state.get("request_id") if isinstance(state, dict) else None


class RequestLog:
    """Also tells ``metrics`` of each request: it knows the same facts. ``headers(scope, headers)``
    gives an answer's headers with those every answer gets, besides the request id
    (api.http.hardening.security_headers)."""

    def __init__(
        self,
        app: Any,
        metrics: HttpMetrics | None = None,
        headers: Callable[[Any, list[tuple[bytes, bytes]]], list[tuple[bytes, bytes]]] | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.headers = headers or (lambda scope, headers: headers)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = sent.decode() if sent is not None and _VALID_ID.match(sent) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0  # no answer started yet
        metrics = self.metrics
        if metrics is not None:
            metrics.started()
        more_headers = self.headers

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers", [])
                message["headers"] = [*more_headers(scope, headers), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except asyncio.CancelledError:
            # Cancelled before any answer (the server stopping, the client gone): not a failure of
            # ours, so not a 5xx in the metrics; 499 is nginx's "client closed request".
            status = status or 499
            raise
        finally:
            status = status or 500  # the app failed before answering; uvicorn sends a 500
            seconds = time.perf_counter() - started
            template = scope.get("path_template") if scope.get("route_handler") is not None else None
            if metrics is not None:
                metrics.finished(scope["method"], template, status, seconds)
            route = template or "(unmatched)"
            fields = {
                "method": scope["method"],
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
                "request_id": request_id,
                "key_id": scope["state"].get("key_id"),
            }
            if not _write_access_line(f"{scope['method']} {route} {status}", fields):
                access.info("%s %s %s", scope["method"], route, status, extra=fields)
