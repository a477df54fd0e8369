"""A bounded load run against a real server: no 5xx, every acknowledged append stored, memory flat.

Clients run a mix of 80 % reads (dossier, timeline, the other read models, log pages, single
events, the company list) and 20 % appends (single events, batches, conditional appends) for
a fixed time. The server's RSS is read from /proc at start, during and at the end.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.stress.support import (
    CLIENTS_LIMITS,
    JSON,
    Append,
    Workload,
    figures,
    read_log,
    rss_kib,
    running,
    scaled,
)

pytestmark = pytest.mark.stress

DURATION_S = scaled(10, 60)
CLIENTS = scaled(32, 64)
WARM_UP_S = 2
BOUND_S = DURATION_S + scaled(120, 300)
"""Whole-test bound: the run plus generous time to seed and verify; only a hang trips it."""
# Memory. RSS is taken after a warm-up (imports, first connections, caches filled). After
# that the server keeps no per-request state; what can still grow is bounded: SQLite's page
# cache (2 MiB per connection by default, 1 writer + 4 readers), and CPython's allocator,
# which keeps the arenas of the largest working set it has seen. That working set grows
# with the data, because a read model is built in memory from a company's rows on each
# request, by many clients at once. Observed growth: 2-7 MiB in CI mode (10 s, 2,000-4,000
# requests, ~1,500 events added) and 24 MiB in a full run (60 s, 15,000 requests, 5,400
# events added). The bounds leave 4x and 2.5x room over that, and are still far below what
# a leak does: keeping 100 kB per dossier request added 60 MiB in CI mode (caught) and
# would add ~300 MiB in a full run. RSS must also stay below twice the warmed-up size.
MAX_GROWTH_KIB = scaled(32, 64) * 1024


class Load:
    def __init__(self, client: httpx.AsyncClient, work: Workload, rng: random.Random) -> None:
        self.client = client
        self.work = work
        self.rng = rng
        self.statuses: Counter[int] = Counter()
        self.operations: Counter[str] = Counter()
        self.unexpected: list[str] = []
        self.transport_errors: list[str] = []
        self.latencies: list[float] = []
        self.acknowledged: dict[str, int] = {}
        self.last = 0

    async def client_loop(self, until: float) -> None:
        while time.monotonic() < until:
            await self.one()

    async def one(self) -> None:
        rng, work = self.rng, self.work
        company = rng.choice(work.companies)
        roll = rng.random()
        expected = (200,)
        if roll < 0.15:
            op, append = "append", Append("/events", [work.event()])
        elif roll < 0.18:
            op, append = "batch", Append("/events/batch", [work.event() for _ in range(5)])
        elif roll < 0.20:
            op, append = "conditional", None
        else:
            op, append = "read", None
        started = time.monotonic()
        try:
            if append is not None:
                response = await self.client.post(append.path, content=append.body, headers=JSON)
                expected = (201,)
            elif op == "conditional":
                dossier = await self.client.get(f"/companies/{company}")
                version = dossier.json()["version"]
                headers = {**JSON, "If-Match": f'"{version}"'}
                append = Append(f"/companies/{company}/events", [work.launch(company)], headers=headers)
                response = await self.client.post(append.path, content=append.body, headers=headers)
                expected = (201, 412)  # another client may have written to the company in between
            else:
                op, response = await self.read(company)
        except httpx.TransportError as error:
            self.transport_errors.append(f"{op}: {error!r}")
            return
        self.latencies.append(time.monotonic() - started)
        self.operations[op] += 1
        self.statuses[response.status_code] += 1
        if response.status_code not in expected:
            self.unexpected.append(f"{op} {response.request.url.path}: {response.status_code} {response.text[:200]}")
            return
        if append is not None and response.status_code == 201:
            append.answered(response)
            for event_id, position in zip(append.ids, append.positions, strict=True):
                self.acknowledged[event_id] = position
                self.last = max(self.last, position)

    async def read(self, company: str) -> tuple[str, httpx.Response]:
        roll = self.rng.random()
        client = self.client
        if roll < 0.25:
            return "dossier", await client.get(f"/companies/{company}")
        if roll < 0.45:
            return "timeline", await client.get(f"/companies/{company}/timeline")
        if roll < 0.70:
            view = self.rng.choice(["meetings", "sales", "plans", "relationships"])
            return view, await client.get(f"/companies/{company}/{view}")
        if roll < 0.88:
            after = self.rng.randint(0, max(0, self.last - 50))
            return "log page", await client.get("/events", params={"after": after, "limit": self.rng.choice([10, 100])})
        if roll < 0.94 and self.acknowledged:
            event_id = self.rng.choice(list(self.acknowledged)[-1000:])
            return "event", await client.get(f"/events/{event_id}")
        return "companies", await client.get("/companies")


async def test_load_has_no_5xx_loses_nothing_and_keeps_memory_flat(tmp_path: Path) -> None:
    rng = random.Random()
    work = Workload(rng)
    async with (
        asyncio.timeout(BOUND_S),
        running(tmp_path / "load.db") as server,
        httpx.AsyncClient(base_url=server.url, timeout=30, limits=CLIENTS_LIMITS) as client,
    ):
        pid = server.process.pid
        rss_idle = rss_kib(pid)
        load = Load(client, work, rng)
        seeded = [Append("/events/batch", work.registrations)] + [
            Append("/events/batch", [work.event() for _ in range(100)]) for _ in range(5)
        ]
        for append in seeded:
            response = await client.post(append.path, content=append.body, headers=JSON)
            assert response.status_code == 201, response.text
            append.answered(response)
            load.acknowledged.update(zip(append.ids, append.positions, strict=True))
            load.last = max(append.positions)

        await asyncio.gather(*(load.client_loop(time.monotonic() + WARM_UP_S) for _ in range(CLIENTS)))
        rss_start = rss_kib(pid)
        samples = [rss_start]

        async def sample(until: float) -> None:
            while time.monotonic() < until:
                await asyncio.sleep(1)
                samples.append(rss_kib(pid))

        started = time.monotonic()
        until = started + DURATION_S
        requests_before = sum(load.statuses.values())
        await asyncio.gather(sample(until), *(load.client_loop(until) for _ in range(CLIENTS)))
        elapsed = time.monotonic() - started
        requests = sum(load.statuses.values()) - requests_before
        rss_end = rss_kib(pid)

        assert not load.transport_errors, load.transport_errors[:5]
        assert not load.unexpected, load.unexpected[:5]
        log = await read_log(client)
        stored: dict[str, Any] = {e["event"]["id"]: e["position"] for e in log}
        assert [e["position"] for e in log] == list(range(1, len(log) + 1))
        assert stored == load.acknowledged, "acknowledged != stored"

    latencies = sorted(load.latencies)
    figures(
        "load",
        clients=CLIENTS,
        seconds=round(elapsed, 1),
        requests=requests,
        requests_per_s=round(requests / elapsed),
        operations=dict(load.operations.most_common()),
        statuses=dict(sorted(load.statuses.items())),
        answers_5xx=sum(n for s, n in load.statuses.items() if s >= 500),
        acknowledged_events=len(load.acknowledged),
        stored_events=len(stored),
        p50_ms=round(statistics.median(latencies) * 1000, 1),
        p99_ms=round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        rss_idle_mib=round(rss_idle / 1024, 1),
        rss_start_mib=round(rss_start / 1024, 1),
        rss_max_mib=round(max(samples) / 1024, 1),
        rss_every_10s_mib=[round(kib / 1024) for kib in samples[::10]],
        rss_end_mib=round(rss_end / 1024, 1),
    )
    assert not any(s >= 500 for s in load.statuses)
    assert rss_end - rss_start < MAX_GROWTH_KIB, f"RSS grew from {rss_start} to {rss_end} KiB"
    assert rss_end < 2 * rss_start, f"RSS grew from {rss_start} to {rss_end} KiB"
