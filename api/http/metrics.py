"""Prometheus metrics: HTTP metrics counted by the request log, store metrics from one collector per app.

Store metrics live on the writer (unregistered prometheus_client objects) and are
yielded by ``StoreCollector`` at scrape time, so several apps in one process (tests)
never share counters. Labels stay low-cardinality: event types, refusal kinds, route
templates — never ids or raw paths.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import REGISTRY
from prometheus_client.registry import Collector

from api.store.base import EventStore

__all__ = ["HttpMetrics", "StoreCollector", "http_metrics"]


class StoreCollector(Collector):
    """Yields the store's metrics and gauges read at scrape time (no I/O beyond a file size)."""

    def __init__(self, store: EventStore, *, streams: Callable[[], int] | None = None) -> None:
        self._store = store
        self._streams = streams

    def collect(self) -> Iterator[Any]:
        store = self._store
        for collector in store.writer_metrics.collectors():
            yield from collector.collect()
        yield _gauge("tidings_writer_queue_depth", "Append requests waiting for the writer.", store.queue_depth)
        yield _gauge("tidings_last_position", "Position of the last committed event.", store.committed_position)
        yield _gauge(
            "tidings_read_model_lag_events", "Events committed but not yet in the read models (0: they are inline).", 0
        )
        if self._streams is not None:
            yield _gauge("tidings_sse_connections", "Open Server-Sent Events streams.", self._streams())
        size = store.stored_bytes()
        if size is not None:
            yield _gauge("tidings_store_bytes", "Size of the database files on disk.", size)

    def register(self) -> bool:
        try:
            REGISTRY.register(self)
        except ValueError:  # another app in this process registered first (tests)
            return False
        return True

    def unregister(self) -> None:
        with contextlib.suppress(KeyError):
            REGISTRY.unregister(self)


def _gauge(name: str, documentation: str, value: float) -> Any:
    gauge = Gauge(name, documentation, registry=None)
    gauge.set(value)
    return next(iter(gauge.collect()))


class HttpMetrics:
    """Requests by method, route template and status, with latency histograms.

    This replaces Litestar's Prometheus plugin, whose middleware built a Request and three label
    sets for every request. Here the request log, which already knows the route, status and
    duration, reports each finished request once, and the labelled children are looked up in a
    dict. The counters and the histogram keep the plugin's names and labels, and leave out
    unmatched paths and ``/metrics``. The in-progress gauge counts every HTTP request, scrapes
    included, and is labelled by ``app_name`` only: the route is not known before routing.
    """

    def __init__(self, prefix: str = "tidings_http", app_name: str = "tidings") -> None:
        labels = ["method", "path", "status_code", "app_name"]
        self.app_name = app_name
        self.requests = Counter(f"{prefix}_requests", "Total requests", labels)
        self.errors = Counter(f"{prefix}_requests_error", "Total errors in requests", labels)
        self.seconds = Histogram(f"{prefix}_request_duration_seconds", "Request duration, in seconds", labels)
        self.in_progress = Gauge(
            f"{prefix}_requests_in_progress", "Total requests currently in progress", ["app_name"]
        ).labels(app_name)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def started(self) -> None:
        self.in_progress.inc()

    def finished(self, method: str, route: str | None, status: int, seconds: float) -> None:
        self.in_progress.dec()
        if route is None or route == "/metrics":
            return
        children = self._children.get((method, route, status))
        if children is None:
            values = (method, route, str(status), self.app_name)
            children = self._children[(method, route, status)] = (
                self.requests.labels(*values),
                self.seconds.labels(*values),
            )
        children[0].inc()
        children[1].observe(seconds)
        if status >= 500:
            self.errors.labels(method, route, str(status), self.app_name).inc()


@functools.cache
def http_metrics() -> HttpMetrics:
    """One per process, in the default registry, as the plugin's were: apps in one process share them."""
    return HttpMetrics()
