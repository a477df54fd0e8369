"""What open event streams cost a server: memory per idle stream, and the append rate beside them.

Starts ``tidings serve`` on a fresh SQLite file and measures

1. the server's extra RSS with 200 idle SSE connections (connected, caught up, nothing to send);
2. the rate of single-event appends from 32 concurrent clients: with no stream open, with the 200
   idle streams (filtered to a type that is not appended: every commit still wakes the feed), and,
   for comparison, with 200 live streams that receive every appended event (read by a separate
   process, so that reading does not compete with the appending clients in this one).

Rounds alternate the scenarios and the median of each is reported. Targets (issue 7): < 50 MB
for the idle streams, appends at most 10 % slower beside them.

    .venv/bin/python bench/sse_idle.py [--streams 200] [--appends 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.server import Server, serve

SOURCE = {"title": "Benchmark", "publisher": "Tidings bench", "language": "en"}
REGISTRATION = {
    "type": "company_registered",
    "sources": [SOURCE],
    "company_id": "acme",
    "name": "Acme",
    "country": "US",
}


def sale(value: int) -> dict[str, Any]:
    return {
        "type": "sales_reported",
        "sources": [SOURCE],
        "company_id": "acme",
        "period": "2024",
        "units": {"value": value, "approximate": False},
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (robust where wall-clock rates are noisy)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def open_stream(host: str, port: int, query: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /events/stream?{query} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    return reader, writer


async def drain_forever(reader: asyncio.StreamReader, counter: list[int]) -> None:
    while chunk := await reader.read(65536):
        counter[0] += len(chunk)


def live_readers(url: str, count: int, after: int, ready: Any, stop: Any) -> None:
    """In a child process: ``count`` unfiltered streams from ``after``, read as fast as they come."""

    async def main() -> None:
        host, port = url.removeprefix("http://").split(":")
        streams = [await open_stream(host, int(port), f"after={after}") for _ in range(count)]
        counter = [0]
        tasks = [asyncio.create_task(drain_forever(reader, counter)) for reader, _ in streams]
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        for _, writer in streams:
            writer.close()

    asyncio.run(main())


async def append_rate(url: str, appends: int, clients: int = 32, pid: int | None = None) -> tuple[float, float]:
    """Appends per second, and the server's CPU milliseconds per append."""
    queue = list(range(appends))

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            while queue:
                response = await client.post("/events", json=sale(queue.pop()))
                assert response.status_code == 201, response.text

    cpu = cpu_seconds(pid) if pid else 0.0
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return appends / elapsed, ((cpu_seconds(pid) - cpu) * 1000 / appends if pid else 0.0)


async def run(server: Server, args: argparse.Namespace) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    pid = server.process.pid
    async with httpx.AsyncClient(base_url=server.url) as client:
        assert (await client.post("/events", json=REGISTRATION)).status_code == 201
    await append_rate(server.url, 500, pid=pid)  # warm up: code paths, SQLite cache, allocator

    before = rss_mb(pid)
    idle = [await open_stream(host, int(port), "type=event_retracted") for _ in range(args.streams)]
    await asyncio.sleep(2)
    with_idle = rss_mb(pid)
    print(f"RSS: {before:.1f} MB -> {with_idle:.1f} MB with {args.streams} idle streams", flush=True)
    print(f"     extra {with_idle - before:.1f} MB ({(with_idle - before) * 1024 / args.streams:.0f} KiB per stream)")
    for _, writer in idle:
        writer.close()
    await asyncio.sleep(1)

    rates: dict[str, list[float]] = {"none": [], "idle": [], "live": []}
    cpu: dict[str, list[float]] = {"none": [], "idle": [], "live": []}

    async def measure(name: str) -> None:
        rate, ms = await append_rate(server.url, args.appends, pid=pid)
        rates[name].append(rate)
        cpu[name].append(ms)

    for round_ in range(args.rounds):
        await measure("none")

        idle = [await open_stream(host, int(port), "type=event_retracted") for _ in range(args.streams)]
        await asyncio.sleep(0.5)
        await measure("idle")
        for _, writer in idle:
            writer.close()
        await asyncio.sleep(0.5)

        context = multiprocessing.get_context("spawn")
        ready, stop = context.Event(), context.Event()
        async with httpx.AsyncClient(base_url=server.url) as client:
            head = (await client.get("/ready")).json()["last_position"]
        readers = context.Process(target=live_readers, args=(server.url, args.streams, head, ready, stop))
        readers.start()
        ready.wait(60)
        await asyncio.sleep(0.5)
        await measure("live")
        stop.set()
        readers.join(30)
        await asyncio.sleep(0.5)
        summary = ", ".join(f"{k} {v[-1]:.0f}/s {cpu[k][-1]:.2f} ms CPU" for k, v in rates.items())
        print(f"round {round_ + 1}: {summary}", flush=True)

    base = statistics.median(rates["none"])
    base_cpu = statistics.median(cpu["none"])
    print(f"median of {args.rounds} rounds of {args.appends} single-event appends from 32 clients:")
    print(f"  {'no streams:':<27} {base:5.0f} appends/s, server CPU {base_cpu:.2f} ms per append")
    for name, label in (("idle", f"{args.streams} idle streams:"), ("live", f"{args.streams} live streams:")):
        rate, ms = statistics.median(rates[name]), statistics.median(cpu[name])
        print(
            f"  {label:<27} {rate:5.0f} appends/s ({(rate / base - 1) * 100:+.1f} %), "
            f"server CPU {ms:.2f} ms per append ({(ms / base_cpu - 1) * 100:+.1f} %)"
        )
    rss = rss_mb(pid)
    print(f"RSS at the end: {rss:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(Path(tmp) / "bench.db", env={"TIDINGS_LOG_LEVEL": "warning"}) as server,
    ):
        asyncio.run(run(server, args))


if __name__ == "__main__":
    main()
