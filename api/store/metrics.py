"""What the single writer counts: appends, replays and refusals by kind, group sizes, commit latency.

Unregistered prometheus_client objects, one set per writer; api.http.metrics yields them at scrape time.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Histogram

__all__ = ["WriterMetrics"]

_GROUP_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)


class WriterMetrics:
    """What the single writer did: appends, replays and refusals by kind, group sizes, commit latency."""

    def __init__(self) -> None:
        self.appends = Counter("tidings_appends", "Events stored, by type.", ["type"], registry=None)
        self.replays = Counter(
            "tidings_replays",
            "Appends answered with an already stored event (idempotent retries), by type.",
            ["type"],
            registry=None,
        )
        self.refusals = Counter(
            "tidings_refusals",
            "Append requests refused, by kind (conflict, precondition, invalid, unavailable).",
            ["kind"],
            registry=None,
        )
        self.group_commands = Histogram(
            "tidings_commit_group_requests",
            "Append requests committed together in one transaction.",
            buckets=_GROUP_BUCKETS,
            registry=None,
        )
        self.group_events = Histogram(
            "tidings_commit_group_events",
            "Events committed together in one transaction.",
            buckets=_GROUP_BUCKETS,
            registry=None,
        )
        self.commit_seconds = Histogram(
            "tidings_commit_seconds",
            "Time of one group commit, from the first statement to COMMIT returning.",
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=None,
        )

    def collectors(self) -> list[Any]:
        return [self.appends, self.replays, self.refusals, self.group_commands, self.group_events, self.commit_seconds]
