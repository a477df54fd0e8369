"""Appends per second through real ``tidings serve`` processes: SQLite, and PostgreSQL with 1 and 2 instances.

    .venv/bin/python bench/postgres_instances.py [--dsn postgresql://postgres@127.0.0.1:5432/test]
        [--clients 32] [--seconds 10] [--batch 1] [--runs sqlite,pg1,pg2]

``--clients`` HTTP clients (httpx, one connection each) append as fast as they are answered,
spread evenly over the instances, each request one event (``--batch N``: a batch of N).
Every PostgreSQL run gets a fresh schema, dropped afterwards; the SQLite run a fresh file.
The load generator runs on the same machine as the servers and the database, so the
figures are what this machine does as a whole, not what a cluster would.

Besides appends/s and request latency it prints, from the servers' /metrics, the group
commits per second (all instances), the events per commit, and the mean time of one
commit transaction — with several instances that includes waiting for the log lock.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server import Server, serve  # noqa: E402

COMPANIES = [f"bench-{i}" for i in range(16)]
SOURCE = {"title": "Bench", "publisher": "Tidings bench", "language": "en"}
SERVER_ENV = {"TIDINGS_RATE_LIMIT": "0", "TIDINGS_LOG_LEVEL": "warning"}
COMMIT_METRICS = (
    "tidings_commit_seconds_sum",
    "tidings_commit_seconds_count",
    "tidings_commit_group_events_sum",
)


def sale(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "sales_reported",
        "id": str(uuid.uuid4()),
        "company_id": rng.choice(COMPANIES),
        "period": "2025",
        "units": {"value": rng.randrange(1, 10**6), "approximate": False},
        "sources": [SOURCE],
    }


async def scrape(servers: list[Server]) -> dict[str, float]:
    """The commit metrics summed over the servers."""
    totals = dict.fromkeys(COMMIT_METRICS, 0.0)
    async with httpx.AsyncClient(timeout=30) as http:
        for server in servers:
            for line in (await http.get(f"{server.url}/metrics")).text.splitlines():
                name, _, value = line.partition(" ")
                if name in totals:
                    totals[name] += float(value)
    return totals


async def load(servers: list[Server], clients: int, seconds: float, batch: int) -> dict[str, float]:
    """Append for ``seconds`` from ``clients`` clients over the servers; events/s and request latencies."""
    async with httpx.AsyncClient(base_url=servers[0].url, timeout=60) as admin:
        for company in COMPANIES:
            body = {"type": "company_registered", "company_id": company, "name": company, "country": "DE"}
            response = await admin.post("/events", json={**body, "sources": [SOURCE]})
            assert response.status_code == 201, response.text
    latencies: list[float] = []
    events = 0
    failures = 0
    stop = 0.0

    async def client(index: int, measuring: asyncio.Event) -> None:
        nonlocal events, failures
        rng = random.Random(index)
        url = servers[index % len(servers)].url
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
            while time.perf_counter() < stop:
                if batch == 1:
                    path, body = "/events", sale(rng)
                else:
                    path, body = "/events/batch", {"events": [sale(rng) for _ in range(batch)]}
                started = time.perf_counter()
                response = await http.post(path, json=body)
                if not measuring.is_set():
                    continue
                if response.status_code == 201:
                    latencies.append(time.perf_counter() - started)
                    events += batch
                else:
                    failures += 1

    measuring = asyncio.Event()
    warmup = 1.0
    stop = time.perf_counter() + warmup + seconds
    tasks = [asyncio.create_task(client(i, measuring)) for i in range(clients)]
    await asyncio.sleep(warmup)
    before = await scrape(servers)
    measuring.set()
    began = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    after = await scrape(servers)
    commits = after["tidings_commit_seconds_count"] - before["tidings_commit_seconds_count"]
    ms = sorted(x * 1000 for x in latencies)
    return {
        "events_per_s": events / elapsed,
        "p50_ms": statistics.median(ms),
        "p99_ms": ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        "failures": failures,
        "commits_per_s": commits / elapsed,
        "events_per_commit": (after["tidings_commit_group_events_sum"] - before["tidings_commit_group_events_sum"])
        / max(commits, 1),
        "commit_ms": 1000
        * (after["tidings_commit_seconds_sum"] - before["tidings_commit_seconds_sum"])
        / max(commits, 1),
    }


async def drop(dsn: str, schema: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def run(name: str, args: argparse.Namespace) -> dict[str, float]:
    with ExitStack() as stack:
        if name == "sqlite":
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            servers = [stack.enter_context(serve(Path(folder) / "bench.db", env=SERVER_ENV))]
        else:
            schema = f"tidings_bench_{uuid.uuid4().hex[:12]}"
            stack.callback(lambda: asyncio.run(drop(args.dsn, schema)))
            servers = [
                stack.enter_context(serve(args.dsn, "--pg-schema", schema, env=SERVER_ENV))
                for _ in range(int(name.removeprefix("pg")))
            ]
        return asyncio.run(load(servers, args.clients, args.seconds, args.batch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--dsn", default=os.environ.get("TIDINGS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--batch", type=int, default=1, help="events per request (1: POST /events)")
    parser.add_argument("--runs", default="sqlite,pg1,pg2", help="comma-separated: sqlite, pg1, pg2, pg3, ...")
    args = parser.parse_args()
    print(f"{args.clients} clients, {args.seconds:g} s each, {args.batch} event(s) per request, {os.cpu_count()} CPUs")
    print(
        f"{'backend':<26} {'appends/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}"
        f" {'commits/s':>10} {'events/commit':>14} {'commit ms':>10}"
    )
    for name in args.runs.split(","):
        label = "SQLite, 1 instance" if name == "sqlite" else f"PostgreSQL, {name.removeprefix('pg')} instance(s)"
        figures = run(name, args)
        print(
            f"{label:<26} {figures['events_per_s']:>10.0f} {figures['p50_ms']:>8.1f} "
            f"{figures['p99_ms']:>8.1f} {figures['failures']:>7.0f} {figures['commits_per_s']:>10.0f} "
            f"{figures['events_per_commit']:>14.1f} {figures['commit_ms']:>10.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
